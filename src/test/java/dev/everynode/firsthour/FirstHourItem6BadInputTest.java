package dev.everynode.firsthour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.Messages;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 21, item 6: bad input that slipped through or was reported confusingly. Type mismatches are refused by
 * the typed decoding step ({@code TypedFields}) with the 400 BadRequest the API server's decoder gives, before
 * validation; validation errors keep Kubernetes' causes.
 */
class FirstHourItem6BadInputTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";

    @Test
    void item6_aRollbackToRevisionThatIsNotANumberIsA400OnToRevision() {
        assertThat(api.send("POST", DS, Fixtures.fluentdYaml(namespace), "application/yaml", null).status()).isEqualTo(201);
        assertThat(api.patch(DS + "/fluentd", "application/json-patch+json", "[{\"op\": \"replace\", \"path\": "
                + "\"/spec/template/spec/containers/0/image\", \"value\": \"fluent/fluentd:v2\"}]").status())
                .isEqualTo(200);
        Await.until("two revisions", Duration.ofSeconds(20), () -> api.get(
                "/apis/apps/v1/namespaces/" + namespace + "/controllerrevisions").json().path("items").size() == 2);

        Response r = api.post(DS + "/fluentd/rollback", Json.parseObject("{\"toRevision\": \"abc\"}"));
        DecodeErrors.assertDecodeError(r,
                "json: cannot unmarshal string into Go struct field DaemonSetRollback.toRevision of type int64",
                "toRevision");
        assertThat(image()).as("not rolled back").isEqualTo("fluent/fluentd:v2");
        assertThat(api.post(DS + "/fluentd/rollback", Json.parseObject("{\"toRevision\": 1.5}")).status())
                .isEqualTo(400);
        assertThat(api.post(DS + "/fluentd/rollback", Json.parseObject("{\"toRevision\": 1}")).status())
                .isEqualTo(200);
        assertThat(image()).isEqualTo("fluent/fluentd");
    }

    @Test
    void item6_containersAsAStringIsATypeErrorNotAMissingValue() {
        String yaml = Fixtures.fluentdYaml(namespace).replaceAll("(?s)      containers:\n.*?      terminationGracePeriodSeconds",
                "      containers: nginx\n      terminationGracePeriodSeconds");
        assertThat(yaml).contains("containers: nginx\n");

        DecodeErrors.assertDecodeError(api.send("POST", DS, yaml, "application/yaml", null), DecodeErrors.DAEMON_SET
                + "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type "
                + "[]v1.Container", "spec.template.spec.containers");
        assertNothingStored();
    }

    @Test
    void item6_malformedYamlNamesTheLineAndColumn() {
        String yaml = """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: [fluentd
                  namespace: kube-system
                """;

        Response r = api.send("POST", DS, yaml, "application/yaml", null);

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("reason").asString()).isEqualTo("BadRequest");
        assertThat(r.json().path("message").asString()).isEqualTo("error converting YAML to JSON: yaml: line 5, "
                + "column 12: expected ',' or ']', but got : (while parsing a flow sequence at line 4, column 9)");
        Response json = api.send("POST", DS, "{\"apiVersion\": \"apps/v1\",\n \"kind\": }", "application/json", null);
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.json().path("message").asString()).startsWith("json parse error: line 2, column 10: ");
        assertNothingStored();
    }

    /**
     * Kubernetes' ValidateRollingUpdateDaemonSet gives "-10%" two causes, not one: the percent is invalid, and,
     * since an invalid percent counts as 0 (getIntOrPercentValue falls back to IntValue, Atoi fails) while the
     * defaulted maxSurge is 0, "cannot be 0 when maxSurge is 0". Both are kept, exactly as the API server
     * answers; with a non-zero maxSurge only the first remains.
     */
    @Test
    void item6_aNegativePercentGetsExactlyTheCausesKubernetesGives() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        Json.child(Json.child(Json.child(ds, "spec"), "updateStrategy"), "rollingUpdate").put("maxUnavailable", "-10%");

        Response r = api.post(DS, ds);

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        String field = "spec.updateStrategy.rollingUpdate.maxUnavailable";
        assertThat(causes(r)).containsExactly(
                field + ": Invalid value: \"-10%\": " + Messages.PERCENT,
                field + ": Required value: cannot be 0 when maxSurge is 0");

        ((ObjectNode) ds.at("/spec/updateStrategy/rollingUpdate")).put("maxSurge", 1);
        assertThat(causes(api.post(DS, ds))).containsExactly(field + ": Invalid value: \"-10%\": " + Messages.PERCENT);
        assertNothingStored();
    }

    private static java.util.List<String> causes(Response r) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode c : r.json().path("details").path("causes")) {
            out.add(c.path("field").asString() + ": " + c.path("message").asString());
        }
        return out;
    }

    private String image() {
        return api.get(DS + "/fluentd").json().at("/spec/template/spec/containers/0/image").asString();
    }

    private void assertNothingStored() {
        assertThat(jdbc.queryForObject("SELECT count(*) FROM objects WHERE kind = 'DaemonSet'", Integer.class))
                .isZero();
    }
}
