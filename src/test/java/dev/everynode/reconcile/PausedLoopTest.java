package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.Fixtures;
import dev.everynode.support.PausedLoopIntegrationTest;
import dev.everynode.support.PodMonitor;
import dev.everynode.support.PodMonitor.PodRow;
import dev.everynode.support.TestAgent;
import dev.everynode.support.TestAgent.Outcome;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The reconcile loop paused and driven by the test ({@link PausedLoopIntegrationTest}): what one driven run of the
 * queue does, exactly, with nothing happening in between. Three Ready nodes, the Fluentd DaemonSet, a test agent.
 */
class PausedLoopTest extends PausedLoopIntegrationTest {

    private final String fluentd = daemonSetsPath() + "/fluentd";
    private final Set<String> nodes = new TreeSet<>(List.of("node-1", "node-2", "node-3"));
    private TestAgent agent;

    @BeforeEach
    void threeReadyNodes() {
        agent = new TestAgent(api);
        for (String n : nodes) {
            assertThat(api.post("/api/v1/nodes", Fixtures.node(n)).status()).isEqualTo(201);
        }
        reconcileNow();
    }

    @Test
    void noPodUntilTheQueueIsDrivenThenOnePerNode() {
        create(null);
        // two more changes of the same DaemonSet: still one key queued
        mergePatch("{\"metadata\": {\"annotations\": {\"a\": \"1\"}}}");
        mergePatch("{\"metadata\": {\"annotations\": {\"a\": \"2\"}}}");
        driver.awaitNotices();
        assertThat(driver.queued()).as("the DaemonSet's key, queued once").isEqualTo(1);
        assertThat(pods()).as("no pass ran by itself").isEmpty();
        assertThat(ds().path("status").path("desiredNumberScheduled").asInt()).isZero();

        int passes = reconcileNow();

        assertThat(passes).isPositive();
        List<PodRow> pods = pods();
        assertThat(pods).hasSize(3).allSatisfy(p -> assertThat(p.live()).isTrue());
        assertThat(pods.stream().map(PodRow::node).collect(Collectors.toSet())).isEqualTo(nodes);
        JsonNode status = ds().path("status");
        assertThat(status.path("desiredNumberScheduled").asInt()).isEqualTo(3);
        assertThat(status.path("currentNumberScheduled").asInt()).isEqualTo(3);
        assertThat(status.path("numberReady").asInt()).isZero();
        assertThat(reconcileNow()).as("the loop settled: nothing left to run").isZero();
        System.out.println("paused loop: 3 pods after " + passes + " driven pass(es)");
    }

    @Test
    void rollingUpdateWithMaxUnavailableOneAdvancesOneNodePerDrivenRun() {
        create(Json.parseObject("""
                {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}"""));
        reconcileNow();
        assertThat(agent.step(nodes, Outcome.READY)).isEqualTo(3);
        reconcileNow();
        assertThat(ds().path("status").path("numberAvailable").asInt()).isEqualTo(3);
        String v1 = pods().get(0).hash();

        setImage("fluent/fluentd:v2");
        assertThat(terminating()).as("nothing before the pass").isEmpty();
        reconcileNow();
        Set<String> replaced = new TreeSet<>();
        for (int round = 1; round <= 3; round++) {
            // the pass deleted exactly one old pod: maxUnavailable=1
            List<PodRow> going = terminating();
            assertThat(going).as("round %d: one old pod terminating", round).hasSize(1);
            assertThat(going.get(0).hash()).isEqualTo(v1);
            String node = going.get(0).node();
            assertThat(replaced).doesNotContain(node);
            assertThat(newPodNodes(v1)).isEqualTo(replaced);

            // the agent confirms the deletion: the node stays empty until the next driven run
            assertThat(agent.step(nodes, Outcome.READY)).isEqualTo(1);
            assertThat(podsOn(node)).isEmpty();
            reconcileNow();
            List<PodRow> fresh = podsOn(node);
            assertThat(fresh).as("round %d: the replacement on %s", round, node).hasSize(1);
            assertThat(fresh.get(0).hash()).isNotEqualTo(v1);
            assertThat(fresh.get(0).ready()).isFalse();
            assertThat(terminating()).as("round %d: no second node down while %s is unavailable", round, node)
                    .isEmpty();
            replaced.add(node);

            // the new pod turns Ready: the next run takes the next node (or completes)
            assertThat(agent.step(nodes, Outcome.READY)).isEqualTo(1);
            assertThat(terminating()).isEmpty();
            reconcileNow();
        }
        assertThat(replaced).isEqualTo(nodes);
        assertThat(terminating()).isEmpty();
        assertThat(newPodNodes(v1)).isEqualTo(nodes);
        JsonNode status = ds().path("status");
        assertThat(status.path("updatedNumberScheduled").asInt()).isEqualTo(3);
        assertThat(status.path("numberAvailable").asInt()).isEqualTo(3);
        JsonNode rollout = api.get(fluentd + "/rollout").json();
        assertThat(rollout.path("done").asBoolean()).as(rollout.toString()).isTrue();
    }

    private void create(ObjectNode strategy) {
        ObjectNode ds = Fixtures.fluentd(namespace);
        if (strategy != null) {
            ((ObjectNode) ds.path("spec")).set("updateStrategy", strategy);
        }
        ApiClient.Response created = api.post(daemonSetsPath(), ds);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    private void setImage(String image) {
        ObjectNode ds = (ObjectNode) ds();
        ds.remove("status");
        ((ObjectNode) ds.path("spec").path("template").path("spec").path("containers").path(0)).put("image", image);
        ApiClient.Response r = api.put(fluentd, ds);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private void mergePatch(String patch) {
        ApiClient.Response r = api.patch(fluentd, "application/merge-patch+json", Json.parseObject(patch));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private JsonNode ds() {
        return api.get(fluentd).json();
    }

    private List<PodRow> pods() {
        return PodMonitor.observe(jdbc, PodMonitor.inNamespace(namespace)).pods();
    }

    private List<PodRow> podsOn(String node) {
        return pods().stream().filter(p -> node.equals(p.node())).toList();
    }

    private List<PodRow> terminating() {
        return pods().stream().filter(PodRow::terminating).toList();
    }

    /** Nodes with a live pod of another revision than {@code oldHash}. */
    private Set<String> newPodNodes(String oldHash) {
        return pods().stream().filter(p -> p.live() && !oldHash.equals(p.hash())).map(PodRow::node)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
