package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import dev.everynode.support.PodMonitor;
import dev.everynode.support.TestAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every pass gets the follow-up it needs, without the periodic resync (the shared test context resyncs every
 * 10 minutes, so a lost follow-up shows): a failed pod is replaced after its node's backoff, a crash loop backs off
 * 1, 2, 4, 8 s, and a pass's status counts the pods it created and deleted. No agent: pod status is written
 * through the API, as a user or a custom agent would; the fleet simulator plays crash-looping nodes at the end.
 */
class FollowUpTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";

    @Test
    void aFailedPodOnAReadyNodeIsReplacedAtOnceNotAtTheResync() {
        for (String n : List.of("node-a", "node-b", "node-c")) {
            assertThat(api.post("/api/v1/nodes", Fixtures.node(n)).status()).isEqualTo(201);
        }
        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> null)
                .followStatus(namespace, "fluentd", Duration.ofSeconds(1))) {
            assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
            Await.until("3 pods", Duration.ofSeconds(10), () -> livePods().size() == 3);
            new TestAgent(api).step(Set.of("node-a", "node-b", "node-c"), TestAgent.Outcome.READY);
            Await.until("3 ready", Duration.ofSeconds(10), () -> status().path("numberReady").asInt() == 3);

            String failed = livePods().get("node-a");
            long reported = System.nanoTime();
            reportFailed(failed);
            Await.until("a replacement on node-a", Duration.ofSeconds(5),
                    () -> {
                        String now = livePods().get("node-a");
                        return now != null && !now.equals(failed);
                    });
            long ms = (System.nanoTime() - reported) / 1_000_000;
            System.out.println("failed pod report to replacement committed: " + ms + " ms");
            assertThat(ms).as("first failure: no backoff, replacement within 2 s").isLessThanOrEqualTo(2000);
            Await.until("status current=3 ready=2", Duration.ofSeconds(2), () -> status().path("currentNumberScheduled")
                    .asInt() == 3 && status().path("numberReady").asInt() == 2);
            assertThat(monitor.violations()).isEmpty();
            assertThat(events("FailedDaemonPod")).hasSize(1);
        }
    }

    @Test
    void aCrashLoopBacksOffOneTwoFourEightSecondsAndTheBackoffIsStored() throws Exception {
        assertThat(api.post("/api/v1/nodes", Fixtures.node("node-a")).status()).isEqualTo(201);
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        // Every incarnation fails as soon as it is seen; record when each one appeared.
        Map<String, Long> appeared = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> null)
                .followStatus(namespace, "fluentd", Duration.ofSeconds(1))) {
            while (System.nanoTime() - start < Duration.ofSeconds(17).toNanos()) {
                String pod = livePods().get("node-a");
                if (pod != null && !appeared.containsKey(pod)) {
                    appeared.put(pod, System.nanoTime());
                    reportFailed(pod);
                }
                Thread.sleep(20); // pacing: one sample every 20 ms through the whole window measured
            }
            assertThat(monitor.violations()).isEmpty();
        }
        List<Long> times = new ArrayList<>(appeared.values());
        List<Double> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add((times.get(i) - times.get(i - 1)) / 1e9);
        }
        System.out.println("crash loop over 17 s: " + times.size() + " incarnations, gaps (s) " + gaps.stream()
                .map(g -> String.format(java.util.Locale.ROOT, "%.2f", g)).toList());
        // incarnation 0 fails unbacked (replaced at once), then 1, 2, 4, 8 s between the deletions
        assertThat(times).hasSize(6);
        assertThat(gaps.get(0)).isLessThan(1.0);
        double[] backoff = {1, 2, 4, 8};
        for (int i = 0; i < backoff.length; i++) {
            assertThat(gaps.get(i + 1)).as("gap %d", i + 1).isBetween(backoff[i] - 0.2, backoff[i] + 0.8);
        }
        // In PostgreSQL: every replica, and this one after a restart, reads the same delay (5 deletions: 16 s).
        assertThat(jdbc.queryForObject("SELECT delay_ms FROM pod_backoff WHERE node_name = 'node-a'", Long.class))
                .isEqualTo(16_000L);
    }

    @Test
    void twoThousandNodesWithoutAgentsHaveTheirStatusWithTheirPods() throws Exception {
        int n = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> posts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "node-%05d".formatted(i);
                posts.add(pool.submit(() -> api.post("/api/v1/nodes", Fixtures.node(name)).status()));
            }
            for (Future<Integer> f : posts) {
                assertThat(f.get()).isEqualTo(201);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        Await.until("2,000 pods", Duration.ofSeconds(30), () -> podCount() == n);
        long allPods = System.nanoTime();
        Await.until("status current=2,000", Duration.ofSeconds(5),
                () -> status().path("currentNumberScheduled").asInt() == n);
        long ms = (System.nanoTime() - allPods) / 1_000_000;
        System.out.println("2,000 nodes, no agents: status current=2,000 " + ms + " ms after the test saw all pods");
        assertThat(ms).as("status within 1 s of the last pod's commit").isLessThanOrEqualTo(1000);
        JsonNode s = status();
        assertThat(s.path("desiredNumberScheduled").asInt()).isEqualTo(n);
        assertThat(s.path("updatedNumberScheduled").asInt()).isEqualTo(n);
        assertThat(s.path("numberUnavailable").asInt()).isEqualTo(n);
    }

    @Test
    void aCrashLoopingNodeOfTheFleetSimulatorBacksOffAndHealthyOnesKeepTheirPod() throws Exception {
        // The DaemonSet first, so that its revision is known: then a seed that makes exactly one of the ten nodes
        // crash-loop (several failing nodes would start passes for each other and hide a lost follow-up).
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        String hash = Await.value("the revision", Duration.ofSeconds(10), this::revisionHash);
        List<String> names = java.util.stream.IntStream.rangeClosed(1, 10).mapToObj("loop-%05d"::formatted).toList();
        long seed = java.util.stream.LongStream.range(1, 10_000).filter(s -> names.stream().filter(node ->
                FleetSimulator.outcome(s, 0.1, 0, node, hash) == FleetSimulator.Outcome.FAILED).count() == 1)
                .findFirst().orElseThrow();
        String failing = names.stream().filter(node ->
                FleetSimulator.outcome(seed, 0.1, 0, node, hash) == FleetSimulator.Outcome.FAILED).findFirst().orElseThrow();
        SimulatorConfig config = SimulatorConfig.builder("http://localhost:" + port).token(BOOTSTRAP_TOKEN)
                .prefix("loop").nodes(10).waitSeconds(30).startDelay(Duration.ofMillis(50))
                .reportBatch(Duration.ofMillis(50)).failFraction(0.1).seed(seed).concurrency(16).workerThreads(2)
                .heartbeat(Duration.ofSeconds(1)).build();
        try (FleetSimulator sim = FleetSimulator.start(config);
             PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace),
                     o -> o.doubled().isEmpty() ? null : "two live pods on " + o.doubled())) {
            assertThat(sim.nodeNames()).containsExactlyInAnyOrderElementsOf(names);
            Map<String, java.util.Set<String>> incarnations = new TreeMap<>();
            Await.until("a pod on " + failing, Duration.ofSeconds(20),
                    () -> monitor.observe().pods().stream().anyMatch(p -> p.node().equals(failing)));
            long start = System.nanoTime();
            while (System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
                for (PodMonitor.PodRow p : monitor.observe().pods()) {
                    incarnations.computeIfAbsent(p.node(), k -> new java.util.TreeSet<>()).add(p.name());
                }
                Thread.sleep(20); // pacing: one sample every 20 ms through the whole window measured
            }
            System.out.println("fleet simulator, 10 s: incarnations per node " + incarnations.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue().size()).toList() + ", crash-looping " + failing);
            for (String node : names) {
                int count = incarnations.getOrDefault(node, java.util.Set.of()).size();
                if (node.equals(failing)) {
                    // at about 0, 0, 1, 3 and 7 s: five in 10 s (without its follow-ups: one)
                    assertThat(count).as("incarnations on crash-looping %s", node).isBetween(4, 6);
                } else {
                    assertThat(count).as("incarnations on healthy %s", node).isEqualTo(1);
                }
            }
            assertThat(monitor.violations()).isEmpty();
        }
    }

    private String revisionHash() {
        JsonNode items = api.get("/apis/apps/v1/namespaces/" + namespace + "/controllerrevisions").json().path("items");
        return items.isEmpty() ? null
                : items.get(0).path("metadata").path("labels").path("controller-revision-hash").asString(null);
    }

    private void reportFailed(String pod) {
        JsonNode current = api.get("/api/v1/namespaces/" + namespace + "/pods/" + pod).json();
        assertThat(api.put("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/status",
                TestAgent.status(current, TestAgent.Outcome.FAILED)).status()).isEqualTo(200);
    }

    /** Node → name of its live (not terminating) fluentd pod, straight from the database. */
    private Map<String, String> livePods() {
        Map<String, String> out = new TreeMap<>();
        jdbc.query("SELECT node_name, name FROM objects WHERE kind = 'Pod' AND namespace = '" + namespace + "' "
                + "AND deletion_ts IS NULL", rs -> {
                    out.put(rs.getString(1), rs.getString(2));
                });
        return out;
    }

    private int podCount() {
        return jdbc.queryForObject("SELECT count(*) FROM objects WHERE kind = 'Pod' AND namespace = '" + namespace + "'",
                Integer.class);
    }

    private JsonNode status() {
        return api.get(DS + "/fluentd").json().path("status");
    }

    private List<JsonNode> events(String reason) {
        return api.get("/api/v1/namespaces/" + namespace + "/events?fieldSelector=reason%3D" + reason).json().path("items")
                .valueStream().toList();
    }
}
