package dev.everynode.firsthour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 21, item 3: YAML output that kubectl could not read back. Strings that look like numbers were printed
 * bare (so {@code resourceVersion: 309} read back as a number), and numbers were accepted as label and annotation
 * values, after which kubectl describe / rollout failed to decode the object. Now the YAML writer quotes every
 * string a reader would take for something else, as Kubernetes' does, and decoding refuses a non-string where a
 * string belongs with the API server's 400. The same round trip through the real kubectl:
 * {@code FirstHourItem3YamlRoundTripIT}.
 */
class FirstHourItem3YamlTypesTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";

    @Test
    void item3_numericLabelAndAnnotationValuesAreA400AndNothingIsStored() {
        String label = Fixtures.fluentdYaml(namespace).replace("k8s-app: fluentd-logging", "k8s-app: 7");
        DecodeErrors.assertDecodeError(api.send("POST", DS, label, "application/yaml", null), DecodeErrors.DAEMON_SET
                + "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string",
                "metadata.labels[k8s-app]");

        String annotation = Fixtures.fluentdYaml(namespace).replace("  labels:\n    k8s-app: fluentd-logging\n",
                "  labels:\n    k8s-app: fluentd-logging\n"
                        + "  annotations:\n    deprecated.daemonset.template.generation: 7\n");
        Response a = api.send("POST", DS, annotation, "application/yaml", null);
        assertThat(a.status()).as(a.body()).isEqualTo(400);
        assertThat(a.json().path("message").asString()).endsWith("json: cannot unmarshal number into Go struct field "
                + "ObjectMeta.metadata.annotations of type string");

        String template = Fixtures.fluentdYaml(namespace)
                .replace("        name: fluentd\n", "        name: fluentd\n        tier: true\n");
        assertThat(api.send("POST", DS, template, "application/yaml", null).json().path("message").asString())
                .endsWith("json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.labels "
                        + "of type string");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM objects WHERE kind = 'DaemonSet'", Integer.class))
                .isZero();

        // On an existing object too: a PUT or a patch that would store a number changes nothing.
        assertThat(api.send("POST", DS, Fixtures.fluentdYaml(namespace), "application/yaml", null).status()).isEqualTo(201);
        ObjectNode current = api.get(DS + "/fluentd").object();
        ((ObjectNode) current.at("/metadata/labels")).put("k8s-app", 7);
        assertThat(api.put(DS + "/fluentd", current).status()).isEqualTo(400);
        assertThat(api.patch(DS + "/fluentd", "application/strategic-merge-patch+json",
                Json.parseObject("{\"metadata\": {\"annotations\": {\"x\": 1}}}")).status()).isEqualTo(422);
        JsonNode stored = api.get(DS + "/fluentd").json().path("metadata");
        assertThat(stored.path("labels").path("k8s-app").asString()).isEqualTo("fluentd-logging");
        assertThat(stored.path("annotations").has("x")).isFalse();
    }

    @Test
    void item3_yamlOutputQuotesStringsThatLookLikeNumbersAndReadsBackUnchanged() {
        assertThat(api.send("POST", DS, Fixtures.fluentdYaml(namespace), "application/yaml", null).status()).isEqualTo(201);
        // The reconciler's first status write would make the GET below stale (409 on the PUT, as in Kubernetes).
        Await.until("the first status", Duration.ofSeconds(20),
                () -> api.get(DS + "/fluentd").json().at("/status/observedGeneration").asInt() == 1);
        Response yaml = api.get(DS + "/fluentd", "application/yaml");
        String rv = api.get(DS + "/fluentd").json().at("/metadata/resourceVersion").asString();

        assertThat(yaml.body()).contains("  resourceVersion: \"" + rv + "\"\n")
                .contains("    deprecated.daemonset.template.generation: \"1\"\n")
                .containsPattern("  creationTimestamp: \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"\n")
                .contains("    k8s-app: fluentd-logging\n");
        // PUT back as it came: 200, and every string is still a string.
        Response put = api.send("PUT", DS + "/fluentd", yaml.body(), "application/yaml", null);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        JsonNode meta = put.json().path("metadata");
        assertThat(meta.path("resourceVersion").isString()).isTrue();
        assertThat(meta.path("annotations").path("deprecated.daemonset.template.generation").isString()).isTrue();
    }

    @Test
    void item3_theYamlWriterQuotesWhatAReaderWouldTakeForSomethingElse() {
        Map<String, Boolean> quoted = new java.util.LinkedHashMap<>();
        for (String s : new String[] {"309", "-1", "+1", "1.5", "1e3", "1_000", "0x1F", "0o17", "0755", "0b101",
                ".inf", "-.Inf", ".NaN", "~", "null", "true", "False", "yes", "off", "y", "1:30",
                "2026-12-04T21:19:15Z", "2026-12-04", ""}) {
            quoted.put(s, true);
        }
        for (String s : new String[] {"fluentd", "fluent/fluentd:v1.17-1", "1.17-1", "v1", "a1", "10%", "-10%",
                "1.2.3", "kube-system", "node-00001"}) {
            quoted.put(s, false);
        }
        quoted.forEach((value, mustQuote) -> {
            ObjectNode doc = Json.object().put("v", value);
            String out = Json.YAML.writeValueAsString(doc);
            assertThat(out.startsWith("v: \"") || out.startsWith("v: '")).as("%s -> %s", value, out)
                    .isEqualTo(mustQuote);
            assertThat(Json.YAML.readTree(out)).as("%s read back", value).isEqualTo(doc);
        });
        ObjectNode key = Json.object();
        key.putObject("labels").put("123", "x");
        assertThat(Json.YAML.writeValueAsString(key)).contains("\"123\": x");
    }
}
