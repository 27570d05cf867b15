package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import dev.everynode.support.TestAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The reconciler end to end: HTTP writes in, pods and status out, with a test agent playing the nodes. */
class ReconcilerTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    private DaemonSetReconciler reconciler;

    @Autowired
    private PodSummaries summaries;

    @Autowired
    private dev.everynode.pod.PodRepository pods;

    @Autowired
    private org.springframework.jdbc.core.JdbcTemplate jdbc;

    private TestAgent agent;
    private final Set<String> nodes = new HashSet<>(Set.of("node-a", "node-b", "node-c"));

    @BeforeEach
    void threeReadyNodes() {
        agent = new TestAgent(api);
        for (String n : List.of("node-a", "node-b", "node-c")) {
            assertThat(api.post("/api/v1/nodes", Fixtures.node(n)).status()).isEqualTo(201);
        }
    }

    @Test
    void summariesRememberedAtCreationEqualThoseReadBack() {
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        Await.until("status current=3", WAIT, () -> status().path("currentNumberScheduled").asInt() == 3);
        java.util.UUID uid = java.util.UUID.fromString(api.get(DS + "/fluentd").json().path("metadata").path("uid")
                .asString());
        // The reconciler's cache holds the summaries its creating pass remembered (no agent changed the pods); a
        // cache-less reader extracts them from the stored documents. They must be the same.
        Set<PodSummaries.Summary> remembered = new HashSet<>(summaries.forClaim(namespace, uid));
        Set<PodSummaries.Summary> readBack = new HashSet<>(new PodSummaries(jdbc, pods).forClaim(namespace, uid));
        assertThat(readBack).hasSize(3);
        assertThat(remembered).isEqualTo(readBack);
    }

    @Test
    void fluentdGetsOnePodPerNodeAndRollsOutWhenReady() {
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        List<JsonNode> pods = livePods();
        assertThat(pods).extracting(p -> p.path("spec").path("nodeName").asString())
                .containsExactlyInAnyOrder("node-a", "node-b", "node-c");
        JsonNode pod = pods.get(0);
        assertThat(pod.path("metadata").path("name").asString()).matches("fluentd-[a-z0-9]{5}");
        assertThat(pod.path("metadata").path("labels").path("name").asString()).isEqualTo("fluentd");
        assertThat(pod.path("metadata").path("labels").path("controller-revision-hash").asString()).isNotEmpty();
        assertThat(pod.path("metadata").path("labels").path("pod-template-generation").asString()).isEqualTo("1");
        JsonNode owner = pod.path("metadata").path("ownerReferences").get(0);
        assertThat(owner.path("kind").asString()).isEqualTo("DaemonSet");
        assertThat(owner.path("apiVersion").asString()).isEqualTo("apps/v1");
        assertThat(owner.path("controller").asBoolean()).isTrue();
        assertThat(owner.path("blockOwnerDeletion").asBoolean()).isTrue();
        assertThat(pod.path("status").path("phase").asString()).isEqualTo("Pending");
        assertThat(pod.path("spec").path("tolerations").size()).isEqualTo(6);

        Await.until("status desired=current=updated=3", WAIT, () -> {
            JsonNode s = status();
            return s.path("desiredNumberScheduled").asInt() == 3 && s.path("currentNumberScheduled").asInt() == 3
                    && s.path("updatedNumberScheduled").asInt() == 3;
        });
        assertThat(rollout().path("done").asBoolean()).isFalse();

        Await.until("pods ready and available", WAIT, () -> {
            agent.step(nodes, TestAgent.Outcome.READY);
            JsonNode s = status();
            return s.path("numberReady").asInt() == 3 && s.path("numberAvailable").asInt() == 3;
        });
        JsonNode rollout = rollout();
        assertThat(rollout.path("done").asBoolean()).isTrue();
        assertThat(rollout.path("message").asString()).isEqualTo("daemon set \"fluentd\" successfully rolled out\n");
        assertThat(status().path("observedGeneration").asLong()).isEqualTo(1);
        JsonNode events = api.get("/api/v1/namespaces/" + namespace + "/events?fieldSelector=involvedObject.name%3Dfluentd")
                .json().path("items");
        assertThat(events).extracting(e -> e.path("reason").asString()).contains("SuccessfulCreate");
    }

    @Test
    void newNodeGetsItsPodAndDeletedNodeLosesIt() {
        api.post(DS, Fixtures.fluentd(namespace));
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        long start = System.nanoTime();
        api.post("/api/v1/nodes", Fixtures.node("node-d"));
        Await.until("pod on node-d", WAIT, () -> podsOn("node-d").size() == 1);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("registration to pod, ms").isLessThan(WAIT.toMillis());
        System.out.println("node registration to pod: " + millis + " ms");

        assertThat(api.delete("/api/v1/nodes/node-d").status()).isEqualTo(200);
        Await.until("node-d pods gone", WAIT, () -> podsOn("node-d").isEmpty());
        Await.until("desired back to 3", WAIT, () -> status().path("desiredNumberScheduled").asInt() == 3);
    }

    @Test
    void nodeSelectorFollowsRelabelling() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        Json.child((ObjectNode) ds.path("spec").path("template").path("spec"), "nodeSelector").put("logging", "yes");
        api.post(DS, ds);
        api.patch("/api/v1/nodes/node-a", "application/merge-patch+json",
                Json.parseObject("{\"metadata\":{\"labels\":{\"logging\":\"yes\"}}}"));
        Await.until("pod on node-a only", WAIT, () -> livePods().size() == 1 && podsOn("node-a").size() == 1);
        api.patch("/api/v1/nodes/node-a", "application/merge-patch+json",
                Json.parseObject("{\"metadata\":{\"labels\":{\"logging\":null}}}"));
        Await.until("pod on node-a terminating", WAIT, () -> livePods().isEmpty());
        Await.until("termination confirmed", WAIT, () -> {
            agent.step(nodes, TestAgent.Outcome.READY);
            return podsOn("node-a").isEmpty();
        });
    }

    @Test
    void cordonedNodeKeepsAndGetsPodsAndNoScheduleTaintCountsMisscheduled() {
        api.patch("/api/v1/nodes/node-a", "application/merge-patch+json",
                Json.parseObject("{\"spec\":{\"unschedulable\":true,\"taints\":[{\"key\":\"node.kubernetes.io/unschedulable\",\"effect\":\"NoSchedule\"}]}}"));
        api.post(DS, Fixtures.fluentd(namespace));
        Await.until("3 pods incl. cordoned node", WAIT, () -> livePods().size() == 3);

        api.patch("/api/v1/nodes/node-b", "application/merge-patch+json",
                Json.parseObject("{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoSchedule\"}]}}"));
        Await.until("node-b misscheduled", WAIT, () -> status().path("numberMisscheduled").asInt() == 1
                && status().path("desiredNumberScheduled").asInt() == 2);
        assertThat(podsOn("node-b")).hasSize(1);
    }

    @Test
    void noExecuteTaintEvictsThePod() {
        api.post(DS, Fixtures.fluentd(namespace));
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        api.patch("/api/v1/nodes/node-c", "application/merge-patch+json",
                Json.parseObject("{\"spec\":{\"taints\":[{\"key\":\"maintenance\",\"effect\":\"NoExecute\"}]}}"));
        Await.until("node-c pod gone", WAIT, () -> {
            agent.step(nodes, TestAgent.Outcome.READY);
            return podsOn("node-c").isEmpty();
        });
        Await.until("desired 2", WAIT, () -> status().path("desiredNumberScheduled").asInt() == 2);
    }

    @Test
    void failedPodIsReplacedAfterItsBackoff() {
        api.post(DS, Fixtures.fluentd(namespace));
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        String failed = podsOn("node-a").get(0).path("metadata").path("name").asString();
        agent.step(Set.of("node-a"), TestAgent.Outcome.FAILED);
        Await.until("failed pod replaced", WAIT, () -> {
            List<JsonNode> onA = podsOn("node-a");
            return onA.size() == 1 && !onA.get(0).path("metadata").path("name").asString().equals(failed);
        });
        JsonNode events = api.get("/api/v1/namespaces/" + namespace + "/events?fieldSelector=reason%3DFailedDaemonPod")
                .json().path("items");
        assertThat(events.size()).isEqualTo(1);
        assertThat(events.get(0).path("type").asString()).isEqualTo("Warning");
        Integer backoffMs = jdbc.queryForObject("SELECT delay_ms FROM pod_backoff WHERE node_name = 'node-a'",
                Integer.class);
        assertThat(backoffMs).isEqualTo(1000);

        String second = podsOn("node-a").get(0).path("metadata").path("name").asString();
        agent.step(Set.of("node-a"), TestAgent.Outcome.FAILED);
        Await.until("second failure replaced", WAIT, () -> {
            List<JsonNode> onA = podsOn("node-a");
            return onA.size() == 1 && !onA.get(0).path("metadata").path("name").asString().equals(second);
        });
        assertThat(jdbc.queryForObject("SELECT delay_ms FROM pod_backoff WHERE node_name = 'node-a'", Integer.class))
                .isEqualTo(2000);
    }

    @Test
    void backgroundDeletionRemovesPods() {
        api.post(DS, Fixtures.fluentd(namespace));
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        assertThat(api.delete(DS + "/fluentd").status()).isEqualTo(200);
        assertThat(api.get(DS + "/fluentd").status()).isEqualTo(404);
        Await.until("pods terminating and confirmed", WAIT, () -> {
            agent.step(nodes, TestAgent.Outcome.READY);
            return allPods().isEmpty();
        });
    }

    @Test
    void foregroundDeletionWaitsForPods() {
        api.post(DS, Fixtures.fluentd(namespace));
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        JsonNode deleting = api.delete(DS + "/fluentd", Json.parseObject("{\"propagationPolicy\":\"Foreground\"}")).json();
        assertThat(deleting.path("metadata").path("deletionTimestamp").isString()).isTrue();
        assertThat(deleting.path("metadata").path("finalizers").toString()).contains("foregroundDeletion");
        Await.until("pods terminating", WAIT, () -> livePods().isEmpty());
        assertThat(api.get(DS + "/fluentd").status()).isEqualTo(200);
        Await.until("DaemonSet gone after pods", WAIT, () -> {
            agent.step(nodes, TestAgent.Outcome.READY);
            return api.get(DS + "/fluentd").status() == 404;
        });
        assertThat(allPods()).isEmpty();
    }

    @Test
    void orphanedPodsStayAndAreAdoptedWithoutRestart() {
        api.post(DS, Fixtures.fluentd(namespace));
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
        Set<String> before = names(livePods());
        assertThat(api.delete(DS + "/fluentd?propagationPolicy=Orphan").status()).isEqualTo(200);
        Await.until("pods orphaned", WAIT, () -> livePods().stream()
                .allMatch(p -> p.path("metadata").path("ownerReferences").isMissingNode()
                        || p.path("metadata").path("ownerReferences").isEmpty()));
        assertThat(names(livePods())).isEqualTo(before);

        JsonNode again = api.post(DS, Fixtures.fluentd(namespace)).json();
        String uid = again.path("metadata").path("uid").asString();
        Await.until("pods adopted", WAIT, () -> livePods().stream().allMatch(p ->
                uid.equals(p.path("metadata").path("ownerReferences").path(0).path("uid").asString())));
        assertThat(names(livePods())).isEqualTo(before);
    }

    @Test
    void emptySelectorDoesNothingButWarn() {
        jdbc.update("""
                INSERT INTO objects (kind, namespace, name, uid, resource_version, generation, created_at, body)
                VALUES ('DaemonSet', ?, 'everything', gen_random_uuid(), nextval('resource_version_seq'), 1,
                        now(), ?::jsonb)""", namespace, emptySelectorDaemonSet());
        Await.until("SelectingAll event", WAIT, () -> api.get(
                "/api/v1/namespaces/" + namespace + "/events?fieldSelector=reason%3DSelectingAll").json().path("items").size() == 1);
        assertThat(allPods()).isEmpty();
    }

    @Test
    void racingReconcilersCreateNoDuplicates() throws Exception {
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> runs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            runs.add(pool.submit(() -> reconciler.reconcile(namespace, "fluentd")));
        }
        for (Future<?> f : runs) {
            f.get();
        }
        pool.shutdown();
        Integer duplicates = jdbc.queryForObject("""
                SELECT count(*) FROM (SELECT node_name FROM objects WHERE kind = 'Pod' AND deletion_ts IS NULL
                GROUP BY owner_uid, node_name HAVING count(*) > 1) d""", Integer.class);
        assertThat(duplicates).isZero();
        Await.until("3 pods", WAIT, () -> livePods().size() == 3);
    }

    private String emptySelectorDaemonSet() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        ((ObjectNode) ds.path("spec")).putObject("selector");
        return Json.write(ds);
    }

    private JsonNode status() {
        return api.get(DS + "/fluentd").json().path("status");
    }

    private JsonNode rollout() {
        return api.get(DS + "/fluentd/rollout").json();
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
        return allPods().stream().filter(p -> node.equals(p.path("spec").path("nodeName").asString(""))).toList();
    }

    private static Set<String> names(List<JsonNode> pods) {
        Set<String> out = new HashSet<>();
        pods.forEach(p -> out.add(p.path("metadata").path("name").asString()));
        return out;
    }
}
