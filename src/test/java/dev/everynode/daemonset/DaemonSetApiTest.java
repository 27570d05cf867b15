package dev.everynode.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The DaemonSet resource over real HTTP on real PostgreSQL: create, read, replace, patch, status, delete. */
class DaemonSetApiTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";

    @Test
    void createsFromYamlWithDefaultsAndReadsBackAsYaml() {
        Response created = api.send("POST", DS, Fixtures.fluentdYaml(namespace), "application/yaml", null);
        assertThat(created.status()).isEqualTo(201);
        JsonNode ds = created.json();
        assertThat(ds.path("kind").asString()).isEqualTo("DaemonSet");
        assertThat(ds.path("apiVersion").asString()).isEqualTo("apps/v1");
        assertThat(ds.path("metadata").path("uid").asString()).isNotEmpty();
        assertThat(ds.path("metadata").path("resourceVersion").isString()).isTrue();
        assertThat(ds.path("metadata").path("generation").asLong()).isEqualTo(1);
        assertThat(ds.path("metadata").path("creationTimestamp").asString()).endsWith("Z");
        assertThat(ds.path("metadata").path("annotations").path("deprecated.daemonset.template.generation").asString())
                .isEqualTo("1");
        JsonNode spec = ds.path("spec");
        assertThat(spec.path("updateStrategy").path("type").asString()).isEqualTo("RollingUpdate");
        assertThat(spec.path("updateStrategy").path("rollingUpdate").path("maxUnavailable").asInt()).isEqualTo(1);
        assertThat(spec.path("updateStrategy").path("rollingUpdate").path("maxSurge").asInt()).isEqualTo(0);
        assertThat(spec.path("revisionHistoryLimit").asInt()).isEqualTo(10);
        JsonNode podSpec = spec.path("template").path("spec");
        assertThat(podSpec.path("restartPolicy").asString()).isEqualTo("Always");
        assertThat(podSpec.path("dnsPolicy").asString()).isEqualTo("ClusterFirst");
        assertThat(podSpec.path("containers").get(0).path("imagePullPolicy").asString()).isEqualTo("Always");

        Response yaml = api.get(DS + "/fluentd", "application/yaml");
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.header("Content-Type")).startsWith("application/yaml");
        JsonNode fromYaml = Json.YAML.readTree(yaml.body());
        assertThat(fromYaml.path("metadata").path("uid")).isEqualTo(ds.path("metadata").path("uid"));
        assertThat(fromYaml.path("spec").path("template").path("spec").path("volumes").size()).isEqualTo(2);
    }

    @Test
    void statusSentOnCreateIsDiscarded() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        ds.putObject("status").put("numberReady", 7);
        Response created = api.post(DS, ds);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("status").path("numberReady").isMissingNode()).isTrue();
    }

    @Test
    void secondCreateIsAlreadyExists() {
        api.post(DS, Fixtures.fluentd(namespace));
        Response again = api.post(DS, Fixtures.fluentd(namespace));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("kind").asString()).isEqualTo("Status");
        assertThat(again.json().path("reason").asString()).isEqualTo("AlreadyExists");
        assertThat(again.json().path("message").asString()).isEqualTo("daemonsets.apps \"fluentd\" already exists");
    }

    @Test
    void staleResourceVersionIsConflictAndChangesNothing() {
        api.post(DS, Fixtures.fluentd(namespace));
        JsonNode created = fresh();
        ObjectNode first = ((ObjectNode) created).deepCopy();
        imageOf(first, "fluent/fluentd:v1");
        assertThat(api.put(DS + "/fluentd", first).status()).isEqualTo(200);

        ObjectNode stale = ((ObjectNode) created).deepCopy();
        imageOf(stale, "fluent/fluentd:v2");
        Response conflict = api.put(DS + "/fluentd", stale);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().path("reason").asString()).isEqualTo("Conflict");
        assertThat(conflict.json().path("message").asString()).contains("the object has been modified");
        assertThat(image(api.get(DS + "/fluentd").json())).isEqualTo("fluent/fluentd:v1");
    }

    @Test
    void generationBumpsOnSpecChangesOnly() {
        api.post(DS, Fixtures.fluentd(namespace));
        JsonNode created = fresh();
        ObjectNode labelsOnly = ((ObjectNode) created).deepCopy();
        ((ObjectNode) labelsOnly.path("metadata")).remove("resourceVersion");
        Json.child(Json.child(labelsOnly, "metadata"), "labels").put("team", "logging");
        JsonNode afterLabels = api.put(DS + "/fluentd", labelsOnly).json();
        assertThat(afterLabels.path("metadata").path("generation").asLong()).isEqualTo(1);

        ObjectNode specChange = ((ObjectNode) fresh()).deepCopy();
        ((ObjectNode) specChange.path("metadata")).remove("resourceVersion");
        imageOf(specChange, "fluent/fluentd:v2");
        JsonNode afterSpec = api.put(DS + "/fluentd", specChange).json();
        assertThat(afterSpec.path("metadata").path("generation").asLong()).isEqualTo(2);
        assertThat(afterSpec.path("metadata").path("annotations").path("deprecated.daemonset.template.generation")
                .asString()).isEqualTo("2");
    }

    @Test
    void statusSubresourceChangesOnlyStatusAndObjectWritesIgnoreStatus() {
        api.post(DS, Fixtures.fluentd(namespace));
        JsonNode created = fresh();
        ((ObjectNode) created.path("metadata")).remove("resourceVersion");
        ObjectNode withStatus = ((ObjectNode) created).deepCopy();
        withStatus.putObject("status").put("numberReady", 2).put("desiredNumberScheduled", 3);
        imageOf(withStatus, "ignored/by:status");
        Response status = api.put(DS + "/fluentd/status", withStatus);
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().path("status").path("numberReady").asInt()).isEqualTo(2);
        assertThat(image(status.json())).isEqualTo("fluent/fluentd");

        ObjectNode objectWrite = status.object().deepCopy();
        ((ObjectNode) objectWrite.path("metadata")).remove("resourceVersion");
        objectWrite.putObject("status").put("numberReady", 99);
        Response put = api.put(DS + "/fluentd", objectWrite);
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().path("status").path("numberReady").asInt()).isNotEqualTo(99);
    }

    @Test
    void mergePatchAndJsonPatchChangeTheTemplate() {
        api.post(DS, Fixtures.fluentd(namespace));
        Response merge = api.patch(DS + "/fluentd", "application/merge-patch+json",
                Json.parseObject("{\"metadata\":{\"labels\":{\"tier\":\"node\"}}}"));
        assertThat(merge.status()).isEqualTo(200);
        assertThat(merge.json().path("metadata").path("labels").path("tier").asString()).isEqualTo("node");
        Response jsonPatch = api.patch(DS + "/fluentd", "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"fluent/fluentd:v3\"}]");
        assertThat(jsonPatch.status()).isEqualTo(200);
        assertThat(image(jsonPatch.json())).isEqualTo("fluent/fluentd:v3");
        assertThat(jsonPatch.json().path("metadata").path("generation").asLong()).isEqualTo(2);
    }

    @Test
    void invalidDaemonSetIs422WithFieldCauses() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        Json.child(Json.child(Json.child(ds, "spec"), "template"), "metadata").putObject("labels").put("name", "other");
        Response invalid = api.post(DS, ds);
        assertThat(invalid.status()).isEqualTo(422);
        JsonNode body = invalid.json();
        assertThat(body.path("reason").asString()).isEqualTo("Invalid");
        assertThat(body.path("details").path("kind").asString()).isEqualTo("DaemonSet");
        assertThat(body.path("details").path("name").asString()).isEqualTo("fluentd");
        assertThat(body.path("details").path("causes").get(0).path("field").asString())
                .isEqualTo("spec.template.metadata.labels");
        assertThat(body.path("message").asString()).startsWith("DaemonSet \"fluentd\" is invalid: ");
        assertThat(api.get(DS + "/fluentd").status()).isEqualTo(404);
    }

    @Test
    void selectorIsImmutable() {
        api.post(DS, Fixtures.fluentd(namespace));
        JsonNode created = fresh();
        ((ObjectNode) created.path("metadata")).remove("resourceVersion");
        ObjectNode changed = ((ObjectNode) created).deepCopy();
        Json.child(Json.child(Json.child(changed, "spec"), "selector"), "matchLabels").put("extra", "x");
        Json.child(Json.child(Json.child(Json.child(changed, "spec"), "template"), "metadata"), "labels").put("extra", "x");
        Response refused = api.put(DS + "/fluentd", changed);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("field is immutable");
    }

    @Test
    void missingNamespaceIs404() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        Json.child(ds, "metadata").put("namespace", "nosuchns");
        Response missing = api.post("/apis/apps/v1/namespaces/nosuchns/daemonsets", ds);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("message").asString()).isEqualTo("namespaces \"nosuchns\" not found");
    }

    @Test
    void malformedBodiesAre400AndUnknownMediaTypeIs415() {
        assertThat(api.send("POST", DS, "{not json", "application/json", null).status()).isEqualTo(400);
        assertThat(api.send("POST", DS, "a: [unclosed", "application/yaml", null).status()).isEqualTo(400);
        Response unsupported = api.send("POST", DS, "<xml/>", "application/xml", null);
        assertThat(unsupported.status()).isEqualTo(415);
        assertThat(unsupported.json().path("reason").asString()).isEqualTo("UnsupportedMediaType");
        assertThat(api.patch(DS + "/fluentd", "text/plain", "x").status()).isIn(404, 415);
    }

    @Test
    void bodiesOver3MiBAre413() {
        byte[] big = new byte[3 * 1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        Response tooLarge = api.send("POST", DS, big, "application/json", null);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().path("kind").asString()).isEqualTo("Status");
    }

    @Test
    void unsupportedMethodIs405() {
        Response notAllowed = api.send("POST", DS + "/fluentd", "{}", "application/json", null);
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.json().path("kind").asString()).isEqualTo("Status");
    }

    @Test
    void listsWithLabelSelectorsAndCarriesListResourceVersion() {
        api.post(DS, Fixtures.fluentd(namespace));
        ObjectNode other = Fixtures.fluentd(namespace);
        Json.child(other, "metadata").put("name", "other");
        Json.child(Json.child(other, "metadata"), "labels").put("k8s-app", "other");
        api.post(DS, other);
        JsonNode list = api.get(DS + "?labelSelector=k8s-app%20in%20(fluentd-logging)").json();
        assertThat(list.path("kind").asString()).isEqualTo("DaemonSetList");
        assertThat(list.path("metadata").path("resourceVersion").isString()).isTrue();
        assertThat(list.path("items").size()).isEqualTo(1);
        assertThat(api.get("/apis/apps/v1/daemonsets?labelSelector=!k8s-app").json().path("items").size()).isZero();
        assertThat(api.get(DS + "?fieldSelector=metadata.name%3Dother").json().path("items").size()).isEqualTo(1);
        assertThat(api.get(DS + "?fieldSelector=spec.bogus%3Dx").status()).isEqualTo(400);
    }

    @Test
    void deleteCollectionByLabelSelector() {
        api.post(DS, Fixtures.fluentd(namespace));
        Response deleted = api.delete(DS + "?labelSelector=k8s-app%3Dfluentd-logging");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(api.get(DS + "/fluentd").status()).isEqualTo(404);
    }

    /** The stored object as it is now (the reconciler writes status right after a create). */
    private JsonNode fresh() {
        dev.everynode.support.Await.until("status observed", java.time.Duration.ofSeconds(10), () -> {
            JsonNode ds = api.get(DS + "/fluentd").json();
            return ds.path("status").path("observedGeneration").asLong() >= ds.path("metadata").path("generation").asLong();
        });
        return api.get(DS + "/fluentd").json();
    }

    private static void imageOf(ObjectNode ds, String image) {
        ((ObjectNode) ds.path("spec").path("template").path("spec").path("containers").get(0)).put("image", image);
    }

    private static String image(JsonNode ds) {
        return ds.path("spec").path("template").path("spec").path("containers").get(0).path("image").asString();
    }
}
