package dev.everynode.firsthour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 21, item 1: the quick start's first curl posted a file that does not exist in a clone, so curl sent an
 * empty body, and the server answered 500. Every write endpoint the API documents (read from the served
 * {@code /v3/api-docs}, so a new one is covered too) must answer an empty body it requires with a 400 Status, as
 * Kubernetes does, and a body with a value of the wrong type with a 4xx Status; none may answer 5xx.
 */
class FirstHourItem1EmptyBodyTest extends IntegrationTest {

    /** A write endpoint: method, path with its variables filled in, whether the API says it needs a body. */
    record Endpoint(String method, String path, boolean bodyRequired) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @BeforeEach
    void objectsToWriteTo() {
        assertThat(api.send("POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", Fixtures.fluentdYaml(),
                "application/yaml", null).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/nodes", Fixtures.node("node-1")).status()).isEqualTo(201);
    }

    @Test
    void item1_everyWriteEndpointAnswersAnEmptyBodyWithA400Status() {
        List<Endpoint> endpoints = writeEndpoints();
        assertThat(endpoints).as("the documented write endpoints").hasSizeGreaterThanOrEqualTo(20)
                .extracting(Endpoint::toString).contains(
                        "POST /apis/apps/v1/namespaces/kube-system/daemonsets",
                        "PUT /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd/status",
                        "PATCH /api/v1/nodes/node-1",
                        "POST /apis/apps/v1/namespaces/kube-system/daemonsets/fluentd/rollback",
                        "POST /agent/v1/nodes", "PUT /agent/v1/nodes/node-1/heartbeat",
                        "POST /agent/v1/nodes/node-1/pod-statuses", "POST /everynode/v1/tokens");
        SoftAssertions soft = new SoftAssertions();
        for (Endpoint e : endpoints) {
            // curl -X POST without data sends no Content-Type; with --data-binary @missing-file it sends the one given.
            for (String contentType : contentTypes(e)) {
                Response r = api.send(e.method(), e.path(), null, contentType, null);
                String what = e + " (Content-Type " + contentType + "): " + r.body();
                if (e.bodyRequired()) {
                    soft.assertThat(r.status()).as(what).isEqualTo(400);
                    soft.assertThat(status(r).path("reason").asString()).as(what).isEqualTo("BadRequest");
                    soft.assertThat(status(r).path("code").asInt()).as(what).isEqualTo(400);
                    soft.assertThat(status(r).path("message").asString()).as(what).contains("request body is empty");
                } else {
                    soft.assertThat(r.status()).as(what).isLessThan(500);
                }
            }
        }
        soft.assertAll();
    }

    @Test
    void item1_theOptionalBodiesMeanWhatTheyDocument() {
        // rollback without a body is "toRevision 0" (the previous revision); a new DaemonSet has none.
        Response rollback = api.send("POST", "/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd/rollback",
                null, null, null);
        assertThat(rollback.status()).isEqualTo(400);
        assertThat(status(rollback).path("message").asString()).isEqualTo("no last revision to roll back to");
        // A heartbeat without a body is a plain heartbeat (the node is known, so 200).
        register("node-2");
        assertThat(api.send("PUT", "/agent/v1/nodes/node-2/heartbeat", null, null, null).status()).isEqualTo(200);
    }

    @Test
    void item1_everyWriteEndpointAnswersATypeErrorWithA4xxStatusAndStoresNothing() {
        SoftAssertions soft = new SoftAssertions();
        // The heartbeat's optional conditions are free-form in the schemas (NodeStatus), so it has no type to break.
        for (Endpoint e : writeEndpoints().stream().filter(e -> !e.path().endsWith("/heartbeat")).toList()) {
            String body = typeError(e);
            String contentType = e.method().equals("PATCH") ? "application/merge-patch+json" : "application/json";
            Response r = api.send(e.method(), e.path(), body, contentType, null);
            String what = e + " with " + body + ": " + r.body();
            soft.assertThat(r.status()).as(what).isBetween(400, 499);
            soft.assertThat(status(r).path("kind").asString()).as(what).isEqualTo("Status");
            soft.assertThat(r.body()).as(what).doesNotContain("Exception").doesNotContain("tools.jackson");
        }
        soft.assertAll();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM objects WHERE body->'metadata'->'labels' ? 'a'",
                Integer.class)).as("objects with the mistyped label").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_tokens", Integer.class)).as("tokens").isZero();
    }

    @Test
    void item1_aTypeErrorInAResourceBodyIsKubernetesDecodeError() {
        DecodeErrors.assertDecodeError(api.post("/apis/apps/v1/namespaces/kube-system/daemonsets", Json.parseObject(
                "{\"apiVersion\": \"apps/v1\", \"kind\": \"DaemonSet\", \"metadata\": {\"name\": 5}}")),
                DecodeErrors.DAEMON_SET + "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name "
                        + "of type string", "metadata.name");
        // The same through a patch: Kubernetes decodes the patched object and answers 422 on the field "patch".
        Response patch = api.patch("/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd",
                "application/merge-patch+json", Json.parseObject("{\"spec\": {\"minReadySeconds\": \"10\"}}"));
        assertThat(patch.status()).isEqualTo(422);
        assertThat(status(patch).path("message").asString()).isEqualTo("DaemonSet \"fluentd\" is invalid: patch: "
                + "Invalid value: \"{\\\"spec\\\":{\\\"minReadySeconds\\\":\\\"10\\\"}}\": json: cannot unmarshal "
                + "string into Go struct field DaemonSetSpec.spec.minReadySeconds of type int32");
    }

    @Test
    void item1_theQuickStartManifestShipsInTheRepository() throws Exception {
        Path example = Path.of("examples", "fluentd-daemonset.yaml");
        assertThat(example).exists();
        assertThat(Files.readString(example)).as("examples/ holds the walkthrough manifest the tests use")
                .isEqualTo(Fixtures.fluentdYaml());
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme.contains("--data-binary @examples/fluentd-daemonset.yaml"))
                .as("the README's curl posts examples/fluentd-daemonset.yaml").isTrue();
        assertThat(readme.contains("../shared/fixtures")).as("the README points outside the clone").isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The POST, PUT and PATCH operations of the served OpenAPI document, variables filled with existing objects. */
    private List<Endpoint> writeEndpoints() {
        JsonNode doc = api.get("/v3/api-docs").json();
        List<Endpoint> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (String method : List.of("post", "put", "patch")) {
                JsonNode op = path.getValue().get(method);
                if (op != null) {
                    out.add(new Endpoint(method.toUpperCase(java.util.Locale.ROOT), fill(path.getKey()),
                            op.path("requestBody").path("required").asBoolean(false)));
                }
            }
        }
        return out;
    }

    private static String fill(String template) {
        String name = template.contains("/daemonsets/") ? "fluentd"
                : template.startsWith("/api/v1/nodes/") ? "node-1"
                : template.startsWith("/api/v1/namespaces/{name}") ? "kube-system" : "some-name";
        return template.replace("{namespace}", "kube-system").replace("{node}", "node-1").replace("{name}", name);
    }

    private static List<String> contentTypes(Endpoint e) {
        List<String> types = new ArrayList<>();
        types.add(null);
        types.add(e.method().equals("PATCH") ? "application/merge-patch+json" : "application/json");
        types.add(e.method().equals("PATCH") ? "application/apply-patch+yaml" : "application/yaml");
        return types;
    }

    /** A body with one value of the wrong type, shaped for the endpoint. */
    private static String typeError(Endpoint e) {
        if (e.path().endsWith("/rollback")) {
            return "{\"toRevision\": \"abc\"}";
        }
        if (e.path().endsWith("/pod-statuses")) {
            return "{\"statuses\": [{\"namespace\": \"kube-system\", \"name\": 5, \"status\": \"Running\"}]}";
        }
        if (e.path().equals("/everynode/v1/tokens")) {
            return "{\"name\": 5, \"role\": [\"admin\"]}";
        }
        return "{\"metadata\": {\"labels\": {\"a\": 1}}}";
    }

    private void register(String node) {
        assertThat(api.withToken(BOOTSTRAP_TOKEN).post("/agent/v1/nodes", Fixtures.node(node)).status())
                .isEqualTo(201);
    }

    private static JsonNode status(Response r) {
        try {
            return r.json();
        } catch (RuntimeException notJson) {
            return Json.object();
        }
    }
}
