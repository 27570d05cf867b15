package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import dev.everynode.support.PodMonitor;
import dev.everynode.support.PodMonitor.PodRow;
import dev.everynode.support.TestAgent;
import dev.everynode.support.TestAgent.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rolling updates end to end (semantics §4, §5, §10; invariants reliability-notes §3.3): five Ready nodes, the
 * Fluentd DaemonSet, a test agent playing the nodes, and a database monitor checking the safety invariants at
 * every observation (~every 50 ms) while the rollout runs, the status following the pods within a second included.
 */
class RolloutTest extends IntegrationTest {

    private final String NS = "/apis/apps/v1/namespaces/" + namespace;
    private final String DS = NS + "/daemonsets";
    private final String FLUENTD = DS + "/fluentd";
    private final String REVISIONS = NS + "/controllerrevisions?labelSelector=name%3Dfluentd";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The "no lost follow-up" invariant: status matches the pods within a second of any change. */
    private static final Duration STATUS_LAG = Duration.ofSeconds(1);
    private static final String V1 = "fluent/fluentd";
    private static final String V2 = "fluent/fluentd:v2";
    private static final String V3 = "fluent/fluentd:v3";
    private static final String V4 = "fluent/fluentd:v4";
    private static final String PAUSED = "everynode.dev/rollout-paused";
    private static final String PARTITION = "everynode.dev/rollout-partition";
    private static final String DEADLINE = "everynode.dev/progress-deadline-seconds";

    private TestAgent agent;
    private final Set<String> nodes = new TreeSet<>(List.of("node-1", "node-2", "node-3", "node-4", "node-5"));

    @BeforeEach
    void fiveReadyNodes() {
        agent = new TestAgent(api);
        for (String n : nodes) {
            assertThat(api.post("/api/v1/nodes", Fixtures.node(n)).status()).isEqualTo(201);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1. RollingUpdate without surge

    @Test
    void rollingUpdateRespectsMaxUnavailableAndCompletes() {
        create(strategy(2, 0), null);
        String v1Hash = rolledOut();
        assertThat(revisions()).hasSize(1);

        AtomicInteger maxUnavailable = new AtomicInteger();
        AtomicInteger maxOldGone = new AtomicInteger();
        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> {
            Set<String> down = o.unavailable(nodes);
            maxUnavailable.accumulateAndGet(down.size(), Math::max);
            maxOldGone.accumulateAndGet((int) nodes.stream()
                    .filter(n -> o.live(n).stream().noneMatch(p -> v1Hash.equals(p.hash()))).count(), Math::max);
            if (down.size() > 2) {
                return "more than maxUnavailable=2 nodes without an available pod: " + down;
            }
            Set<String> doubled = o.doubled();
            return doubled.isEmpty() ? null : "two live pods on a node without surge: " + doubled;
        }).followStatus(namespace, "fluentd", STATUS_LAG)) {
            setImage(V2);
            driveUntilRolledOut(Outcome.READY);
            assertThat(monitor.violations()).isEmpty();
            assertThat(monitor.observations()).isGreaterThan(2);
            System.out.println("maxUnavailable=2 rollout: " + monitor.observations() + " observations, at most "
                    + maxUnavailable.get() + " nodes unavailable");
        }
        assertThat(maxUnavailable.get()).as("the rollout replaced pods while observed").isGreaterThanOrEqualTo(1);
        assertThat(maxOldGone.get()).isEqualTo(5);

        JsonNode rollout = rollout();
        assertThat(rollout.path("done").asBoolean()).isTrue();
        assertThat(rollout.path("message").asString()).isEqualTo("daemon set \"fluentd\" successfully rolled out\n");
        List<JsonNode> revisions = revisions();
        assertThat(revisions).hasSize(2);
        JsonNode second = revisions.stream().filter(r -> r.path("revision").asLong() == 2).findFirst().orElseThrow();
        String v2Hash = hashOf(second);
        assertThat(v2Hash).isNotEqualTo(v1Hash);
        assertThat(second.path("metadata").path("name").asString()).isEqualTo("fluentd-" + v2Hash);
        assertThat(second.path("data").path("spec").path("template").path("spec").path("containers").path(0)
                .path("image").asString()).isEqualTo(V2);
        assertThat(livePods()).hasSize(5).allSatisfy(p -> {
            assertThat(hashOf(p)).isEqualTo(v2Hash);
            assertThat(p.path("spec").path("containers").path(0).path("image").asString()).isEqualTo(V2);
        });
        JsonNode status = ds().path("status");
        assertThat(status.path("updatedNumberScheduled").asInt()).isEqualTo(5);
        assertThat(status.path("numberAvailable").asInt()).isEqualTo(5);
        assertThat(status.path("observedGeneration").asLong()).isEqualTo(ds().path("metadata").path("generation").asLong());
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. RollingUpdate with surge

    @Test
    void surgeKeepsEveryNodeAvailableAndAtMostTwoDoubledNodes() {
        create(strategy(0, 2), null);
        String v1Hash = rolledOut();

        AtomicInteger maxDoubled = new AtomicInteger();
        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> {
            Set<String> doubled = o.doubled();
            maxDoubled.accumulateAndGet(doubled.size(), Math::max);
            if (doubled.size() > 2) {
                return "more than maxSurge=2 nodes with two live pods: " + doubled;
            }
            Set<String> down = o.unavailable(nodes);
            if (!down.isEmpty()) {
                return "maxUnavailable=0 but nodes without an available pod: " + down;
            }
            for (PodRow p : o.pods()) {
                if (p.terminating() && v1Hash.equals(p.hash())
                        && o.live(p.node()).stream().noneMatch(n -> !v1Hash.equals(n.hash()) && n.ready())) {
                    return "old pod " + p.name() + " deleted before the new pod on " + p.node() + " was available";
                }
            }
            for (Map.Entry<String, List<PodRow>> e : o.byNode().entrySet()) {
                Map<String, Long> perHash = e.getValue().stream().filter(PodRow::live)
                        .collect(Collectors.groupingBy(PodRow::hash, Collectors.counting()));
                if (perHash.values().stream().anyMatch(c -> c > 1)) {
                    return "two live pods of one revision on " + e.getKey();
                }
            }
            return null;
        }).followStatus(namespace, "fluentd", STATUS_LAG)) {
            setImage(V2);
            driveUntilRolledOut(Outcome.READY);
            assertThat(monitor.violations()).isEmpty();
            assertThat(monitor.observations()).isGreaterThan(2);
            System.out.println("maxSurge=2 rollout: " + monitor.observations() + " observations, at most "
                    + maxDoubled.get() + " doubled nodes");
        }
        assertThat(maxDoubled.get()).as("surge pods were observed").isBetween(1, 2);
        String v2Hash = currentHash();
        assertThat(v2Hash).isNotEqualTo(v1Hash);
        assertThat(allPods()).hasSize(5).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(v2Hash));
        assertThat(rollout().path("message").asString()).isEqualTo("daemon set \"fluentd\" successfully rolled out\n");
    }

    // ---------------------------------------------------------------------------------------------------------
    // 3. minReadySeconds

    @Test
    void minReadySecondsDelaysAvailabilityAndTheServerRequeuesItself() throws InterruptedException {
        ObjectNode ds = Fixtures.fluentd(namespace);
        ((ObjectNode) ds.path("spec")).put("minReadySeconds", 2);
        assertThat(api.post(DS, ds).status()).isEqualTo(201);
        Await.until("5 pods", WAIT, () -> livePods().size() == 5);
        // Report just after a second boundary: the agent's transition times have second precision, so every
        // readiness time is >= that boundary and no pod may be available before boundary + 2 s.
        Await.await("just after a second boundary").pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(2))
                .until(() -> System.currentTimeMillis() % 1000 <= 50);
        long boundary = System.currentTimeMillis() / 1000 * 1000;
        assertThat(agent.step(nodes, Outcome.READY)).isEqualTo(5);
        long reported = System.currentTimeMillis();

        java.util.concurrent.atomic.AtomicBoolean sawReadyButUnavailable = new java.util.concurrent.atomic.AtomicBoolean();
        Duration untilBoundaryPlus1800 = Duration.ofMillis(Math.max(0, boundary + 1800 - System.currentTimeMillis()));
        Await.await("not available before minReadySeconds passed").pollInterval(Duration.ofMillis(75))
                .during(untilBoundaryPlus1800).atMost(untilBoundaryPlus1800.plusSeconds(1)).until(() -> {
                    JsonNode s = ds().path("status");
                    assertThat(s.path("numberAvailable").asInt()).as("available before minReadySeconds passed")
                            .isLessThan(5);
                    if (s.path("numberReady").asInt() == 5) {
                        sawReadyButUnavailable.set(true);
                        assertThat(s.path("numberUnavailable").asInt()).isEqualTo(5 - s.path("numberAvailable").asInt());
                    }
                    return true;
                });
        assertThat(sawReadyButUnavailable.get()).as("numberReady=5 while numberAvailable<5").isTrue();
        assertThat(rollout().path("done").asBoolean()).isFalse();

        // No further agent activity: the server must come back by itself once minReadySeconds have passed.
        Await.until("available without new reports", Duration.ofSeconds(8),
                () -> ds().path("status").path("numberAvailable").asInt() == 5);
        long availableAt = System.currentTimeMillis();
        System.out.println("minReadySeconds=2: available " + (availableAt - reported) + " ms after the reports");
        assertThat(availableAt).isGreaterThan(boundary + 2000);
        JsonNode s = ds().path("status");
        assertThat(s.has("numberUnavailable") && s.path("numberUnavailable").asInt() != 0).isFalse();
        assertThat(rollout().path("done").asBoolean()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------
    // 4. New pods never Ready

    @Test
    void brokenImageStallsAfterTheFirstWaveAndExceedsTheProgressDeadline() throws InterruptedException {
        create(strategy(2, 0), Map.of("everynode.dev/progress-deadline-seconds", "2"));
        String v1Hash = rolledOut();
        assertThat(progressing().path("reason").asString()).isEqualTo("RolloutComplete");

        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> {
            Set<String> down = o.unavailable(nodes);
            return down.size() > 2 ? "more than maxUnavailable=2 nodes down: " + down : null;
        }).followStatus(namespace, "fluentd", STATUS_LAG)) {
            setImage(V2);
            Await.until("first wave of 2 new pods reported", WAIT, () -> {
                agent.step(nodes, Outcome.UNREADY);
                return newPodNodes(v1Hash).size() == 2 && allPods().size() == 5
                        && allPods().stream().allMatch(p -> !"Pending".equals(p.path("status").path("phase").asString()));
            });
            Set<String> stuck = newPodNodes(v1Hash);
            Await.throughout("the rollout stalled after the first wave", Duration.ofMillis(2500), () -> {
                agent.step(nodes, Outcome.UNREADY);
                assertThat(newPodNodes(v1Hash)).as("the rollout must stall after the first wave").isEqualTo(stuck);
                assertThat(livePods()).hasSize(5);
            });
            Await.until("Progressing=False ProgressDeadlineExceeded", Duration.ofSeconds(10),
                    () -> "ProgressDeadlineExceeded".equals(progressing().path("reason").asString()));
            JsonNode condition = progressing();
            assertThat(condition.path("status").asString()).isEqualTo("False");
            assertThat(condition.path("message").asString()).contains("has not progressed for 2s");

            JsonNode rollout = rollout();
            assertThat(rollout.path("done").asBoolean()).isFalse();
            assertThat(rollout.path("message").asString())
                    .isEqualTo("Waiting for daemon set \"fluentd\" rollout to finish: 2 out of 5 new pods have been updated...\n");
            assertThat(strings(rollout.path("nodes").path("unavailable"))).isEqualTo(stuck);
            assertThat(newPodNodes(v1Hash)).isEqualTo(stuck);
            JsonNode status = ds().path("status");
            assertThat(status.path("updatedNumberScheduled").asInt()).isEqualTo(2);
            assertThat(status.path("numberAvailable").asInt()).isEqualTo(3);
            assertThat(monitor.violations()).isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 5. Rollback

    @Test
    void rollbackRestoresTheTemplateWithoutRestartingUntouchedPods() {
        create(strategy(2, 0), null);
        String v1Hash = rolledOut();
        ApiClient.Response none = api.post(FLUENTD + "/rollback", Json.parseObject("{\"toRevision\":0}"));
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.json().path("message").asString()).isEqualTo("no last revision to roll back to");

        // A broken v2 stalls after replacing 2 nodes; 3 nodes still run revision 1.
        setImage(V2);
        Await.until("v2 stalled on 2 nodes", WAIT, () -> {
            agent.step(nodes, Outcome.UNREADY);
            return newPodNodes(v1Hash).size() == 2 && allPods().size() == 5 && allPods().stream()
                    .allMatch(p -> !"Pending".equals(p.path("status").path("phase").asString()));
        });
        String v2Hash = currentHash();
        Map<String, String> untouched = new TreeMap<>();
        livePods().stream().filter(p -> v1Hash.equals(hashOf(p)))
                .forEach(p -> untouched.put(nodeOf(p), nameOf(p)));
        assertThat(untouched).hasSize(3);

        ApiClient.Response back = api.post(FLUENTD + "/rollback", Json.parseObject("{\"toRevision\":0}"));
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.json().path("message").asString()).isEqualTo("daemonset.apps/fluentd rolled back");
        assertThat(back.json().path("revision").asLong()).isEqualTo(1);
        assertThat(image(ds())).isEqualTo(V1);

        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> {
            for (Map.Entry<String, String> e : untouched.entrySet()) {
                if (o.live(e.getKey()).stream().noneMatch(p -> p.name().equals(e.getValue()))) {
                    return "revision-1 pod " + e.getValue() + " on " + e.getKey() + " was restarted";
                }
            }
            return null;
        }).followStatus(namespace, "fluentd", STATUS_LAG)) {
            driveUntilRolledOut(Outcome.READY);
            assertThat(monitor.violations()).isEmpty();
        }
        Map<String, String> after = new TreeMap<>();
        livePods().forEach(p -> after.put(nodeOf(p), nameOf(p)));
        assertThat(after).hasSize(5).containsAllEntriesOf(untouched);
        assertThat(livePods()).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(v1Hash));

        Map<String, Long> numbers = revisions().stream().collect(Collectors.toMap(this::hashOf,
                r -> r.path("revision").asLong()));
        assertThat(numbers).as("revision 1 is renumbered to 3").isEqualTo(Map.of(v1Hash, 3L, v2Hash, 2L));
        assertThat(currentHash()).isEqualTo(v1Hash);

        ApiClient.Response skipped = api.post(FLUENTD + "/rollback", Json.parseObject("{\"toRevision\":3}"));
        assertThat(skipped.status()).isEqualTo(200);
        assertThat(skipped.json().path("message").asString())
                .isEqualTo("daemonset.apps/fluentd skipped rollback (current template already matches revision 3)");
        long generation = ds().path("metadata").path("generation").asLong();

        ApiClient.Response missing = api.post(FLUENTD + "/rollback", Json.parseObject("{\"toRevision\":99}"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("message").asString()).isEqualTo("unable to find specified revision 99 in history");
        assertThat(ds().path("metadata").path("generation").asLong()).isEqualTo(generation);
        assertThat(revisions()).hasSize(2);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 6. revisionHistoryLimit

    @Test
    void revisionHistoryLimitKeepsOnlyRevisionsInUseAndTheCurrentOne() {
        ObjectNode strategy = strategy(2, 0);
        create(strategy, Map.of("everynode.dev/rollout-partition", "3"));
        edit(ds -> ((ObjectNode) ds.path("spec")).put("revisionHistoryLimit", 1));
        String v1Hash = rolledOut();

        setImage(V2);
        String v2Hash = awaitPartitionedRollout(v1Hash, 2);
        assertThat(revisionHashes()).containsExactlyInAnyOrder(v1Hash, v2Hash);

        setImage(V3);
        String v3Hash = awaitPartitionedRollout(v1Hash, 2);
        Await.until("revision 2 collected once unused", WAIT, () -> revisionHashes().size() == 2);
        assertThat(revisionHashes()).containsExactlyInAnyOrder(v1Hash, v3Hash);

        setImage(V4);
        String v4Hash = awaitPartitionedRollout(v1Hash, 2);
        Await.until("revision 3 collected once unused", WAIT, () -> revisionHashes().size() == 2);
        Map<String, Long> numbers = revisions().stream().collect(Collectors.toMap(this::hashOf,
                r -> r.path("revision").asLong()));
        assertThat(numbers).isEqualTo(Map.of(v1Hash, 1L, v4Hash, 4L));
        Set<String> inUse = allPods().stream().map(this::hashOf).collect(Collectors.toSet());
        assertThat(inUse).containsExactlyInAnyOrder(v1Hash, v4Hash);
        assertThat(v2Hash).isNotIn(v3Hash, v4Hash);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7. Partition

    @Test
    void partitionKeepsNodesOnTheOldRevisionUntilRemoved() throws InterruptedException {
        create(strategy(1, 0), Map.of("everynode.dev/rollout-partition", "2"));
        String v1Hash = rolledOut();
        Map<String, String> kept = podNames(List.of("node-1", "node-2"));
        try (PodMonitor monitor = partitionMonitor(kept)) {
            setImage(V2);
            String v2Hash = awaitPartitionedRollout(v1Hash, 3);
            // Kruise walks node names backwards: the last three by name are updated.
            assertThat(newPodNodes(v1Hash)).containsExactlyInAnyOrder("node-3", "node-4", "node-5");
            Await.throughout("only the last three by name updated (the partition holds)", Duration.ofMillis(2000), () -> {
                agent.step(nodes, Outcome.READY);
                assertThat(newPodNodes(v1Hash)).hasSize(3);
            });
            JsonNode status = ds().path("status");
            assertThat(status.path("updatedNumberScheduled").asInt()).isEqualTo(3);
            assertThat(status.path("numberAvailable").asInt()).isEqualTo(5);
            JsonNode rollout = rollout();
            assertThat(rollout.path("done").asBoolean()).isFalse();
            assertThat(strings(rollout.path("nodes").path("held"))).containsExactlyInAnyOrder("node-1", "node-2");
            assertThat(strings(rollout.path("nodes").path("updating"))).isEmpty();
            assertThat(livePodsOn("node-1").get(0).path("metadata").path("name").asString()).isEqualTo(kept.get("node-1"));
            assertThat(livePodsOn("node-2").get(0).path("metadata").path("name").asString()).isEqualTo(kept.get("node-2"));

            kept.clear();
            mergePatch("{\"metadata\":{\"annotations\":{\"everynode.dev/rollout-partition\":null}}}");
            driveUntilRolledOut(Outcome.READY);
            assertThat(allPods()).hasSize(5).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(v2Hash));
            assertThat(monitor.violations()).isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 8. Pause

    @Test
    void pauseStopsReplacementButNotNewNodesOrFailedPods() throws InterruptedException {
        create(strategy(1, 0), null);
        String v1Hash = rolledOut();
        Map<String, String> before = new TreeMap<>();
        livePods().forEach(p -> before.put(nodeOf(p), nameOf(p)));

        mergePatch("{\"metadata\":{\"annotations\":{\"everynode.dev/rollout-paused\":\"true\"}}}");
        setImage(V2);
        Await.until("Progressing Unknown RolloutPaused", WAIT, () -> {
            JsonNode ds = ds();
            return ds.path("status").path("observedGeneration").asLong() == ds.path("metadata").path("generation").asLong()
                    && "RolloutPaused".equals(progressing().path("reason").asString());
        });
        assertThat(progressing().path("status").asString()).isEqualTo("Unknown");
        String v2Hash = currentHash();
        assertThat(v2Hash).isNotEqualTo(v1Hash);
        Await.throughout("no pod replaced while paused", Duration.ofMillis(2000), () -> {
            agent.step(nodes, Outcome.READY);
            Map<String, String> now = new TreeMap<>();
            allPods().forEach(p -> now.put(nodeOf(p), nameOf(p)));
            assertThat(now).as("no pod is replaced while paused").isEqualTo(before);
        });

        // A new node gets a pod of the current revision.
        assertThat(api.post("/api/v1/nodes", Fixtures.node("node-6")).status()).isEqualTo(201);
        nodes.add("node-6");
        Await.until("pod on node-6", WAIT, () -> {
            agent.step(nodes, Outcome.READY);
            return livePodsOn("node-6").size() == 1;
        });
        assertThat(hashOf(livePodsOn("node-6").get(0))).isEqualTo(v2Hash);

        // A failed pod is still replaced (with the current template, as manage() does).
        JsonNode failing = livePodsOn("node-1").get(0);
        assertThat(api.put("/api/v1/namespaces/" + namespace + "/pods/" + nameOf(failing) + "/status",
                TestAgent.status(failing, Outcome.FAILED)).status()).isEqualTo(200);
        Await.until("failed pod on node-1 replaced", WAIT, () -> {
            agent.step(nodes, Outcome.READY);
            List<JsonNode> on = livePodsOn("node-1");
            return on.size() == 1 && !nameOf(on.get(0)).equals(before.get("node-1"));
        });
        assertThat(hashOf(livePodsOn("node-1").get(0))).isEqualTo(v2Hash);
        for (String n : List.of("node-2", "node-3", "node-4", "node-5")) {
            assertThat(nameOf(livePodsOn(n).get(0))).as("paused: pod on " + n).isEqualTo(before.get(n));
            assertThat(hashOf(livePodsOn(n).get(0))).isEqualTo(v1Hash);
        }
        assertThat(progressing().path("reason").asString()).isEqualTo("RolloutPaused");
        assertThat(rollout().path("done").asBoolean()).isFalse();

        mergePatch("{\"metadata\":{\"annotations\":{\"everynode.dev/rollout-paused\":null}}}");
        driveUntilRolledOut(Outcome.READY);
        assertThat(allPods()).hasSize(6).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(v2Hash));
        assertThat(progressing().path("reason").asString()).isEqualTo("RolloutComplete");
        assertThat(progressing().path("status").asString()).isEqualTo("True");
    }

    // ---------------------------------------------------------------------------------------------------------
    // 9. OnDelete

    @Test
    void onDeleteReplacesOnlyDeletedPods() throws InterruptedException {
        ObjectNode onDelete = Json.parseObject("{\"type\":\"OnDelete\"}");
        create(onDelete, null);
        Await.until("5 ready pods", WAIT, () -> {
            agent.step(nodes, Outcome.READY);
            return ds().path("status").path("numberAvailable").asInt() == 5;
        });
        String v1Hash = currentHash();
        Map<String, String> before = new TreeMap<>();
        livePods().forEach(p -> before.put(nodeOf(p), nameOf(p)));

        setImage(V2);
        Await.until("second ControllerRevision", WAIT, () -> revisions().size() == 2);
        String v2Hash = currentHash();
        assertThat(v2Hash).isNotEqualTo(v1Hash);
        Await.throughout("OnDelete replaces nothing by itself", Duration.ofMillis(2000), () -> {
            agent.step(nodes, Outcome.READY);
            Map<String, String> now = new TreeMap<>();
            allPods().forEach(p -> now.put(nodeOf(p), nameOf(p)));
            assertThat(now).as("OnDelete replaces nothing by itself").isEqualTo(before);
        });
        assertThat(ds().path("status").path("updatedNumberScheduled").asInt()).isZero();

        assertThat(api.delete("/api/v1/namespaces/" + namespace + "/pods/" + before.get("node-3")).status()).isEqualTo(200);
        Await.until("replacement on node-3", WAIT, () -> {
            agent.step(nodes, Outcome.READY);
            List<JsonNode> on = podsOn("node-3");
            return on.size() == 1 && !nameOf(on.get(0)).equals(before.get("node-3"));
        });
        assertThat(hashOf(livePodsOn("node-3").get(0))).isEqualTo(v2Hash);
        assertThat(image(livePodsOn("node-3").get(0).path("spec").path("containers").path(0))).isEqualTo(V2);
        for (String n : List.of("node-1", "node-2", "node-4", "node-5")) {
            assertThat(nameOf(livePodsOn(n).get(0))).isEqualTo(before.get(n));
            assertThat(hashOf(livePodsOn(n).get(0))).isEqualTo(v1Hash);
        }
        Await.until("updatedNumberScheduled=1", WAIT,
                () -> ds().path("status").path("updatedNumberScheduled").asInt() == 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // 10. Strategy-only change

    @Test
    void strategyOnlyChangeCreatesNoRevisionAndReplacesNothing() throws InterruptedException {
        create(strategy(1, 0), null);
        String v1Hash = rolledOut();
        Map<String, String> before = new TreeMap<>();
        livePods().forEach(p -> before.put(nodeOf(p), nameOf(p)));
        long generation = ds().path("metadata").path("generation").asLong();

        edit(ds -> ((ObjectNode) ds.path("spec").path("updateStrategy").path("rollingUpdate")).put("maxUnavailable", 3));
        assertThat(ds().path("metadata").path("generation").asLong()).isEqualTo(generation + 1);
        Await.until("new generation observed", WAIT,
                () -> ds().path("status").path("observedGeneration").asLong() == generation + 1);
        Await.throughout("no pod replaced for a maxUnavailable change", Duration.ofMillis(2000), () -> {
            agent.step(nodes, Outcome.READY);
            Map<String, String> now = new TreeMap<>();
            allPods().forEach(p -> now.put(nodeOf(p), nameOf(p)));
            assertThat(now).isEqualTo(before);
        });
        assertThat(revisions()).hasSize(1);
        assertThat(revisions().get(0).path("revision").asLong()).isEqualTo(1);
        assertThat(currentHash()).isEqualTo(v1Hash);
        assertThat(rollout().path("done").asBoolean()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------
    // 11. Issue 21 item 5: partition and pause are states of their own, not failures

    @Test
    void item5_heldAtPartitionIsNotProgressDeadlineExceeded() throws InterruptedException {
        create(strategy(1, 0), Map.of(PARTITION, "2", DEADLINE, "3"));
        String v1Hash = rolledOut();
        Map<String, String> kept = podNames(List.of("node-1", "node-2"));
        try (PodMonitor monitor = partitionMonitor(kept)) {
            setImage(V2);
            awaitPartitionedRollout(v1Hash, 3);
            Await.until("Progressing RolloutPartitioned", WAIT, () -> "RolloutPartitioned".equals(reason()));
            // Longer than the deadline: held at the partition, nothing is expected to move.
            Await.throughout("held at the partition past the deadline", Duration.ofMillis(4000), () -> {
                agent.step(nodes, Outcome.READY);
                assertThat(reason()).as("held at the partition past the deadline").isEqualTo("RolloutPartitioned");
            });
            JsonNode condition = progressing();
            assertThat(condition.path("status").asString()).isEqualTo("True");
            assertThat(condition.path("message").asString()).isEqualTo("daemon set \"fluentd\" is held at its "
                    + "partition: 3 of 5 nodes updated, 5 available; 2 held at partition");
            JsonNode rollout = rollout();
            assertThat(rollout.path("done").asBoolean()).as("kubectl rollout status knows no partition").isFalse();
            assertThat(rollout.path("message").asString()).isEqualTo("Waiting for daemon set \"fluentd\" rollout to "
                    + "finish: 3 out of 5 new pods have been updated...\n");
            assertThat(rollout.path("reason").asString()).isEqualTo("RolloutPartitioned");
            assertThat(strings(rollout.path("nodes").path("held"))).containsExactly("node-1", "node-2");
            assertThat(strings(rollout.path("nodes").path("updating"))).isEmpty();
            assertThat(strings(rollout.path("nodes").path("unavailable"))).isEmpty();
            assertThat(events("RolloutPartitioned")).singleElement().satisfies(e -> {
                assertThat(e.path("message").asString()).isEqualTo("Rollout held at partition: 3 of 5 nodes "
                        + "updated, 5 available; 2 held at partition");
                assertThat(e.path("count").asInt()).as("recorded once, not every pass").isEqualTo(1);
                assertThat(e.path("involvedObject").path("uid").asString())
                        .isEqualTo(ds().path("metadata").path("uid").asString());
            });
            assertThat(events("ProgressDeadlineExceeded")).isEmpty();
            assertThat(monitor.violations()).isEmpty();
        }
    }

    @Test
    void item5_partitionLoweredAndReleasedRecordEventsOnce() {
        create(strategy(1, 0), Map.of(PARTITION, "2"));
        String v1Hash = rolledOut();
        Map<String, String> kept = podNames(List.of("node-1"));
        try (PodMonitor monitor = partitionMonitor(kept)) {
            setImage(V2);
            awaitPartitionedRollout(v1Hash, 3);
            Await.until("held at 2", WAIT, () -> "RolloutPartitioned".equals(reason()));

            mergePatch("{\"metadata\":{\"annotations\":{\"" + PARTITION + "\":\"1\"}}}");
            String v2Hash = awaitPartitionedRollout(v1Hash, 4);
            Await.until("held at 1", WAIT, () -> "RolloutPartitioned".equals(reason())
                    && progressing().path("message").asString().contains("4 of 5 nodes updated"));
            assertThat(hashOf(livePodsOn("node-2").get(0))).isEqualTo(v2Hash);
            assertThat(strings(rollout().path("nodes").path("held"))).containsExactly("node-1");
            assertThat(events("PartitionChanged")).singleElement().satisfies(e -> assertThat(e.path("message")
                    .asString()).isEqualTo("Partition lowered to hold 1 of 5 nodes: rolling out to 4"));
            assertThat(events("RolloutPartitioned")).extracting(e -> e.path("message").asString())
                    .containsExactlyInAnyOrder(
                            "Rollout held at partition: 3 of 5 nodes updated, 5 available; 2 held at partition",
                            "Rollout held at partition: 4 of 5 nodes updated, 5 available; 1 held at partition");

            kept.clear();
            mergePatch("{\"metadata\":{\"annotations\":{\"" + PARTITION + "\":null}}}");
            driveUntilRolledOut(Outcome.READY);
            Await.until("RolloutComplete", WAIT, () -> "RolloutComplete".equals(reason()));
            assertThat(events("PartitionReleased")).singleElement().satisfies(e -> assertThat(e.path("message")
                    .asString()).isEqualTo("Partition released: rolling out to all 5 nodes"));
            assertThat(events("PartitionChanged")).hasSize(1);
            assertThat(events("RolloutPartitioned")).hasSize(2).allSatisfy(e -> assertThat(e.path("count").asInt())
                    .isEqualTo(1));
            assertThat(allPods()).hasSize(5).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(v2Hash));
            assertThat(monitor.violations()).isEmpty();
        }
    }

    @Test
    void item5_pauseAndResumeRecordEvents() throws InterruptedException {
        create(strategy(1, 0), Map.of(DEADLINE, "3"));
        rolledOut();
        Map<String, String> before = podNames(nodes);
        mergePatch("{\"metadata\":{\"annotations\":{\"" + PAUSED + "\":\"true\"}}}");
        Await.until("paused", WAIT, () -> "RolloutPaused".equals(reason()));
        setImage(V2);
        Await.until("paused, new generation observed", WAIT, () -> generationObserved()
                && "RolloutPaused".equals(reason()));
        // Longer than the deadline: paused, nothing is expected to move.
        Await.throughout("paused past the deadline, nothing replaced", Duration.ofMillis(4000), () -> {
            agent.step(nodes, Outcome.READY);
            assertThat(reason()).isEqualTo("RolloutPaused");
            assertThat(podNames(nodes)).as("nothing is replaced while paused").isEqualTo(before);
        });
        assertThat(progressing().path("status").asString()).isEqualTo("Unknown");
        JsonNode rollout = rollout();
        assertThat(rollout.path("reason").asString()).isEqualTo("RolloutPaused");
        assertThat(strings(rollout.path("nodes").path("held"))).isEqualTo(nodes);
        assertThat(strings(rollout.path("nodes").path("updating"))).isEmpty();
        assertThat(events("RolloutPaused")).singleElement().satisfies(e -> {
            assertThat(e.path("message").asString()).isEqualTo("Rollout paused: 5 of 5 nodes updated, 5 available");
            assertThat(e.path("count").asInt()).isEqualTo(1);
        });
        assertThat(events("RolloutResumed")).isEmpty();

        Set<String> reasons = new TreeSet<>();
        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> {
            Set<String> down = o.unavailable(nodes);
            return down.size() > 1 ? "more than maxUnavailable=1 nodes down: " + down : null;
        })) {
            mergePatch("{\"metadata\":{\"annotations\":{\"" + PAUSED + "\":null}}}");
            // The deadline counts from the resume, not from the pause: the rollout moves, so it never fires.
            Await.until("rolled out after the resume", WAIT, () -> {
                agent.step(nodes, Outcome.READY);
                reasons.add(reason());
                return rollout().path("done").asBoolean() && allPods().size() == 5;
            });
            assertThat(monitor.violations()).isEmpty();
        }
        Await.until("RolloutComplete", WAIT, () -> "RolloutComplete".equals(reason()));
        assertThat(reasons).doesNotContain("ProgressDeadlineExceeded");
        assertThat(events("ProgressDeadlineExceeded")).isEmpty();
        assertThat(events("RolloutResumed")).singleElement().satisfies(e -> assertThat(e.path("message").asString())
                .isEqualTo("Rollout resumed: 0 of 5 nodes updated, 5 available"));
        assertThat(events("RolloutPaused")).hasSize(1);
    }

    @Test
    void item5_nodeAddedDuringPauseGetsTheCurrentRevisionAndIsNotHeld() {
        create(strategy(1, 0), null);
        String v1Hash = rolledOut();
        Map<String, String> before = podNames(nodes);
        mergePatch("{\"metadata\":{\"annotations\":{\"" + PAUSED + "\":\"true\"}}}");
        Await.until("paused", WAIT, () -> "RolloutPaused".equals(reason()));
        setImage(V2);
        Await.until("paused, new generation observed", WAIT, () -> generationObserved()
                && "RolloutPaused".equals(reason()));
        String v2Hash = currentHash();
        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> lostPod(o, before))) {
            assertThat(api.post("/api/v1/nodes", Fixtures.node("node-6")).status()).isEqualTo(201);
            nodes.add("node-6");
            Await.until("node-6 runs an available pod", WAIT, () -> {
                agent.step(nodes, Outcome.READY);
                return ds().path("status").path("numberAvailable").asInt() == 6;
            });
            // OpenKruise's choice: a node that needs a pod gets the current revision, paused or not.
            assertThat(livePodsOn("node-6")).singleElement().satisfies(p -> assertThat(hashOf(p)).isEqualTo(v2Hash));
            Await.until("the paused message counts node-6", WAIT, () -> progressing().path("message").asString()
                    .equals("daemon set \"fluentd\" rollout is paused: 1 of 6 nodes updated, 6 available"));
            JsonNode rollout = rollout();
            assertThat(rollout.path("reason").asString()).isEqualTo("RolloutPaused");
            assertThat(strings(rollout.path("nodes").path("held")))
                    .containsExactly("node-1", "node-2", "node-3", "node-4", "node-5");
            assertThat(strings(rollout.path("nodes").path("updating"))).isEmpty();
            assertThat(strings(rollout.path("nodes").path("pending"))).isEmpty();
            assertThat(livePods()).filteredOn(p -> v1Hash.equals(hashOf(p))).hasSize(5);
            assertThat(events("RolloutPaused")).as("a new node is no new pause").hasSize(1);
            assertThat(monitor.violations()).isEmpty();
        }
        mergePatch("{\"metadata\":{\"annotations\":{\"" + PAUSED + "\":null}}}");
        driveUntilRolledOut(Outcome.READY);
        assertThat(allPods()).hasSize(6).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(v2Hash));
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    /** The live pod of each of {@code names}, by node (a map the monitor's thread may read while it changes). */
    // ---------------------------------------------------------------------------------------------------------
    // Issue 17: rollout policies (annotations)

    @Test
    void nodeSelectorAnnotationUpdatesOnlyTheSelectedNodes() throws InterruptedException {
        for (String n : List.of("node-2", "node-4")) {
            ApiClient.Response r = api.patch("/api/v1/nodes/" + n, "application/merge-patch+json",
                    Json.parseObject("{\"metadata\":{\"labels\":{\"pool\":\"canary\"}}}"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        create(strategy(5, 0), Map.of("everynode.dev/rollout-node-selector", "pool=canary"));
        String v1Hash = rolledOut();
        setImage(V2);
        awaitPartitionedRollout(v1Hash, 2);
        Await.throughout("only the selected nodes updated", Duration.ofMillis(1500), () -> {
            agent.step(nodes, Outcome.READY);
            assertThat(newPodNodes(v1Hash)).containsExactlyInAnyOrder("node-2", "node-4");
        });
        // Widening the selector (here: removing it) lets the rest roll.
        mergePatch("{\"metadata\":{\"annotations\":{\"everynode.dev/rollout-node-selector\":null}}}");
        driveUntilRolledOut(Outcome.READY);
        assertThat(newPodNodes(v1Hash)).hasSize(5);
    }

    @Test
    void canaryWaitsUntilPromotedForTheCurrentRevision() throws InterruptedException {
        create(strategy(5, 0), Map.of("everynode.dev/rollout-canary", "1"));
        String v1Hash = rolledOut();
        setImage(V2);
        String v2Hash = awaitPartitionedRollout(v1Hash, 1);
        assertThat(newPodNodes(v1Hash)).containsExactly("node-5");
        Await.until("Progressing=Unknown CanaryWaiting", WAIT, () -> "CanaryWaiting".equals(reason()));
        assertThat(progressing().path("status").asString()).isEqualTo("Unknown");
        assertThat(progressing().path("message").asString()).contains("1 of 1 canary pods available",
                "1 of 5 nodes updated");
        assertThat(events("CanaryWaiting")).hasSize(1);
        JsonNode canary = rollout().path("canary");
        assertThat(canary.path("state").asString()).isEqualTo("Waiting");
        assertThat(canary.path("size").asInt()).isEqualTo(1);
        assertThat(canary.path("available").asInt()).isEqualTo(1);
        // A promotion of another revision promotes nothing.
        mergePatch("{\"metadata\":{\"annotations\":{\"everynode.dev/rollout-canary-promoted\":\"" + v1Hash + "\"}}}");
        Await.throughout("the promotion of another revision promotes nothing", Duration.ofMillis(1500), () -> {
            agent.step(nodes, Outcome.READY);
            assertThat(newPodNodes(v1Hash)).containsExactly("node-5");
        });
        ApiClient.Response promoted = api.post(FLUENTD + "/promote", Json.object());
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        assertThat(promoted.json().path("message").asString()).isEqualTo("daemonset.apps/fluentd promoted");
        assertThat(promoted.json().path("revision").asString()).isEqualTo(v2Hash);
        assertThat(ds().path("metadata").path("annotations").path("everynode.dev/rollout-canary-promoted").asString())
                .isEqualTo(v2Hash);
        driveUntilRolledOut(Outcome.READY);
        assertThat(newPodNodes(v1Hash)).hasSize(5);
        assertThat(events("CanaryPromoted")).hasSize(1);
        assertThat(events("CanaryPromoted").get(0).path("message").asString()).contains("rolling out to all 5 nodes");
        assertThat(api.post(FLUENTD + "/promote", Json.object()).json().path("message").asString())
                .isEqualTo("daemonset.apps/fluentd already promoted");
    }

    @Test
    void promoteWithoutACanaryIs400AndOfAMissingDaemonSet404() {
        create(strategy(1, 0), null);
        ApiClient.Response r = api.post(FLUENTD + "/promote", Json.object());
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.json().path("message").asString()).contains("has no canary to promote");
        assertThat(api.post(DS + "/nope/promote", Json.object()).status()).isEqualTo(404);
    }

    @Test
    void canaryPromotesItselfOnceHealthyForTheConfiguredTime() {
        create(strategy(5, 0), Map.of("everynode.dev/rollout-canary", "2",
                "everynode.dev/rollout-canary-auto-promote-seconds", "1"));
        String v1Hash = rolledOut();
        setImage(V2);
        driveUntilRolledOut(Outcome.READY);
        assertThat(newPodNodes(v1Hash)).hasSize(5);
        assertThat(events("CanaryWaiting")).hasSize(1);
        List<JsonNode> promotions = events("CanaryPromoted");
        assertThat(promotions).hasSize(1);
        assertThat(promotions.get(0).path("message").asString()).contains("automatically", "all 2 canary pods",
                "for 1s");
    }

    @Test
    void neverReadyTemplateIsRolledBackToTheStableRevisionWithinTheBudget() {
        create(strategy(2, 0), Map.of("everynode.dev/rollout-failure-policy", "rollback",
                "everynode.dev/rollout-ready-timeout-seconds", "2", "everynode.dev/rollout-max-failure-ratio", "0.5"));
        String v1Hash = rolledOut();
        Await.until("stable revision recorded", WAIT, () -> v1Hash.equals(annotation("everynode.dev/stable-revision")));
        try (PodMonitor monitor = new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> {
            Set<String> down = o.unavailable(nodes);
            return down.size() > 2 ? "more than maxUnavailable=2 nodes down: " + down : null;
        }).followStatus(namespace, "fluentd", STATUS_LAG)) {
            setImage(V2);
            long changed = System.nanoTime();
            // The new revision's pods run but never become Ready; the stable revision's pods do.
            Await.until("template rolled back", WAIT, () -> {
                stepByRevision(v1Hash);
                return V1.equals(image(ds()));
            });
            long rolledBackMs = (System.nanoTime() - changed) / 1_000_000;
            System.out.println("rolled back " + rolledBackMs + " ms after the change (ready timeout 2 s)");
            JsonNode failed = condition("RolloutFailed");
            assertThat(failed.path("status").asString()).isEqualTo("True");
            assertThat(failed.path("reason").asString()).isEqualTo("RolledBack");
            assertThat(failed.path("message").asString()).contains("not available within 2s",
                    "rolled back to revision " + v1Hash);
            assertThat(events("RolledBack")).hasSize(1);
            assertThat(events("RolledBack").get(0).path("type").asString()).isEqualTo("Warning");
            JsonNode policy = rollout().path("failurePolicy");
            assertThat(policy.path("action").asString()).isEqualTo("rollback");
            assertThat(policy.path("stableRevision").asString()).isEqualTo(v1Hash);
            assertThat(policy.path("decision").path("reason").asString()).isEqualTo("RolledBack");
            Await.until("rollback rolled out", WAIT, () -> {
                stepByRevision(v1Hash);
                return rollout().path("done").asBoolean() && livePods().size() == 5 && allPods().size() == 5;
            });
            assertThat(livePods()).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(v1Hash));
            assertThat(annotation("everynode.dev/stable-revision")).isEqualTo(v1Hash);
            assertThat(annotation(PAUSED)).isEmpty();
            assertThat(monitor.violations()).isEmpty();
        }
        // A new template clears the failure condition.
        setImage(V3);
        Await.until("RolloutFailed cleared", WAIT, () -> {
            agent.step(nodes, Outcome.READY);
            return condition("RolloutFailed").isEmpty() && generationObserved();
        });
    }

    @Test
    void failurePolicyPauseStopsTheRolloutAndAFailedRollbackPausesToo() {
        create(strategy(2, 0), Map.of("everynode.dev/rollout-failure-policy", "pause",
                "everynode.dev/progress-deadline-seconds", "2"));
        String v1Hash = rolledOut();
        setImage(V2);
        Await.until("paused by the failure policy", WAIT, () -> {
            stepByRevision(v1Hash);
            return "true".equals(annotation(PAUSED));
        });
        JsonNode failed = condition("RolloutFailed");
        assertThat(failed.path("reason").asString()).isEqualTo("PausedOnFailure");
        assertThat(failed.path("message").asString()).contains("progress deadline exceeded", "; paused");
        assertThat(events("PausedOnFailure")).hasSize(1);
        Await.until("Progressing=Unknown RolloutPaused", WAIT, () -> "RolloutPaused".equals(reason()));
        assertThat(newPodNodes(v1Hash)).hasSize(2);
    }

    @Test
    void malformedPolicyAnnotationsAreRefusedWith422() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        ObjectNode a = Json.child((ObjectNode) ds.path("metadata"), "annotations");
        a.put("everynode.dev/rollout-canary", "0");
        a.put("everynode.dev/rollout-max-unavailable-per-domain", "150%");
        a.put("everynode.dev/rollout-node-selector", "pool in (");
        ApiClient.Response r = api.post(DS, ds);
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("metadata.annotations[everynode.dev/rollout-canary]",
                "metadata.annotations[everynode.dev/rollout-max-unavailable-per-domain]",
                "metadata.annotations[everynode.dev/rollout-node-selector]");
        assertThat(api.get(FLUENTD).status()).isEqualTo(404);
    }

    private Map<String, String> podNames(java.util.Collection<String> names) {
        Map<String, String> out = new java.util.concurrent.ConcurrentSkipListMap<>();
        for (String n : names) {
            livePodsOn(n).forEach(p -> out.put(n, nameOf(p)));
        }
        return out;
    }

    /** Checks that the nodes in {@code kept} keep their pods and that at most one node is down (maxUnavailable=1). */
    /** Reports pending pods: Ready on revision {@code readyHash}, Running but never Ready on any other. */
    private void stepByRevision(String readyHash) {
        for (JsonNode pod : allPods()) {
            String name = nameOf(pod);
            if (pod.path("metadata").has("deletionTimestamp")) {
                api.delete("/api/v1/namespaces/" + namespace + "/pods/" + name + "?gracePeriodSeconds=0");
            } else if ("Pending".equals(pod.path("status").path("phase").asString("Pending"))) {
                api.put("/api/v1/namespaces/" + namespace + "/pods/" + name + "/status", TestAgent.status(pod,
                        readyHash.equals(hashOf(pod)) ? Outcome.READY : Outcome.UNREADY));
            }
        }
    }

    private String annotation(String key) {
        return ds().path("metadata").path("annotations").path(key).asString("");
    }

    private JsonNode condition(String type) {
        for (JsonNode c : ds().path("status").path("conditions")) {
            if (type.equals(c.path("type").asString(""))) {
                return c;
            }
        }
        return Json.object();
    }

    private PodMonitor partitionMonitor(Map<String, String> kept) {
        return new PodMonitor(jdbc, PodMonitor.inNamespace(namespace), o -> {
            String lost = lostPod(o, kept);
            if (lost != null) {
                return lost;
            }
            Set<String> down = o.unavailable(nodes);
            return down.size() > 1 ? "more than maxUnavailable=1 nodes down: " + down : null;
        }).followStatus(namespace, "fluentd", STATUS_LAG);
    }

    /** A violation when a node of {@code kept} no longer runs its pod. */
    private static String lostPod(PodMonitor.Observation o, Map<String, String> kept) {
        for (Map.Entry<String, String> e : kept.entrySet()) {
            if (o.live(e.getKey()).stream().noneMatch(p -> p.name().equals(e.getValue()))) {
                return "node " + e.getKey() + " lost its pod " + e.getValue();
            }
        }
        return null;
    }

    private boolean generationObserved() {
        JsonNode ds = ds();
        return ds.path("status").path("observedGeneration").asLong() == ds.path("metadata").path("generation").asLong();
    }

    private String reason() {
        return progressing().path("reason").asString("");
    }

    /** The events recorded on the DaemonSet with {@code reason}, as {@code kubectl describe ds} finds them. */
    private List<JsonNode> events(String reason) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/v1/namespaces/" + namespace + "/events?fieldSelector=involvedObject.kind%3DDaemonSet,"
                + "involvedObject.name%3Dfluentd,reason%3D" + reason).json().path("items").forEach(out::add);
        return out;
    }

    private static ObjectNode strategy(int maxUnavailable, int maxSurge) {
        return Json.parseObject("""
                {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": %d, "maxSurge": %d}}"""
                .formatted(maxUnavailable, maxSurge));
    }

    private void create(ObjectNode strategy, Map<String, String> annotations) {
        ObjectNode ds = Fixtures.fluentd(namespace);
        ((ObjectNode) ds.path("spec")).set("updateStrategy", strategy);
        if (annotations != null) {
            ObjectNode a = Json.child((ObjectNode) ds.path("metadata"), "annotations");
            annotations.forEach(a::put);
        }
        ApiClient.Response created = api.post(DS, ds);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    /** Waits until the first rollout is complete (all pods Ready) and returns the revision-1 hash. */
    private String rolledOut() {
        driveUntilRolledOut(Outcome.READY);
        String hash = currentHash();
        assertThat(hash).isNotEmpty();
        assertThat(livePods()).hasSize(5).allSatisfy(p -> assertThat(hashOf(p)).isEqualTo(hash));
        return hash;
    }

    private void driveUntilRolledOut(Outcome outcome) {
        Await.until("rollout done", WAIT, () -> {
            agent.step(nodes, outcome);
            JsonNode r = rollout();
            return r.path("done").asBoolean() && allPods().size() == nodes.size();
        });
    }

    /** Drives the agent until exactly {@code updated} nodes run the current revision, Ready; returns its hash. */
    private String awaitPartitionedRollout(String oldHash, int updated) {
        Await.until(updated + " nodes updated and available", WAIT, () -> {
            agent.step(nodes, Outcome.READY);
            JsonNode ds = ds();
            JsonNode s = ds.path("status");
            return s.path("observedGeneration").asLong() == ds.path("metadata").path("generation").asLong()
                    && s.path("updatedNumberScheduled").asInt() == updated && s.path("numberAvailable").asInt() == 5
                    && allPods().size() == 5;
        });
        String hash = currentHash();
        assertThat(hash).isNotEqualTo(oldHash);
        assertThat(livePods().stream().filter(p -> hash.equals(hashOf(p))).count()).isEqualTo(updated);
        return hash;
    }

    private void setImage(String image) {
        edit(ds -> ((ObjectNode) ds.path("spec").path("template").path("spec").path("containers").path(0))
                .put("image", image));
    }

    private void edit(Consumer<ObjectNode> change) {
        for (int attempt = 0; attempt < 5; attempt++) {
            ObjectNode ds = (ObjectNode) ds();
            ((ObjectNode) ds).remove("status");
            change.accept(ds);
            ApiClient.Response r = api.put(FLUENTD, ds);
            if (r.status() == 200) {
                return;
            }
            assertThat(r.status()).as(r.body()).isEqualTo(409);
        }
        throw new AssertionError("could not update the DaemonSet");
    }

    private void mergePatch(String patch) {
        ApiClient.Response r = api.patch(FLUENTD, "application/merge-patch+json", Json.parseObject(patch));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private JsonNode ds() {
        return api.get(FLUENTD).json();
    }

    private JsonNode rollout() {
        return api.get(FLUENTD + "/rollout").json();
    }

    private JsonNode progressing() {
        for (JsonNode c : ds().path("status").path("conditions")) {
            if ("Progressing".equals(c.path("type").asString(""))) {
                return c;
            }
        }
        return Json.object();
    }

    private List<JsonNode> revisions() {
        List<JsonNode> out = new ArrayList<>();
        api.get(REVISIONS).json().path("items").forEach(out::add);
        return out;
    }

    private Set<String> revisionHashes() {
        return revisions().stream().map(this::hashOf).collect(Collectors.toSet());
    }

    /** The hash of the highest-numbered ControllerRevision. */
    private String currentHash() {
        return revisions().stream().max((a, b) -> Long.compare(a.path("revision").asLong(), b.path("revision").asLong()))
                .map(this::hashOf).orElse("");
    }

    private List<JsonNode> allPods() {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/v1/namespaces/" + namespace + "/pods").json().path("items").forEach(out::add);
        return out;
    }

    private List<JsonNode> livePods() {
        return allPods().stream().filter(p -> !p.path("metadata").has("deletionTimestamp")).toList();
    }

    private List<JsonNode> podsOn(String node) {
        return allPods().stream().filter(p -> node.equals(nodeOf(p))).toList();
    }

    private List<JsonNode> livePodsOn(String node) {
        return livePods().stream().filter(p -> node.equals(nodeOf(p))).toList();
    }

    /** Nodes whose live pod does not run {@code oldHash}. */
    private Set<String> newPodNodes(String oldHash) {
        return livePods().stream().filter(p -> !oldHash.equals(hashOf(p))).map(this::nodeOf)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private String hashOf(JsonNode object) {
        return object.path("metadata").path("labels").path("controller-revision-hash").asString("");
    }

    private String nodeOf(JsonNode pod) {
        return pod.path("spec").path("nodeName").asString("");
    }

    private static String nameOf(JsonNode pod) {
        return pod.path("metadata").path("name").asString();
    }

    private static String image(JsonNode dsOrContainer) {
        JsonNode container = dsOrContainer.has("image") ? dsOrContainer
                : dsOrContainer.path("spec").path("template").path("spec").path("containers").path(0);
        return container.path("image").asString();
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }
}
