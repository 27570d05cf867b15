package dev.everynode.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Watches pods straight from the database (one consistent SELECT per observation, every ~50 ms) and checks an
 * invariant on each observation; violations are collected and asserted by the test at the end. Used by the
 * rollout tests (in-process) and the scale-out test (replica processes). {@link #followStatus} adds the "no lost
 * follow-up" invariant: a DaemonSet's status counters match its pods within an allowance of any change.
 */
public final class PodMonitor implements AutoCloseable {

    /** One pod as observed: live = not terminating; ready = condition Ready=True. */
    public record PodRow(String name, String node, String hash, boolean terminating, String phase, boolean ready) {
        public boolean live() {
            return !terminating;
        }
    }

    /** All pods of the observation, grouped by node (sorted by node name). */
    public record Observation(List<PodRow> pods) {
        public Map<String, List<PodRow>> byNode() {
            Map<String, List<PodRow>> out = new TreeMap<>();
            pods.forEach(p -> out.computeIfAbsent(p.node(), n -> new ArrayList<>()).add(p));
            return out;
        }

        public List<PodRow> live(String node) {
            return pods.stream().filter(p -> node.equals(p.node()) && p.live()).toList();
        }

        /** Nodes in {@code nodes} without a live Ready pod. */
        public Set<String> unavailable(Set<String> nodes) {
            Set<String> out = new TreeSet<>();
            for (String n : nodes) {
                if (live(n).stream().noneMatch(PodRow::ready)) {
                    out.add(n);
                }
            }
            return out;
        }

        /** Nodes with two or more live pods. */
        public Set<String> doubled() {
            Set<String> out = new TreeSet<>();
            byNode().forEach((n, ps) -> {
                if (ps.stream().filter(PodRow::live).count() > 1) {
                    out.add(n);
                }
            });
            return out;
        }
    }

    /** The pods of the rollout tests' DaemonSets. */
    public static final String KUBE_SYSTEM = "namespace = 'kube-system'";

    /** The pods of one namespace (a test's own: {@code IntegrationTest.namespace}). */
    public static String inNamespace(String namespace) {
        return "namespace = '" + namespace + "'";
    }

    private static final String QUERY = """
            SELECT name, node_name, revision_hash, deletion_ts IS NOT NULL AS terminating,
                   body->'status'->>'phase' AS phase,
                   EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(body->'status'->'conditions', '[]'::jsonb)) c
                           WHERE c->>'type' = 'Ready' AND c->>'status' = 'True') AS ready
            FROM objects WHERE kind = 'Pod' AND\s""";

    private final JdbcTemplate jdbc;
    private final String where;
    private final Function<Observation, String> check;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private final List<StatusFollows> statusChecks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile int observations;
    private volatile boolean tolerateOutages;
    private volatile int outages;
    private final java.util.concurrent.atomic.AtomicLong violationCount = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param where which pods (an SQL condition on the objects table, e.g. {@link #KUBE_SYSTEM})
     * @param check returns null when the observation is fine, else a description of the violation
     */
    public PodMonitor(JdbcTemplate jdbc, String where, Function<Observation, String> check) {
        this.jdbc = jdbc;
        this.where = where;
        this.check = check;
        this.thread = new Thread(this::loop, "pod-monitor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** One observation now, also for the test's own checks. */
    public Observation observe() {
        return observe(jdbc, where);
    }

    public static Observation observe(JdbcTemplate jdbc, String where) {
        return new Observation(jdbc.query(QUERY + where, (rs, i) -> new PodRow(rs.getString("name"), rs.getString("node_name"),
                rs.getString("revision_hash"), rs.getBoolean("terminating"), rs.getString("phase"),
                rs.getBoolean("ready"))));
    }

    /**
     * Also checks, on every observation, that the status of DaemonSet {@code namespace/name} is what its pods and
     * the nodes say (every node eligible; numberAvailable only when minReadySeconds is 0) no later than
     * {@code allowance} after the world last changed: a pass whose follow-up is lost leaves a stale status.
     */
    public PodMonitor followStatus(String namespace, String name, java.time.Duration allowance) {
        statusChecks.add(new StatusFollows(jdbc, namespace, name, allowance));
        return this;
    }

    private void loop() {
        while (running) {
            try {
                Observation o = observe();
                String violation = check.apply(o);
                observations++;
                if (violation != null) {
                    violationCount.incrementAndGet();
                    if (violations.size() < 20) {
                        violations.add(violation + (o.pods().size() <= 50 ? " in " + o.pods() : ""));
                    }
                }
                for (StatusFollows follows : statusChecks) {
                    String stale = follows.check();
                    if (stale != null && violations.size() < 20) {
                        violations.add(stale);
                    }
                }
                Thread.sleep(50); // pacing: one observation every 50 ms
            } catch (InterruptedException e) {
                return;
            } catch (org.springframework.dao.DataAccessException e) {
                if (tolerateOutages && running) {
                    outages++;
                    sleepQuietly(200);
                } else if (running) {
                    violations.add("monitor failed: " + e);
                }
            } catch (RuntimeException e) {
                if (running) {
                    violations.add("monitor failed: " + e);
                }
            }
        }
    }

    /**
     * For fault tests: an observation that fails because the database is gone (stopped, restarting) is skipped and
     * counted ({@link #outages()}), not reported as a violation.
     */
    public PodMonitor toleratingDatabaseOutages() {
        tolerateOutages = true;
        return this;
    }

    public int outages() {
        return outages;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int observations() {
        return observations;
    }

    /** Every violation seen, also those past the first 20 kept as messages. */
    public long violationCount() {
        return violationCount.get();
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The status counters Kubernetes' {@code updateDaemonSetStatus} gives when every node is eligible, computed
     * independently from one consistent read of the DaemonSet, its newest revision, its pods and the nodes, and
     * compared with the stored status. A mismatch is a violation once the expected counters have stayed the same
     * for longer than the allowance (a world that keeps changing is allowed to be caught up with).
     */
    private static final class StatusFollows {

        private static final String QUERY = """
                SELECT ds.body->'status' AS status, COALESCE((ds.body->'spec'->>'minReadySeconds')::int, 0) AS min_ready,
                  (SELECT r.body->'metadata'->'labels'->>'controller-revision-hash' FROM objects r
                   WHERE r.kind = 'ControllerRevision' AND r.owner_uid = ds.uid
                   ORDER BY (r.body->>'revision')::bigint DESC LIMIT 1) AS hash,
                  (SELECT COALESCE(json_agg(n.name), '[]') FROM objects n WHERE n.kind = 'Node') AS nodes,
                  (SELECT COALESCE(json_agg(json_build_object('node', p.node_name, 'name', p.name,
                          'created', p.created_at, 'terminating', p.deletion_ts IS NOT NULL,
                          'phase', p.body->'status'->>'phase', 'hash', p.revision_hash,
                          'ready', EXISTS (SELECT 1 FROM jsonb_array_elements(
                                  COALESCE(p.body->'status'->'conditions', '[]'::jsonb)) c
                                  WHERE c->>'type' = 'Ready' AND c->>'status' = 'True'))
                          ORDER BY p.created_at, p.name), '[]')
                   FROM objects p WHERE p.kind = 'Pod' AND p.owner_uid = ds.uid) AS pods
                FROM objects ds WHERE ds.kind = 'DaemonSet' AND ds.namespace = ? AND ds.name = ?""";

        private final JdbcTemplate jdbc;
        private final String namespace;
        private final String name;
        private final java.time.Duration allowance;
        private Map<String, Integer> expected;
        private long expectedSince;
        private boolean reported;

        StatusFollows(JdbcTemplate jdbc, String namespace, String name, java.time.Duration allowance) {
            this.jdbc = jdbc;
            this.namespace = namespace;
            this.name = name;
            this.allowance = allowance;
        }

        String check() {
            List<Map<String, Object>> rows = jdbc.queryForList(QUERY, namespace, name);
            if (rows.isEmpty()) {
                expected = null;
                return null;
            }
            Map<String, Object> row = rows.get(0);
            var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
            var status = row.get("status") == null ? mapper.createObjectNode() : mapper.readTree(row.get("status").toString());
            Set<String> nodes = new TreeSet<>();
            mapper.readTree(row.get("nodes").toString()).forEach(n -> nodes.add(n.asString()));
            Map<String, tools.jackson.databind.JsonNode> oldest = new TreeMap<>();
            Set<String> withPods = new TreeSet<>();
            for (var pod : mapper.readTree(row.get("pods").toString())) {
                String phase = pod.path("phase").asString("");
                boolean terminal = phase.equals("Failed") || phase.equals("Succeeded");
                String node = pod.path("node").asString("");
                if (!nodes.contains(node) || (pod.path("terminating").asBoolean() && terminal)) {
                    continue;
                }
                withPods.add(node);
                oldest.putIfAbsent(node, pod);
            }
            String hash = (String) row.get("hash");
            boolean minReady = ((Number) row.get("min_ready")).intValue() > 0;
            Map<String, Integer> want = new TreeMap<>();
            want.put("desiredNumberScheduled", nodes.size());
            want.put("currentNumberScheduled", withPods.size());
            want.put("numberMisscheduled", 0);
            int ready = (int) oldest.values().stream().filter(p -> p.path("ready").asBoolean()).count();
            want.put("numberReady", ready);
            if (!minReady) {
                want.put("numberAvailable", ready);
            }
            want.put("updatedNumberScheduled",
                    (int) oldest.values().stream().filter(p -> p.path("hash").asString("").equals(hash)).count());
            long now = System.nanoTime();
            if (!want.equals(expected)) {
                expected = want;
                expectedSince = now;
                reported = false;
            }
            Map<String, Integer> got = new TreeMap<>();
            want.keySet().forEach(k -> got.put(k, status.path(k).asInt(0)));
            if (got.equals(want) || reported || now - expectedSince <= allowance.toNanos()) {
                return null;
            }
            reported = true;
            return "status of " + namespace + "/" + name + " is " + got + " but its pods have said " + want
                    + " for " + (now - expectedSince) / 1_000_000 + " ms";
        }
    }
}
