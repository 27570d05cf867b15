package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.Definitions;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.selector.LabelSelector;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.daemonset.DaemonSetLabels;
import dev.everynode.pod.PodConditions;
import dev.everynode.pod.PodRepository;
import dev.everynode.pod.Termination;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.Planner;
import dev.everynode.revision.RevisionHistory;
import dev.everynode.support.Fixtures;
import dev.everynode.support.RandomHistories;
import dev.everynode.support.TestDatabase;
import java.lang.reflect.Constructor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One random history of what the product writes to pods and nodes (through ObjectStore, PodRepository and
 * Termination, or their statements where those are private: the same resourceVersion changes as in production),
 * with a long-lived {@link PodSummaries} and {@link NodeCache} that see every step, checked after each step against
 * a fresh instance (a full read), against the stored documents, and, when asked, the planner's pass on the cached
 * views against its pass on the fresh ones.
 *
 * <p>Each history gets a namespace of its own (and a second one, "elsewhere", for orphans the DaemonSets must not
 * see), two DaemonSets in it (fluentd, and logger with a node selector), and the nodes node-0 to node-3, which come
 * and go. The database is one of its own on the test suite's PostgreSQL server ({@link TestDatabase}), migrated by
 * Flyway: the shared database's service, when a Spring test context of the same JVM runs, would reconcile these
 * DaemonSets (their writes NOTIFY every replica), collect their pods and mark their nodes unreachable.
 */
final class CacheHistory implements RandomHistories.Run<CacheHistory.Step> {

    /** What a history checks after each step. */
    enum Checks { PODS, NODES, PLANS }

    /** A step of a history. A {@code pod} is an index into the pods written so far (modulo their number). */
    sealed interface Step {}

    enum Ds { FLUENTD, LOGGER }

    enum Owner { NONE, FLUENTD, LOGGER }

    /** A pod's labels: those of fluentd's template (its selector matches), of logger's, another app's, none. */
    enum Labels { FLUENTD, LOGGER, OTHER, NONE }

    enum Phase { NONE, Pending, Running, Succeeded, Failed, Unknown }

    enum Ready { NONE, TRUE, FALSE }

    enum NodeReady { TRUE, FALSE, UNKNOWN, NONE }

    /** A pod created through the API (ResourceService.create: ObjectStore.insert), bound to node-{node} (4: none). */
    record CreatePod(Owner owner, Labels labels, int node, boolean oldRevision) implements Step {}

    /** An orphan created in the other namespace: no DaemonSet here may claim it. */
    record CreateElsewhere(Labels labels, int node) implements Step {}

    /**
     * A pass that creates a pod of the current revision on each node of the bitmask (PlanExecutor: insertMany, then
     * PodSummaries.remember), at a clock reading {@code nanos} past a microsecond, and commits or rolls back.
     */
    record Pass(Ds ds, int nodes, boolean rolledBack, int nanos) implements Step {}

    /** An agent's status report (PodStatusReports: stampReadyTransition, updateStatuses), when it changes the pod. */
    record Report(int pod, Phase phase, Ready ready) implements Step {}

    /** A report that changes nothing the planner reads (a new pod IP, a restart count). */
    record ReportNoise(int pod) implements Step {}

    /** Its node is unreachable (NodeLifecycleMonitor: markNotReady, updateBatch). */
    record Unreachable(int pod) implements Step {}

    /** The graceful deletion starts (Termination.mark: deletionTimestamp now plus the grace period). */
    record Terminate(int pod) implements Step {}

    /** New labels through the API (ObjectStore.update). */
    record Relabel(int pod, Labels labels, boolean oldRevision, int templateGeneration) implements Step {}

    /** Adoption, release or a new owner (PlanExecutor.claim: PodFactory.withController, updateBatch). */
    record SetOwner(int pod, Owner owner) implements Step {}

    /** The DaemonSet deleted with propagationPolicy Orphan (DaemonSetStrategy's statement). */
    record OrphanAll(Ds ds) implements Step {}

    /** Removal: through the API (ObjectStore.delete) or by a pass or the collector (ObjectStore.deleteBatch). */
    record DeletePod(int pod, boolean viaApi) implements Step {}

    /** A node registers (ObjectStore.insert); labels and taints are variants 0 to 2 and 0 to 3. */
    record CreateNode(int node, int labels, int taints, NodeReady ready) implements Step {}

    record RelabelNode(int node, int labels) implements Step {}

    record TaintNode(int node, int taints) implements Step {}

    /** The Ready condition changes (as NodeLifecycleMonitor writes it: ObjectStore.update). */
    record SetNodeReady(int node, NodeReady ready) implements Step {}

    /** A node update the planner does not read (capacity, an annotation). */
    record NodeNoise(int node) implements Step {}

    record DeleteNode(int node) implements Step {}

    /** A random write to pods. */
    static Step podStep(Random r) {
        int pod = r.nextInt(8);
        int pick = r.nextInt(100);
        if (pick < 20) {
            return new CreatePod(pick(r, Owner.values()), pick(r, Labels.values()), r.nextInt(5), r.nextBoolean());
        } else if (pick < 24) {
            return new CreateElsewhere(pick(r, Labels.values()), r.nextInt(5));
        } else if (pick < 34) {
            int[] nanos = {0, 1, 499, 500, 501, 999, r.nextInt(1000)};
            return new Pass(pick(r, Ds.values()), 1 + r.nextInt(15), r.nextInt(5) == 0, nanos[r.nextInt(nanos.length)]);
        } else if (pick < 48) {
            return new Report(pod, pick(r, Phase.values()), pick(r, Ready.values()));
        } else if (pick < 56) {
            return new ReportNoise(pod);
        } else if (pick < 61) {
            return new Unreachable(pod);
        } else if (pick < 68) {
            return new Terminate(pod);
        } else if (pick < 76) {
            return new Relabel(pod, pick(r, Labels.values()), r.nextBoolean(), 1 + r.nextInt(2));
        } else if (pick < 84) {
            return new SetOwner(pod, pick(r, Owner.values()));
        } else if (pick < 86) {
            return new OrphanAll(pick(r, Ds.values()));
        }
        return new DeletePod(pod, r.nextBoolean());
    }

    /** A random write to nodes. */
    static Step nodeStep(Random r) {
        int node = r.nextInt(4);
        int pick = r.nextInt(100);
        if (pick < 30) {
            return new CreateNode(node, r.nextInt(3), r.nextInt(4), pick(r, NodeReady.values()));
        } else if (pick < 45) {
            return new RelabelNode(node, r.nextInt(3));
        } else if (pick < 60) {
            return new TaintNode(node, r.nextInt(4));
        } else if (pick < 75) {
            return new SetNodeReady(node, pick(r, NodeReady.values()));
        } else if (pick < 85) {
            return new NodeNoise(node);
        }
        return new DeleteNode(node);
    }

    /** A random write to pods (two in three) or nodes. */
    static Step anyStep(Random r) {
        return r.nextInt(3) < 2 ? podStep(r) : nodeStep(r);
    }

    private static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    // ---- the run

    private static final String CURRENT = "h1";
    private static final String OLD = "h0";
    private static final long TEMPLATE_GENERATION = 2;

    /** A pod written so far, and not deleted. */
    private record Tracked(String namespace, String name, UUID uid) {}

    private final Database db = database();
    private final List<Checks> checks;
    private final String namespace = "p-" + String.format("%08x", new Random().nextInt());
    private final String elsewhere = namespace + "-elsewhere";
    private final PodSummaries summaries = new PodSummaries(db.jdbc(), db.pods());
    private final NodeCache nodeCache = new NodeCache(db.jdbc(), db.store());
    private final List<Tracked> pods = new ArrayList<>();
    private final StoredObject fluentd;
    private final StoredObject logger;
    /** The clock: one second per step, on a whole microsecond (a pass adds its nanos). */
    private Instant now = Instant.parse("2026-03-01T10:00:00Z");
    private int counter;

    CacheHistory(Checks... checks) {
        this.checks = List.of(checks);
        db.jdbc().update("DELETE FROM objects WHERE kind = 'Node'");
        ObjectNode f = Fixtures.fluentd(namespace);
        Json.child(Json.child(f, "metadata"), "annotations").put(DaemonSetLabels.TEMPLATE_GENERATION_ANNOTATION,
                Long.toString(TEMPLATE_GENERATION));
        fluentd = db.store().insert("DaemonSet", namespace, "fluentd", UUID.randomUUID(), 1, now, f);
        ObjectNode l = f.deepCopy();
        Json.child(l, "metadata").put("name", "logger");
        Json.child(Json.child(Json.child(l, "spec"), "selector"), "matchLabels").put("name", "logger");
        ObjectNode template = Json.child(Json.child(l, "spec"), "template");
        Json.child(Json.child(template, "metadata"), "labels").put("name", "logger");
        Json.child(Json.child(template, "spec"), "nodeSelector").put("zone", "a");
        logger = db.store().insert("DaemonSet", namespace, "logger", UUID.randomUUID(), 1, now, l);
    }

    @Override
    public void apply(Step step) {
        now = now.plusSeconds(1);
        try {
            write(step);
        } catch (DataIntegrityViolationException refused) {
            // one live pod per DaemonSet, node and revision: the API, a pass or an adoption would be refused too
        }
        check();
    }

    @Override
    public void close() {
        nodeCache.stop();
        db.jdbc().update("DELETE FROM objects WHERE namespace IN (?, ?) OR kind = 'Node'", namespace, elsewhere);
    }

    private void write(Step step) {
        if (step instanceof CreatePod s) {
            createPod(namespace, s.owner(), s.labels(), s.node(), s.oldRevision());
        } else if (step instanceof CreateElsewhere s) {
            createPod(elsewhere, Owner.NONE, s.labels(), s.node(), false);
        } else if (step instanceof Pass s) {
            pass(s);
        } else if (step instanceof Report s) {
            withPod(s.pod(), pod -> report(pod, status(s.phase(), s.ready(), "10.0.0.1")));
        } else if (step instanceof ReportNoise s) {
            withPod(s.pod(), pod -> {
                ObjectNode status = pod.body().path("status") instanceof ObjectNode o ? o.deepCopy() : Json.object();
                status.put("podIP", "10.1.0." + (++counter));
                report(pod, status);
            });
        } else if (step instanceof Unreachable s) {
            withPod(s.pod(), pod -> {
                ObjectNode body = pod.body().deepCopy();
                if (PodConditions.markNotReady(body, "NodeUnreachable", now)) {
                    db.store().updateBatch(List.of(with(pod, body)));
                }
            });
        } else if (step instanceof Terminate s) {
            withPod(s.pod(), pod -> db.termination().mark(List.of(pod.uid()), now));
        } else if (step instanceof Relabel s) {
            withPod(s.pod(), pod -> {
                ObjectNode body = pod.body().deepCopy();
                ObjectNode meta = Json.child(body, "metadata");
                meta.remove("labels");
                labels(meta, s.labels(), s.oldRevision() ? OLD : CURRENT, s.templateGeneration());
                db.store().update(pod, pod.generation(), pod.deletionTimestamp(), body);
            });
        } else if (step instanceof SetOwner s) {
            withPod(s.pod(), pod -> db.store().updateBatch(List.of(PodFactory.withController(pod, owner(s.owner())))));
        } else if (step instanceof OrphanAll s) {
            db.jdbc().update("""
                    UPDATE objects SET owner_uid = NULL, resource_version = nextval('resource_version_seq'),
                        body = jsonb_set(body, '{metadata,ownerReferences}', COALESCE((
                            SELECT jsonb_agg(r) FROM jsonb_array_elements(body->'metadata'->'ownerReferences') r
                            WHERE r->>'uid' <> ?), '[]'::jsonb))
                    WHERE owner_uid = ?""", ds(s.ds()).uid().toString(), ds(s.ds()).uid());
        } else if (step instanceof DeletePod s) {
            withPod(s.pod(), pod -> {
                if (s.viaApi()) {
                    db.store().delete("Pod", pod.namespace(), pod.name());
                } else {
                    db.store().deleteBatch(List.of(pod.uid()));
                }
                pods.removeIf(p -> p.uid().equals(pod.uid()));
            });
        } else if (step instanceof CreateNode s) {
            if (db.store().get("Node", "", nodeName(s.node())).isEmpty()) {
                ObjectNode node = Fixtures.node(nodeName(s.node()));
                nodeLabels(node, s.labels());
                taints(node, s.taints());
                nodeReady(node, s.ready());
                db.store().insert("Node", "", nodeName(s.node()), UUID.randomUUID(), 0, now, node);
            }
        } else if (step instanceof RelabelNode s) {
            updateNode(s.node(), body -> nodeLabels(body, s.labels()));
        } else if (step instanceof TaintNode s) {
            updateNode(s.node(), body -> taints(body, s.taints()));
        } else if (step instanceof SetNodeReady s) {
            updateNode(s.node(), body -> nodeReady(body, s.ready()));
        } else if (step instanceof NodeNoise s) {
            updateNode(s.node(),
                    body -> Json.child(Json.child(body, "status"), "capacity").put("pods", Integer.toString(++counter)));
        } else if (step instanceof DeleteNode s) {
            db.store().delete("Node", "", nodeName(s.node()));
        } else {
            throw new IllegalArgumentException("unknown step " + step);
        }
    }

    private void createPod(String ns, Owner owner, Labels labels, int node, boolean oldRevision) {
        String name = "pod-" + (++counter);
        UUID uid = UUID.randomUUID();
        ObjectNode pod = Json.object();
        pod.put("kind", "Pod");
        pod.put("apiVersion", "v1");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", ns);
        labels(meta, labels, oldRevision ? OLD : CURRENT, TEMPLATE_GENERATION);
        if (owner != Owner.NONE) {
            meta.putArray("ownerReferences").add(RevisionHistory.ownerReference(owner(owner)));
        }
        ObjectNode spec = pod.putObject("spec");
        if (node < 4) {
            spec.put("nodeName", nodeName(node));
        }
        spec.putArray("containers").addObject().put("name", "app").put("image", "app:1");
        pod.putObject("status").put("phase", "Pending");
        db.store().insert("Pod", ns, name, uid, 0, now, pod);
        pods.add(new Tracked(ns, name, uid));
    }

    private void pass(Pass s) {
        StoredObject ds = ds(s.ds());
        Instant at = now.plusNanos(s.nanos());
        Model.Placement placement = SnapshotReader.placement(ds.body().path("spec").path("template").path("spec"));
        List<StoredObject> creates = new ArrayList<>();
        for (int node = 0; node < 4; node++) {
            if ((s.nodes() & (1 << node)) != 0) {
                creates.add(PodFactory.newPod(ds, nodeName(node), CURRENT, TEMPLATE_GENERATION, placement, at));
            }
        }
        List<StoredObject> created = new ArrayList<>();
        db.tx().executeWithoutResult(tx -> {
            Map<String, Long> inserted = db.store().insertMany(creates);
            for (StoredObject pod : creates) {
                Long rv = inserted.get(pod.name());
                if (rv != null) {
                    created.add(new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(), rv,
                            pod.generation(), pod.createdAt(), pod.deletionTimestamp(), pod.body()));
                }
            }
            summaries.remember(ds.uid(), created);
            if (s.rolledBack()) {
                tx.setRollbackOnly();
            }
        });
        if (!s.rolledBack()) {
            created.forEach(p -> pods.add(new Tracked(p.namespace(), p.name(), p.uid())));
        }
    }

    /** PodStatusReports.answer: the reported status, the Ready transition stamped, written when it changed. */
    private void report(StoredObject pod, ObjectNode status) {
        ObjectNode next = pod.body().deepCopy();
        next.set("status", status);
        PodConditions.stampReadyTransition(next, pod.body(), now);
        if (!next.path("status").equals(pod.body().path("status"))) {
            db.store().updateStatuses(List.of(with(pod, next)));
        }
    }

    private static ObjectNode status(Phase phase, Ready ready, String podIp) {
        ObjectNode status = Json.object();
        if (phase != Phase.NONE) {
            status.put("phase", phase.name());
        }
        if (ready != Ready.NONE) {
            ArrayNode conditions = status.putArray("conditions");
            conditions.addObject().put("type", "Initialized").put("status", "True");
            conditions.addObject().put("type", "Ready").put("status", ready == Ready.TRUE ? "True" : "False");
        }
        status.put("podIP", podIp);
        return status;
    }

    private static void labels(ObjectNode meta, Labels labels, String hash, long templateGeneration) {
        if (labels == Labels.NONE) {
            return;
        }
        ObjectNode l = meta.putObject("labels");
        l.put("name", switch (labels) {
            case FLUENTD -> "fluentd";
            case LOGGER -> "logger";
            default -> "other";
        });
        l.put(DaemonSetLabels.REVISION_HASH, hash);
        l.put(DaemonSetLabels.TEMPLATE_GENERATION, Long.toString(templateGeneration));
    }

    private static void nodeLabels(ObjectNode node, int variant) {
        ObjectNode labels = Json.child(node, "metadata").putObject("labels");
        labels.put("kubernetes.io/hostname", Json.text(node, "metadata", "name"));
        if (variant >= 1) {
            labels.put("zone", variant == 1 ? "a" : "b");
        }
        if (variant == 2) {
            labels.put("role", "edge");
        }
    }

    private static void taints(ObjectNode node, int variant) {
        ObjectNode spec = Json.child(node, "spec");
        spec.remove("taints");
        switch (variant) {
            case 1 -> spec.putArray("taints").addObject().put("key", "dedicated").put("value", "db")
                    .put("effect", "NoSchedule");
            case 2 -> spec.putArray("taints").addObject().put("key", "node.kubernetes.io/unreachable")
                    .put("effect", "NoExecute");
            case 3 -> spec.putArray("taints").addObject().put("key", "spare").put("effect", "PreferNoSchedule");
            default -> { }
        }
    }

    private static void nodeReady(ObjectNode node, NodeReady ready) {
        ObjectNode status = Json.child(node, "status");
        status.remove("conditions");
        if (ready != NodeReady.NONE) {
            String value = switch (ready) {
                case TRUE -> "True";
                case FALSE -> "False";
                default -> "Unknown";
            };
            status.putArray("conditions").addObject().put("type", "Ready").put("status", value)
                    .put("reason", "Test");
        }
    }

    private void updateNode(int node, java.util.function.Consumer<ObjectNode> change) {
        db.store().getForUpdate("Node", "", nodeName(node)).ifPresent(current -> {
            ObjectNode body = current.body().deepCopy();
            change.accept(body);
            db.store().update(current, current.generation(), current.deletionTimestamp(), body);
        });
    }

    private void withPod(int index, java.util.function.Consumer<StoredObject> change) {
        if (pods.isEmpty()) {
            return;
        }
        Tracked t = pods.get(index % pods.size());
        db.store().get("Pod", t.namespace(), t.name()).ifPresent(change);
    }

    private static StoredObject with(StoredObject pod, ObjectNode body) {
        return new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(), pod.resourceVersion(),
                pod.generation(), pod.createdAt(), pod.deletionTimestamp(), body);
    }

    private StoredObject ds(Ds ds) {
        return ds == Ds.FLUENTD ? fluentd : logger;
    }

    private StoredObject owner(Owner owner) {
        return switch (owner) {
            case NONE -> null;
            case FLUENTD -> fluentd;
            case LOGGER -> logger;
        };
    }

    private static String nodeName(int node) {
        return "node-" + node;
    }

    // ---- the checks

    private void check() {
        PodSummaries freshSummaries = new PodSummaries(db.jdbc(), db.pods());
        NodeCache freshNodes = new NodeCache(db.jdbc(), db.store());
        try {
            NodeCache.Nodes cachedNodes = nodeCache.snapshot();
            NodeCache.Nodes readNodes = freshNodes.snapshot();
            if (checks.contains(Checks.NODES)) {
                assertThat(cachedNodes.list()).as("nodes: cached (actual) vs read afresh (expected)")
                        .isEqualTo(readNodes.list());
                assertThat(cachedNodes.names()).as("node names: cached vs read afresh").isEqualTo(readNodes.names());
                List<Model.NodeView> documents = db.store().list("Node", null).stream().map(SnapshotReader::node)
                        .sorted(Comparator.comparing(Model.NodeView::name)).toList();
                assertThat(readNodes.list()).as("nodes read afresh vs their documents").isEqualTo(documents);
            }
            for (StoredObject ds : List.of(fluentd, logger)) {
                List<PodSummaries.Summary> cached = summaries.forClaim(namespace, ds.uid());
                List<PodSummaries.Summary> read = freshSummaries.forClaim(namespace, ds.uid());
                if (checks.contains(Checks.PODS)) {
                    assertThat(byUid(cached)).as("pods of %s: cached (actual) vs read afresh (expected)", ds.name())
                            .isEqualTo(byUid(read));
                    assertThat(byUid(read)).as("pods of %s read afresh vs their documents", ds.name())
                            .isEqualTo(fromDocuments(read));
                }
                if (checks.contains(Checks.PLANS)) {
                    Model.Pass onCache = Planner.plan(observed(ds, cached, cachedNodes), now, 500);
                    Model.Pass onRead = Planner.plan(observed(ds, read, readNodes), now, 500);
                    assertThat(onCache).as("pass of %s on the cached views (actual) vs on fresh reads (expected)",
                            ds.name()).isEqualTo(onRead);
                }
            }
        } finally {
            freshNodes.stop();
        }
    }

    private static List<PodSummaries.Summary> byUid(List<PodSummaries.Summary> summaries) {
        return summaries.stream().sorted(Comparator.comparing(PodSummaries.Summary::uid)).toList();
    }

    /** The same pods' summaries as the stored documents give them (SnapshotReader.pod, the controller reference). */
    private List<PodSummaries.Summary> fromDocuments(List<PodSummaries.Summary> read) {
        List<PodSummaries.Summary> out = new ArrayList<>();
        for (StoredObject pod : db.store().getByUids(read.stream().map(PodSummaries.Summary::uid).toList())) {
            UUID owner = null;
            for (var ref : pod.metadata().path("ownerReferences")) {
                if (ref.path("controller").asBoolean(false)) {
                    owner = UUID.fromString(ref.path("uid").asString());
                }
            }
            out.add(new PodSummaries.Summary(pod.uid(), owner, Json.stringMap(pod.metadata().get("labels")),
                    SnapshotReader.pod(pod)));
        }
        return byUid(out);
    }

    /** What PassReader.read makes of a DaemonSet, its candidates and the nodes (no backoff). */
    private static Model.Observed observed(StoredObject ds, List<PodSummaries.Summary> pods, NodeCache.Nodes nodes) {
        LabelSelector selector = LabelSelector.fromJson(ds.body().path("spec").get("selector"));
        List<Model.Candidate> candidates = new ArrayList<>(pods.size());
        for (PodSummaries.Summary pod : pods) {
            candidates.add(new Model.Candidate(pod.view(), ds.uid().equals(pod.ownerUid()),
                    !selector.isEmpty() && selector.matches(pod.labels())));
        }
        return new Model.Observed(SnapshotReader.daemonSet(ds, CURRENT), nodes.list(), candidates, Map.of());
    }

    // ---- the database

    /** The stores on the database of these histories. */
    record Database(JdbcTemplate jdbc, TransactionTemplate tx, ObjectStore store, PodRepository pods,
                    Termination termination) {}

    private static final String DATABASE = "everynode_cache_histories";
    private static Database database;

    /**
     * The database of these histories on the test suite's PostgreSQL server, created afresh and migrated on first
     * use in a JVM; one connection, which commits each statement (a pass's insert in a transaction of its own).
     */
    static synchronized Database database() {
        if (database == null) {
            TestDatabase.Connection server = TestDatabase.get();
            try (Connection c = DriverManager.getConnection(server.url(), server.username(), server.password());
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
                s.execute("CREATE DATABASE " + DATABASE);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create database " + DATABASE, e);
            }
            String url = withDatabase(server.url(), DATABASE);
            Flyway.configure().dataSource(url, server.username(), server.password())
                    .locations("classpath:db/migration").load().migrate();
            SingleConnectionDataSource ds = new SingleConnectionDataSource(url, server.username(), server.password(),
                    true);
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            database = new Database(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                    new ObjectStore(jdbc, Definitions.REGISTRY), construct(PodRepository.class, jdbc),
                    construct(Termination.class, jdbc, Clock.systemUTC()));
        }
        return database;
    }

    private static String withDatabase(String url, String name) {
        Matcher m = Pattern.compile("^(jdbc:postgresql://[^/?]*/)([^?]*)(.*)$").matcher(url);
        if (!m.matches()) {
            throw new IllegalStateException("not a PostgreSQL JDBC URL with a database: " + url);
        }
        return m.group(1) + name + m.group(3);
    }

    /** PodRepository and Termination are Spring beans with package-private constructors (JdbcTemplate, Clock). */
    private static <T> T construct(Class<T> type, Object... args) {
        Class<?>[] types = new Class<?>[args.length];
        for (int i = 0; i < args.length; i++) {
            types[i] = args[i] instanceof Clock ? Clock.class : args[i].getClass();
        }
        try {
            Constructor<T> c = type.getDeclaredConstructor(types);
            c.setAccessible(true);
            return c.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getSimpleName(), e);
        }
    }
}
