package dev.everynode.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Await;
import dev.everynode.support.IntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * After a node was marked unreachable, its heartbeats ask the agent to report every pod again
 * ({@code resyncPodStatus}) until a report marked {@code "resync": true} has committed: not once. An answer can be
 * lost on the way (FaultsIT: agents partitioned for 30 s, their heartbeats held by the network until their own
 * 30 s timeout; the server answered "resync" to requests nobody read any more, and the pods of 7 nodes stayed not
 * Ready for good).
 */
class ResyncAfterUnreachableTest extends IntegrationTest {

    private static final String NODE = "resync-1";

    @Test
    void heartbeatsAskForAFullReportUntilOneLands() {
        Response registered = api.withToken(BOOTSTRAP_TOKEN).post("/agent/v1/nodes", Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "resync-1"}, "status": {}}"""));
        assertThat(registered.status()).isEqualTo(201);
        ApiClient agent = api.withToken(registered.header("Everynode-Node-Token"));
        assertThat(resyncAsked(agent)).as("a fresh node is not asked").isFalse();

        // Silent for longer than the grace period (3 s in tests): Ready Unknown, the flag set.
        Await.until(NODE + " Ready=Unknown", Duration.ofSeconds(10), () -> "Unknown".equals(ready()));

        // Heartbeats resume. Once the node is back (and the flag read again at a flush, once a second) every answer
        // asks for a full report while none has landed: a lost answer is asked again.
        Await.until(NODE + " Ready again", Duration.ofSeconds(10), () -> {
            resyncAsked(agent);
            return "True".equals(ready());
        });
        Await.until("a heartbeat asks for a full report", Duration.ofSeconds(3), () -> resyncAsked(agent));
        assertThat(resyncAsked(agent)).as("still asked: a lost answer is asked again").isTrue();
        assertThat(resyncAsked(agent)).isTrue();

        // A report that is not marked resync does not count; one that is (no pod here: an empty list) does.
        assertThat(agent.post("/agent/v1/nodes/" + NODE + "/pod-statuses", Json.parseObject("""
                {"statuses": []}""")).status()).isEqualTo(200);
        assertThat(resyncAsked(agent)).as("a partial report is not the full one").isTrue();
        assertThat(agent.post("/agent/v1/nodes/" + NODE + "/pod-statuses", Json.parseObject("""
                {"statuses": [], "resync": "yes"}""")).status()).as("resync must be a boolean").isEqualTo(400);
        assertThat(agent.post("/agent/v1/nodes/" + NODE + "/pod-statuses", Json.parseObject("""
                {"statuses": [], "resync": true}""")).status()).isEqualTo(200);
        assertThat(resyncAsked(agent)).as("not asked once the full report landed").isFalse();
        Await.until("the flag cleared in the database", Duration.ofSeconds(3), () -> !jdbc.queryForObject(
                "SELECT resync_pending FROM node_heartbeats WHERE node_name = ?", Boolean.class, NODE));
        // After the next flush (it reads the flags again) the answer stays no.
        Await.holds("heartbeats not asking for a full report", Duration.ofMillis(1500), () -> !resyncAsked(agent));
    }

    private boolean resyncAsked(ApiClient agent) {
        Response r = agent.send("PUT", "/agent/v1/nodes/" + NODE + "/heartbeat", null, null, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("resyncPodStatus").asBoolean();
    }

    private String ready() {
        for (JsonNode c : api.get("/api/v1/nodes/" + NODE).json().path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asString())) {
                return c.path("status").asString();
            }
        }
        return null;
    }
}
