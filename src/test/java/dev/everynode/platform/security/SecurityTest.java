package dev.everynode.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Each role against each endpoint class over real HTTP: what is allowed, what is refused, and how. */
class SecurityTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";

    private ApiClient viewer;
    private ApiClient nodeA;
    private ApiClient bootstrap;
    private String podOnA;
    private String podOnB;

    @BeforeEach
    void rolesAndAFleet() {
        viewer = api.withToken(create("alice", "viewer", null).path("token").asString());
        bootstrap = api.withToken(BOOTSTRAP_TOKEN);
        Response registered = bootstrap.post("/agent/v1/nodes", Fixtures.node("node-a"));
        assertThat(registered.status()).isEqualTo(201);
        String credential = registered.header("Everynode-Node-Token");
        assertThat(credential).startsWith("enn_");
        nodeA = api.withToken(credential);
        assertThat(bootstrap.post("/agent/v1/nodes", Fixtures.node("node-b")).status()).isEqualTo(201);
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        Await.until("pods on both nodes", Duration.ofSeconds(15), () -> podName("node-a") != null
                && podName("node-b") != null);
        podOnA = podName("node-a");
        podOnB = podName("node-b");
    }

    @Test
    void noOrBadCredentialsAre401StatusesEverywhereButProbesAndApiDocs() {
        ApiClient anonymous = api.withToken(null);
        for (String path : List.of(DS, "/api/v1/nodes", "/version", "/api", "/agent/v1/nodes/node-a/assignments",
                "/everynode/v1/tokens")) {
            Response r = anonymous.get(path);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.json().path("kind").asString()).isEqualTo("Status");
            assertThat(r.json().path("reason").asString()).isEqualTo("Unauthorized");
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
        assertThat(api.withToken("garbage").get(DS).status()).isEqualTo(401);
        assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(anonymous.get("/v3/api-docs").status()).isEqualTo(200);
        assertThat(anonymous.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }

    @Test
    void revokedTokensStopWorking() {
        JsonNode token = create("bob", "viewer", null);
        ApiClient bob = api.withToken(token.path("token").asString());
        assertThat(bob.get(DS).status()).isEqualTo(200);
        assertThat(api.delete("/everynode/v1/tokens/" + token.path("id").asString()).status()).isEqualTo(200);
        assertThat(bob.get(DS).status()).isEqualTo(401);
        JsonNode listed = api.get("/everynode/v1/tokens").json().path("items");
        assertThat(listed.toString()).doesNotContain(token.path("token").asString()).contains("revokedAt");
    }

    @Test
    void viewerReadsAndWatchesButWritesNothing() {
        assertThat(viewer.get(DS).status()).isEqualTo(200);
        assertThat(viewer.get("/api/v1/pods").status()).isEqualTo(200);
        assertThat(viewer.get("/version").status()).isEqualTo(200);
        assertThat(viewer.get(DS + "?watch=true&timeoutSeconds=1").status()).isEqualTo(200);
        expectForbidden(viewer.post(DS, Fixtures.fluentd(namespace)));
        expectForbidden(viewer.delete(DS + "/fluentd"));
        expectForbidden(viewer.patch("/api/v1/nodes/node-a", "application/merge-patch+json",
                Json.parseObject("{\"spec\":{\"unschedulable\":true}}")));
        expectForbidden(viewer.post("/everynode/v1/tokens", Json.parseObject("{\"name\":\"x\",\"role\":\"admin\"}")));
        assertThat(api.get(DS + "/fluentd").status()).isEqualTo(200);
    }

    @Test
    void aNodeActsOnItselfAndItsPodsOnly() {
        assertThat(nodeA.put("/agent/v1/nodes/node-a/heartbeat", "").status()).isEqualTo(200);
        assertThat(nodeA.get("/agent/v1/nodes/node-a/assignments").status()).isEqualTo(200);
        assertThat(nodeA.get("/api/v1/nodes/node-a").status()).isEqualTo(200);
        assertThat(nodeA.get("/api/v1/namespaces/" + namespace + "/pods/" + podOnA).status()).isEqualTo(200);
        assertThat(nodeA.post("/agent/v1/nodes/node-a/pod-statuses", statuses(podOnA)).status()).isEqualTo(200);

        expectForbidden(nodeA.get("/agent/v1/nodes/node-b/assignments"));
        expectForbidden(nodeA.put("/agent/v1/nodes/node-b/heartbeat", ""));
        expectForbidden(nodeA.get("/api/v1/nodes/node-b"));
        expectForbidden(nodeA.get("/api/v1/namespaces/" + namespace + "/pods/" + podOnB));
        expectForbidden(nodeA.put("/api/v1/namespaces/" + namespace + "/pods/" + podOnB + "/status",
                api.get("/api/v1/namespaces/" + namespace + "/pods/" + podOnB).json()));
        expectForbidden(nodeA.post("/agent/v1/nodes/node-b/pod-statuses", statuses(podOnB)));
        expectForbidden(nodeA.post("/agent/v1/nodes/node-a/pod-statuses", statuses(podOnB)));
        expectForbidden(nodeA.post("/agent/v1/nodes", Fixtures.node("node-b")));
        expectForbidden(nodeA.get(DS));
        expectForbidden(nodeA.delete("/api/v1/nodes/node-a"));
        expectForbidden(nodeA.get("/api/v1/pods"));
        assertThat(api.get("/api/v1/namespaces/" + namespace + "/pods/" + podOnB).json()
                .path("status").path("phase").asString()).isEqualTo("Pending");
    }

    @Test
    void bootstrapTokensOnlyRegisterAndAReRegistrationRevokesTheOldCredential() {
        expectForbidden(bootstrap.get(DS));
        expectForbidden(bootstrap.get("/agent/v1/nodes/node-a/assignments"));
        Response again = bootstrap.post("/agent/v1/nodes", Fixtures.node("node-a"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(nodeA.get("/agent/v1/nodes/node-a/assignments").status()).isEqualTo(401);
        ApiClient renewed = api.withToken(again.header("Everynode-Node-Token"));
        assertThat(renewed.get("/agent/v1/nodes/node-a/assignments").status()).isEqualTo(200);
    }

    @Test
    void onlyAdminsManageTokensAndTheSecretIsStoredAsAHash() {
        JsonNode created = create("carol", "admin", null);
        String token = created.path("token").asString();
        String stored = jdbc.queryForObject("SELECT token_hash FROM api_tokens WHERE id = ?::uuid", String.class,
                created.path("id").asString());
        assertThat(stored).isEqualTo(Tokens.sha256(token)).doesNotContain(token);
        Integer plain = jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE token_hash = ?", Integer.class, token);
        assertThat(plain).isZero();
        expectForbidden(nodeA.get("/everynode/v1/tokens"));
        expectForbidden(viewer.get("/everynode/v1/tokens"));
        expectForbidden(viewer.delete("/everynode/v1/tokens/" + created.path("id").asString()));
    }

    private JsonNode create(String name, String role, String node) {
        var body = Json.object().put("name", name).put("role", role);
        if (node != null) {
            body.put("nodeName", node);
        }
        Response r = api.post("/everynode/v1/tokens", body);
        assertThat(r.status()).isEqualTo(201);
        return r.json();
    }

    private static void expectForbidden(Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.json().path("reason").asString()).isEqualTo("Forbidden");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private String podName(String node) {
        for (JsonNode p : api.get("/api/v1/pods?fieldSelector=spec.nodeName%3D" + node).json().path("items")) {
            return p.path("metadata").path("name").asString();
        }
        return null;
    }

    private JsonNode statuses(String pod) {
        var body = Json.object();
        var item = body.putArray("statuses").addObject();
        item.put("namespace", namespace).put("name", pod);
        item.putObject("status").put("phase", "Running");
        return body;
    }

}
