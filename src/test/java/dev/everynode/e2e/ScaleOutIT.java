package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.PodMonitor;
import dev.everynode.support.PodMonitor.Observation;
import dev.everynode.support.PodMonitor.PodRow;
import dev.everynode.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Scale-out (issue 7): two replicas of the packaged jar, A and B, on one PostgreSQL, with the same admin and
 * bootstrap tokens and a 10-minute resync period, so that only the PostgreSQL notices (everynode_reconcile,
 * everynode_pods) and the replicas' own pod triggers can make progress within the test. Twenty simulated nodes
 * register with the bootstrap token and talk to B only; DaemonSets are written through A.
 *
 * <p>The steps share one cluster and run in order: the API answers the same on either replica; a DaemonSet written
 * through A gets exactly one pod per node, created once, with the agents on B woken across replicas; and a rollout
 * (maxUnavailable 2) started through A is finished by B after A is killed with SIGKILL in the middle of it, while a
 * monitor checks the safety invariants straight from the database about every 50 ms.
 *
 * <p>The replicas' logs go to {@code target/scale-out-a.log} and {@code target/scale-out-b.log}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {

    private static final String NS = "kube-system";
    private static final String DS_PATH = "/apis/apps/v1/namespaces/" + NS + "/daemonsets";
    private static final String SCALE = "scale";
    private static final String IDLE = "idle";
    private static final String PODS = "/api/v1/namespaces/" + NS + "/pods?labelSelector=name%3D" + SCALE;
    private static final int NODES = 20;
    private static final int MAX_UNAVAILABLE = 2;
    private static final String V1 = "registry.example/scale:v1";
    private static final String V2 = "registry.example/scale:v2";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern PASS = Pattern.compile("daemonSet=" + NS + "/" + SCALE + " creates=(\\d+) deletes=(\\d+)");

    /** The DaemonSet's pods as stored: one consistent SELECT. */
    /** The pods of the DaemonSet under test, for {@link PodMonitor}. */
    private static final String SCALE_PODS = "namespace = 'kube-system' AND body->'metadata'->'labels'->>'name' = 'scale'";

    /** Every pod ever created for the DaemonSet (the watch log keeps ADDED events for 10 minutes). */
    private static final String CREATED_QUERY = """
            SELECT body->'spec'->>'nodeName' AS node, body->'metadata'->'labels'->>'controller-revision-hash' AS hash,
                   count(DISTINCT uid) AS created
            FROM watch_events WHERE kind = 'Pod' AND namespace = 'kube-system' AND event_type = 'ADDED'
              AND body->'metadata'->'labels'->>'name' = 'scale'
            GROUP BY 1, 2""";

    private final String adminToken = "e2e-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final String bootstrapToken = "boot-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    private TestDatabase.Connection db;
    private Connection sql;
    /** The test thread's queries on {@link #sql}. */
    private JdbcTemplate sqlTemplate;
    private HttpClient http;
    private Replica a;
    private Replica b;
    private FleetSimulator simulator;
    private Set<String> nodes;
    private long createdAt;
    private String v1Hash;

    // ---------------------------------------------------------------------------------------------------------
    // the cluster

    /** One replica: the packaged jar as a child process. */
    private record Replica(String name, int port, Process process, Path log) {
        String url(String path) {
            return "http://localhost:" + port + path;
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Path jar = PackagedService.jar(target);
        db = TestDatabase.embedded(null);
        sql = DriverManager.getConnection(db.url(), db.username(), db.password());
        sqlTemplate = new JdbcTemplate(new SingleConnectionDataSource(sql, true));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();

        long t0 = System.nanoTime();
        // Both at once: Flyway serializes the two migrations with its own lock, as it would in a real deployment.
        a = startReplica("a", jar, target);
        b = startReplica("b", jar, target);
        awaitReady(a, Duration.ofSeconds(120));
        awaitReady(b, Duration.ofSeconds(120));
        System.out.printf("[scale-out] replicas ready after %.1f s: A on :%d, B on :%d (PostgreSQL: %s)%n",
                (System.nanoTime() - t0) / 1e9, a.port(), b.port(), db.url());

        long t1 = System.nanoTime();
        simulator = FleetSimulator.start(SimulatorConfig.builder("http://localhost:" + b.port())
                .token(bootstrapToken).nodes(NODES).prefix("scale").heartbeat(Duration.ofSeconds(2)).waitSeconds(20)
                .startDelay(Duration.ofMillis(300)).build());
        nodes = new TreeSet<>(simulator.nodeNames());
        assertThat(nodes).hasSize(NODES);
        System.out.printf("[scale-out] %d simulated nodes registered through B in %.1f s%n", NODES,
                (System.nanoTime() - t1) / 1e9);
    }

    private Replica startReplica(String name, Path jar, Path target) throws IOException {
        Path dir = Files.createTempDirectory("everynode-scale-" + name);
        Path log = target.resolve("scale-out-" + name + ".log");
        int port = PackagedService.freePort();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                // One line per reconcile pass (creates, deletes): which replica did the work.
                "--logging.level.dev.everynode.reconcile.DaemonSetReconciler=DEBUG")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        PackagedService.environment(env, db, port, adminToken, bootstrapToken);
        // Only notices may make progress here: the periodic resync never runs within the test.
        env.put("EVERYNODE_RECONCILE_RESYNC_PERIOD", "10m");
        env.put("EVERYNODE_NODES_HEARTBEAT_INTERVAL", "2s");
        env.put("EVERYNODE_NODES_GRACE_PERIOD", "20s");
        return new Replica(name, port, pb.start(), log);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (simulator != null) {
            System.out.println("[scale-out] simulator: " + simulator.observations().summary());
            simulator.close();
        }
        for (Replica r : new Replica[] {a, b}) {
            if (r != null && r.process().isAlive()) {
                r.process().destroy();
            }
        }
        for (Replica r : new Replica[] {a, b}) {
            if (r != null && !r.process().waitFor(20, TimeUnit.SECONDS)) {
                r.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (sql != null) {
            sql.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1. the API on either replica

    @Test
    @Order(1)
    void apiOnEitherReplica() {
        // Written through A, read through B.
        createdAt = System.nanoTime();
        Response created = send(a, "POST", DS_PATH, daemonSet(SCALE, V1, false), "application/json");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        JsonNode viaB = send(b, "GET", DS_PATH + "/" + SCALE, null, null).ok();
        assertThat(uid(viaB)).isEqualTo(uid(created.body()));
        assertThat(viaB.path("metadata").path("generation").asLong()).isEqualTo(1);
        assertThat(viaB.path("spec")).isEqualTo(created.body().path("spec"));
        assertThat(rv(viaB)).as("B reads A's committed write or a later one").isGreaterThanOrEqualTo(rv(created.body()));
        awaitSameResourceVersion(SCALE);

        // Written through B, read through A. "idle" selects no node, so it never gets pods or a status change.
        Response idle = send(b, "POST", DS_PATH, daemonSet(IDLE, V1, true), "application/json");
        assertThat(idle.status()).as(idle.raw()).isEqualTo(201);
        JsonNode viaA = send(a, "GET", DS_PATH + "/" + IDLE, null, null).ok();
        assertThat(uid(viaA)).isEqualTo(uid(idle.body()));
        assertThat(viaA.path("spec")).isEqualTo(idle.body().path("spec"));
        String stable = awaitSameResourceVersion(IDLE);

        // A write through A is visible through B at once, with the very same resourceVersion.
        Response patched = send(a, "PATCH", DS_PATH + "/" + IDLE,
                Json.parseObject("{\"metadata\": {\"labels\": {\"written-through\": \"a\"}}}"),
                "application/merge-patch+json");
        assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
        assertThat(patched.body().path("metadata").path("resourceVersion").asString()).isNotEqualTo(stable);
        JsonNode afterPatch = send(b, "GET", DS_PATH + "/" + IDLE, null, null).ok();
        assertThat(afterPatch.path("metadata").path("labels").path("written-through").asString()).isEqualTo("a");
        assertThat(afterPatch.path("metadata").path("resourceVersion").asString())
                .isEqualTo(patched.body().path("metadata").path("resourceVersion").asString());

        // The lists agree too.
        assertThat(names(send(a, "GET", DS_PATH, null, null).ok())).containsExactly(IDLE, SCALE);
        assertThat(names(send(b, "GET", DS_PATH, null, null).ok())).containsExactly(IDLE, SCALE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. one pod per node, created once, whichever replica reconciled

    @Test
    @Order(2)
    void onePodPerNodeAndNoDuplicatedWork() throws Exception {
        try (PodMonitor monitor = monitor(o -> {
            Set<String> doubled = o.doubled();
            return doubled.isEmpty() ? null : "two live pods on a node: " + doubled;
        })) {
            // Through B, where the agents are: every node runs a Ready pod of the DaemonSet written through A.
            awaitTrue("a Ready pod of " + SCALE + " on each of the " + NODES + " nodes, seen through B", () -> {
                List<JsonNode> pods = livePods(b);
                return pods.size() == NODES && nodesOf(pods).equals(nodes) && pods.stream().allMatch(ScaleOutIT::ready);
            });
            System.out.printf("[scale-out] %d Ready pods %.1f s after the DaemonSet was created through A%n", NODES,
                    (System.nanoTime() - createdAt) / 1e9);
            awaitTrue("DaemonSet status through A: 20 desired, updated and available", () -> {
                JsonNode ds = send(a, "GET", DS_PATH + "/" + SCALE, null, null).body();
                JsonNode s = ds.path("status");
                return s.path("observedGeneration").asLong() == ds.path("metadata").path("generation").asLong()
                        && s.path("desiredNumberScheduled").asInt() == NODES
                        && s.path("updatedNumberScheduled").asInt() == NODES
                        && s.path("numberAvailable").asInt() == NODES;
            });
            // The pods may all be Ready before the monitor's first look: let it look at least once.
            awaitTrue("the invariant monitor looked at least once", () -> monitor.observations() > 0);
            assertThat(monitor.violations()).isEmpty();
        }

        // Exactly one live pod per node in the database...
        Map<String, Integer> live = new TreeMap<>();
        Set<String> hashes = new TreeSet<>();
        for (PodRow p : PodMonitor.observe(sqlTemplate, SCALE_PODS).pods()) {
            if (p.live()) {
                live.merge(p.node(), 1, Integer::sum);
                hashes.add(p.hash());
            }
        }
        assertThat(live.keySet()).isEqualTo(nodes);
        assertThat(live.values()).containsOnly(1);
        assertThat(hashes).hasSize(1);
        v1Hash = hashes.iterator().next();
        // ... and none was ever created twice: both replicas reconcile, but never the same DaemonSet at once.
        Map<String, Map<String, Integer>> created = created();
        assertThat(created.keySet()).isEqualTo(nodes);
        assertThat(created.values()).allSatisfy(perHash -> assertThat(perHash).isEqualTo(Map.of(v1Hash, 1)));
        System.out.println("[scale-out] initial pods created per replica (from the pass logs): " + passes());
    }

    // ---------------------------------------------------------------------------------------------------------
    // 3. a replica killed in the middle of a rollout

    @Test
    @Order(3)
    void killedReplicaMidRollout() throws Exception {
        assertThat(v1Hash).as("the DaemonSet rolled out in step 2").isNotNull();
        long errorsBefore = simulator.observations().errors();
        AtomicInteger maxUnavailable = new AtomicInteger();
        AtomicInteger maxNewPods = new AtomicInteger();
        // Availability as the planner counts it with minReadySeconds 0: a node is available when it has a live
        // (not terminating) pod with Ready=True. Nodes only lose it by the reconciler's deletions, which are
        // planned under the DaemonSet's lock from committed state, so every committed state must respect it.
        try (PodMonitor monitor = monitor(o -> {
            Set<String> down = o.unavailable(nodes);
            maxUnavailable.accumulateAndGet(down.size(), Math::max);
            maxNewPods.accumulateAndGet((int) o.pods().stream().filter(p -> p.live() && !v1Hash.equals(p.hash())).count(),
                    Math::max);
            if (down.size() > MAX_UNAVAILABLE) {
                return "more than maxUnavailable=" + MAX_UNAVAILABLE + " nodes without an available pod: " + down;
            }
            Set<String> doubled = o.doubled();
            return doubled.isEmpty() ? null : "two live pods on a node without surge: " + doubled;
        })) {
            long generation = send(a, "GET", DS_PATH + "/" + SCALE, null, null).ok()
                    .path("metadata").path("generation").asLong();
            long t0 = System.nanoTime();
            Response patched = send(a, "PATCH", DS_PATH + "/" + SCALE,
                    Json.parseObject("{\"spec\": {\"template\": {\"spec\": {\"containers\": "
                            + "[{\"name\": \"app\", \"image\": \"" + V2 + "\"}]}}}}"),
                    "application/merge-patch+json");
            assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
            long newGeneration = patched.body().path("metadata").path("generation").asLong();
            assertThat(newGeneration).isEqualTo(generation + 1);

            // Kill A once the rollout is under way: at least two waves on the new revision, three still to go.
            Observation[] atKill = new Observation[1];
            awaitTrue("the rollout under way (>= 4 new pods, >= 6 old ones)", Duration.ofMillis(10),
                    () -> "last observation: " + atKill[0], () -> {
                Observation o = PodMonitor.observe(sqlTemplate, SCALE_PODS);
                long fresh = o.pods().stream().filter(p -> p.live() && !v1Hash.equals(p.hash())).count();
                long old = o.pods().stream().filter(p -> p.live() && v1Hash.equals(p.hash())).count();
                atKill[0] = o;
                return fresh >= 2L * MAX_UNAVAILABLE && old >= 3L * MAX_UNAVAILABLE;
            });
            a.process().destroyForcibly();
            long killedAt = System.nanoTime();
            assertThat(a.process().waitFor(10, TimeUnit.SECONDS)).as("A exited after SIGKILL").isTrue();
            Observation before = atKill[0];
            long newAtKill = before.pods().stream().filter(p -> p.live() && !v1Hash.equals(p.hash())).count();
            long oldAtKill = before.pods().stream().filter(p -> p.live() && v1Hash.equals(p.hash())).count();
            System.out.printf("[scale-out] killed A (exit %d) %.2f s into the rollout: %d pods on the new revision, "
                            + "%d on the old one, %d terminating%n", a.process().exitValue(), (killedAt - t0) / 1e9,
                    newAtKill, oldAtKill, before.pods().stream().filter(p -> !p.live()).count());
            assertThat(newAtKill).as("the rollout was not finished when A died").isLessThan(NODES);

            // B finishes alone: no resync within the test, so only B's own triggers (agents' reports) can drive it.
            String[] last = new String[1];
            awaitTrue("B finishing the rollout", Duration.ofMillis(100), () -> "last status through B: " + last[0], () -> {
                JsonNode ds = send(b, "GET", DS_PATH + "/" + SCALE, null, null).body();
                JsonNode s = ds.path("status");
                last[0] = s.toString();
                return s.path("observedGeneration").asLong() == newGeneration
                        && s.path("desiredNumberScheduled").asInt() == NODES
                        && s.path("updatedNumberScheduled").asInt() == NODES
                        && s.path("numberAvailable").asInt() == NODES;
            });
            long statusDoneAt = System.nanoTime();
            awaitTrue("20 Ready pods on the new revision through B", () -> {
                List<JsonNode> pods = livePods(b);
                return pods.size() == NODES && nodesOf(pods).equals(nodes) && pods.stream().allMatch(ScaleOutIT::ready)
                        && pods.stream().noneMatch(p -> v1Hash.equals(hashOf(p)));
            });
            long podsDoneAt = System.nanoTime();
            System.out.printf("[scale-out] B finished the rollout %.2f s after A died (status complete after %.2f s); "
                            + "whole rollout %.2f s%n", (podsDoneAt - killedAt) / 1e9, (statusDoneAt - killedAt) / 1e9,
                    (podsDoneAt - t0) / 1e9);

            assertThat(monitor.violations()).isEmpty();
            System.out.printf("[scale-out] monitor: %d observations, at most %d nodes unavailable, at most %d new pods%n",
                    monitor.observations(), maxUnavailable.get(), maxNewPods.get());
            assertThat(monitor.observations()).isGreaterThan(20);
            assertThat(maxUnavailable.get()).as("the rollout replaced pods while observed").isBetween(1, MAX_UNAVAILABLE);
            assertThat(maxNewPods.get()).isEqualTo(NODES);
        }

        // The final state, through B and in the database.
        List<JsonNode> pods = livePods(b);
        assertThat(pods).hasSize(NODES).allSatisfy(p -> {
            assertThat(p.path("spec").path("containers").get(0).path("image").asString()).isEqualTo(V2);
            assertThat(ready(p)).isTrue();
        });
        Set<String> hashes = pods.stream().map(ScaleOutIT::hashOf).collect(Collectors.toSet());
        assertThat(hashes).hasSize(1).doesNotContain(v1Hash);
        String v2Hash = hashes.iterator().next();
        Observation end = PodMonitor.observe(sqlTemplate, SCALE_PODS);
        assertThat(end.pods()).as("no pod left terminating").allMatch(PodRow::live);
        assertThat(end.pods().stream().map(PodRow::node).toList()).hasSize(NODES).containsExactlyInAnyOrderElementsOf(nodes);
        // One v2 pod created per node, in spite of the kill: no pass of A was half applied, none repeated by B.
        Map<String, Map<String, Integer>> created = created();
        assertThat(created.keySet()).isEqualTo(nodes);
        assertThat(created.values()).allSatisfy(perHash -> assertThat(perHash).isEqualTo(Map.of(v1Hash, 1, v2Hash, 1)));
        // The agents on B never noticed that A died.
        assertThat(simulator.observations().errors()).as("agent errors: %s", simulator.observations().errorKinds())
                .isEqualTo(errorsBefore);
        System.out.println("[scale-out] pods created and deleted per replica in total (from the pass logs): " + passes());
    }

    // ---------------------------------------------------------------------------------------------------------
    // the database monitor

    /** Checks an invariant on every observation of the DaemonSet's pods, on connections of its own. */
    private PodMonitor monitor(Function<Observation, String> check) {
        return new PodMonitor(new JdbcTemplate(new SimpleDriverDataSource(new org.postgresql.Driver(), db.url(),
                db.username(), db.password())), SCALE_PODS, check);
    }

    /** Pods ever created for the DaemonSet: node -> revision hash -> how many. */
    private Map<String, Map<String, Integer>> created() throws SQLException {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        try (PreparedStatement ps = sql.prepareStatement(CREATED_QUERY); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString("node"), n -> new TreeMap<>())
                        .put(rs.getString("hash"), rs.getInt("created"));
            }
        }
        return out;
    }

    /** Creates and deletes of the DaemonSet's reconcile passes, per replica, from their logs (for the report). */
    private Map<String, String> passes() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Replica r : List.of(a, b)) {
            int passes = 0;
            int creates = 0;
            int deletes = 0;
            for (String line : Files.readAllLines(r.log(), StandardCharsets.UTF_8)) {
                Matcher m = PASS.matcher(line);
                if (m.find()) {
                    passes++;
                    creates += Integer.parseInt(m.group(1));
                    deletes += Integer.parseInt(m.group(2));
                }
            }
            out.put(r.name().toUpperCase(), "%d passes, %d creates, %d deletes".formatted(passes, creates, deletes));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // the API

    private static tools.jackson.databind.node.ObjectNode daemonSet(String name, String image, boolean nowhere) {
        String nodeSelector = nowhere ? ", \"nodeSelector\": {\"everynode.dev/no-such-node\": \"true\"}" : "";
        return Json.parseObject("""
                {"apiVersion": "apps/v1", "kind": "DaemonSet",
                 "metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {"selector": {"matchLabels": {"name": "%s"}},
                          "updateStrategy": {"type": "RollingUpdate",
                                             "rollingUpdate": {"maxUnavailable": %d, "maxSurge": 0}},
                          "template": {"metadata": {"labels": {"name": "%s"}},
                                       "spec": {"containers": [{"name": "app", "image": "%s"}]%s}}}}
                """.formatted(name, NS, name, MAX_UNAVAILABLE, name, image, nodeSelector));
    }

    private record Response(int status, JsonNode body, String raw) {
        JsonNode ok() {
            assertThat(status).as(raw).isEqualTo(200);
            return body;
        }
    }

    private Response send(Replica replica, String method, String path, JsonNode body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(replica.url(path)))
                .header("Authorization", "Bearer " + adminToken).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(10));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", contentType)
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode parsed;
            try {
                parsed = Json.MAPPER.readTree(response.body());
            } catch (RuntimeException notJson) {
                parsed = Json.object();
            }
            return new Response(response.statusCode(), parsed, method + " " + path + " -> " + response.statusCode()
                    + " " + response.body());
        } catch (IOException e) {
            return new Response(-1, Json.object(), method + " " + path + " -> " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until both replicas serve the object with one resourceVersion; returns it. */
    private String awaitSameResourceVersion(String name) {
        String[] rv = new String[1];
        awaitTrue(name + " with the same resourceVersion through A and B", () -> {
            String viaA = send(a, "GET", DS_PATH + "/" + name, null, null).ok()
                    .path("metadata").path("resourceVersion").asString();
            String viaB = send(b, "GET", DS_PATH + "/" + name, null, null).ok()
                    .path("metadata").path("resourceVersion").asString();
            rv[0] = viaA;
            return !viaA.isEmpty() && viaA.equals(viaB);
        });
        return rv[0];
    }

    /** The DaemonSet's pods not being deleted, through a replica's API. */
    private List<JsonNode> livePods(Replica replica) {
        List<JsonNode> pods = new ArrayList<>();
        send(replica, "GET", PODS, null, null).body().path("items").forEach(p -> {
            if (!p.path("metadata").has("deletionTimestamp")) {
                pods.add(p);
            }
        });
        return pods;
    }

    private static boolean ready(JsonNode pod) {
        if (!"Running".equals(pod.path("status").path("phase").asString())) {
            return false;
        }
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asString()) && "True".equals(c.path("status").asString())) {
                return true;
            }
        }
        return false;
    }

    private static String hashOf(JsonNode pod) {
        return pod.path("metadata").path("labels").path("controller-revision-hash").asString();
    }

    private static Set<String> nodesOf(List<JsonNode> pods) {
        return pods.stream().map(p -> p.path("spec").path("nodeName").asString())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.path("items").forEach(i -> out.add(i.path("metadata").path("name").asString()));
        return out;
    }

    private static String uid(JsonNode object) {
        return object.path("metadata").path("uid").asString();
    }

    private static long rv(JsonNode object) {
        return Long.parseLong(object.path("metadata").path("resourceVersion").asString());
    }

    // ---------------------------------------------------------------------------------------------------------
    // plumbing

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(String what, Condition condition) {
        awaitTrue(what, Duration.ofMillis(100), () -> "", condition);
    }

    private static void awaitTrue(String what, Duration every, Condition condition) {
        awaitTrue(what, every, () -> "", condition);
    }

    private static void awaitTrue(String what, Duration every, Supplier<String> lastSeen, Condition condition) {
        try {
            dev.everynode.support.Await.await(what).pollInterval(every).atMost(WAIT).until(condition::holds);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what
                    + (lastSeen.get().isEmpty() ? "" : "; " + lastSeen.get()));
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("failed while waiting for " + what, e);
        }
    }

    private void awaitReady(Replica replica, Duration timeout) throws IOException, InterruptedException {
        PackagedService.awaitReady("replica " + replica.name(), replica.process(), replica.log(), http,
                URI.create(replica.url("/actuator/health/readiness")), adminToken, timeout);
    }
}
