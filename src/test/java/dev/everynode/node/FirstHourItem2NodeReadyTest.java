package dev.everynode.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Await;
import dev.everynode.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 21, item 2: a node an agent registers and heartbeats through the agent protocol (plain HTTP, no
 * simulator, no Ready condition in anything it sends) is Ready within one heartbeat plus the coalescing flush,
 * as GET /api/v1/nodes/NAME and kubectl's Table show it; and heartbeats of a node already Ready write nothing.
 */
class FirstHourItem2NodeReadyTest extends IntegrationTest {

    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
    /** One heartbeat interval of the test context (1 s) plus the flush (every second) plus an allowance. */
    private static final Duration ONE_HEARTBEAT = Duration.ofSeconds(3);

    @Test
    void item2_aNodeRegisteredAndHeartbeatingThroughTheAgentProtocolIsReady() {
        Instant before = Instant.now().minusSeconds(1);
        Response registered = api.withToken(BOOTSTRAP_TOKEN).post("/agent/v1/nodes", Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "first-hour-1"},
                 "status": {"capacity": {"cpu": "2", "memory": "8Gi"},
                            "nodeInfo": {"kubeletVersion": "everynode-agent/0.1"}}}"""));
        assertThat(registered.status()).isEqualTo(201);
        ApiClient agent = api.withToken(registered.header("Everynode-Node-Token"));
        assertThat(agent.send("PUT", "/agent/v1/nodes/first-hour-1/heartbeat", null, null, null).status())
                .isEqualTo(200);

        Await.until("first-hour-1 Ready", ONE_HEARTBEAT, () -> "True".equals(ready("first-hour-1").path("status")
                .asString("")));
        assertServerManagedReady(ready("first-hour-1"), before);
        assertThat(tableStatus("first-hour-1")).isEqualTo("Ready");

        // Re-registration with a status that has no conditions (an agent restart) keeps the node Ready.
        String transition = ready("first-hour-1").path("lastTransitionTime").asString();
        assertThat(api.withToken(BOOTSTRAP_TOKEN).post("/agent/v1/nodes", Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "first-hour-1"},
                 "status": {"capacity": {"cpu": "4"}}}""")).status()).isEqualTo(200);
        assertThat(ready("first-hour-1").path("status").asString()).isEqualTo("True");
        assertThat(ready("first-hour-1").path("lastTransitionTime").asString()).as("no transition").isEqualTo(transition);
    }

    @Test
    void item2_aNodeCreatedThroughTheApiTurnsReadyAtItsFirstHeartbeat() {
        Instant before = Instant.now().minusSeconds(1);
        assertThat(api.post("/api/v1/nodes", Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "first-hour-2"}, "status": {}}"""))
                .status()).isEqualTo(201);
        assertThat(tableStatus("first-hour-2")).as("no agent has spoken yet").isEqualTo("Unknown");

        // A heartbeat that says Ready=True in its body: Ready is the server's, set from the heartbeat itself.
        assertThat(api.put("/agent/v1/nodes/first-hour-2/heartbeat", Json.parseObject("""
                {"conditions": [{"type": "Ready", "status": "True"},
                                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure"}]}"""))
                .status()).isEqualTo(200);

        Await.until("first-hour-2 Ready", ONE_HEARTBEAT, () -> "True".equals(ready("first-hour-2").path("status")
                .asString("")));
        assertServerManagedReady(ready("first-hour-2"), before);
        assertThat(tableStatus("first-hour-2")).isEqualTo("Ready");
        assertThat(node("first-hour-2").path("status").path("conditions").findValuesAsString("type"))
                .containsExactlyInAnyOrder("Ready", "DiskPressure");
    }

    @Test
    void item2_heartbeatsOfAReadyNodeWriteNothing() throws InterruptedException {
        Response registered = api.withToken(BOOTSTRAP_TOKEN).post("/agent/v1/nodes", Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "first-hour-3"}}"""));
        ApiClient agent = api.withToken(registered.header("Everynode-Node-Token"));
        agent.send("PUT", "/agent/v1/nodes/first-hour-3/heartbeat", null, null, null);
        Await.until("first-hour-3 Ready", ONE_HEARTBEAT, () -> "True".equals(ready("first-hour-3").path("status")
                .asString("")));
        // The first heartbeat's flush (once a second) may still write the Node: wait until it has stopped changing.
        String version = Await.settled("first-hour-3 unchanged through a flush", Duration.ofMillis(1500),
                Duration.ofSeconds(10), () -> node("first-hour-3").path("metadata").path("resourceVersion").asString());
        for (int i = 0; i < 3; i++) {
            assertThat(agent.send("PUT", "/agent/v1/nodes/first-hour-3/heartbeat", null, null, null).status())
                    .isEqualTo(200);
            Thread.sleep(700); // pacing: the heartbeats spread over several flushes
        }
        Await.holds("a Ready node's heartbeats do not rewrite the Node (through the next flushes)",
                Duration.ofMillis(1500), () -> version.equals(node("first-hour-3").path("metadata")
                        .path("resourceVersion").asString()));
    }

    private static void assertServerManagedReady(JsonNode ready, Instant notBefore) {
        assertThat(ready.path("reason").asString()).isEqualTo("KubeletReady");
        assertThat(ready.path("message").asString()).isNotBlank();
        assertThat(Instant.parse(ready.path("lastHeartbeatTime").asString())).isAfterOrEqualTo(notBefore);
        assertThat(Instant.parse(ready.path("lastTransitionTime").asString())).isAfterOrEqualTo(notBefore);
    }

    private JsonNode node(String name) {
        Response r = api.get("/api/v1/nodes/" + name);
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    private JsonNode ready(String name) {
        for (JsonNode c : node(name).path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asString(""))) {
                return c;
            }
        }
        return Json.object();
    }

    /** The STATUS cell of kubectl get nodes (the Table the server renders for it). */
    private String tableStatus(String name) {
        Response table = api.get("/api/v1/nodes/" + name, TABLE);
        assertThat(table.status()).isEqualTo(200);
        JsonNode columns = table.json().path("columnDefinitions");
        int status = -1;
        for (int i = 0; i < columns.size(); i++) {
            if ("Status".equals(columns.get(i).path("name").asString())) {
                status = i;
            }
        }
        assertThat(status).as("a Status column in %s", columns).isNotNegative();
        return table.json().path("rows").get(0).path("cells").get(status).asString();
    }
}
