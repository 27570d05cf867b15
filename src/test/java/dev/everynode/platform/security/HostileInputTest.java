package dev.everynode.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Input meant to hurt: each gets a clean 4xx Status, nothing is stored, and no stack trace leaves the server.
 * docs/security.md lists what was tried and what each returned.
 */
class HostileInputTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";

    @Test
    void yamlBombIsRefused() {
        String bomb = """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
                i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
                """;
        Response r = api.send("POST", DS, bomb, "application/yaml", null);
        assertRefused(r, 400);
        assertThat(r.json().path("message").asString()).contains("YAML aliases");
    }

    @Test
    void deeplyNestedYamlIsRefused() {
        String deep = "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        assertRefused(api.send("POST", DS, deep, "application/yaml", null), 400);
    }

    @Test
    void deeplyNestedJsonIsRefused() {
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
        assertRefused(api.send("POST", DS, deep, "application/json", null), 400);
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] head = "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};
        byte[] tail = "\"}}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(bad, 0, body, head.length, bad.length);
        System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
        assertRefused(api.send("POST", DS, body, "application/json", null), 400);
    }

    @Test
    void annotationsOver256KiBAreInvalid() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        Json.child(Json.child(ds, "metadata"), "annotations").put("big", "x".repeat(300 * 1024));
        Response r = api.post(DS, ds);
        assertRefused(r, 422);
        assertThat(r.body()).contains("metadata.annotations").contains("Too long");
    }

    @Test
    void hugeLabelMapsWithBadKeysAreInvalid() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        ObjectNode labels = Json.child(Json.child(ds, "metadata"), "labels");
        for (int i = 0; i < 5000; i++) {
            labels.put("bad key " + i, "v");
        }
        assertRefused(api.post(DS, ds), 422);
    }

    @Test
    void overlongNamesAreInvalid() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        Json.child(ds, "metadata").put("name", "a".repeat(300));
        Response r = api.post(DS, ds);
        assertRefused(r, 422);
        assertThat(r.body()).contains("metadata.name");
        ObjectNode node = Fixtures.node("n".repeat(254));
        assertRefused(api.post("/api/v1/nodes", node), 422);
    }

    @Test
    void unknownFieldsUnderStrictAreBadRequestsAndWarnedOtherwise() {
        ObjectNode ds = Fixtures.fluentd(namespace);
        Json.child(ds, "spec").put("replicas", 3);
        Response strict = api.post(DS + "?fieldValidation=Strict", ds);
        assertRefused(strict, 400);
        assertThat(strict.json().path("message").asString())
                .isEqualTo("DaemonSet in version \"v1\" cannot be handled as a DaemonSet: strict decoding error: "
                        + "unknown field \"spec.replicas\"");
        Response warn = api.post(DS + "?fieldValidation=Warn", ds);
        assertThat(warn.status()).isEqualTo(201);
        assertThat(warn.header("Warning")).isEqualTo("299 - \"unknown field \\\"spec.replicas\\\"\"");
        assertThat(warn.json().path("spec").has("replicas")).isFalse();
    }

    @Test
    void bodiesOverTheLimitAre413EvenWithoutContentLength() {
        byte[] big = new byte[4 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        assertRefused(api.send("POST", DS, big, "application/json", null), 413);
    }

    private void assertRefused(Response r, int code) {
        assertThat(r.status()).as(r.body().length() > 300 ? r.body().substring(0, 300) : r.body()).isEqualTo(code);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("tools.jackson");
        Integer stored = jdbc.queryForObject("SELECT count(*) FROM objects WHERE kind = 'DaemonSet'", Integer.class);
        if (code != 201) {
            assertThat(stored).isZero();
        }
    }
}
