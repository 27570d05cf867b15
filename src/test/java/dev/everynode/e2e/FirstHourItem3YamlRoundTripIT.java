package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.e2e.KubectlCli.Result;
import dev.everynode.support.Fixtures;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 21, item 3, with the real kubectl against the packaged jar: {@code kubectl get -o yaml} piped into
 * {@code kubectl replace -f -} and {@code kubectl apply -f -} must leave an object kubectl can still read, and so
 * must the server's own YAML ({@code curl -H 'Accept: application/yaml'}). Before the fix the server printed
 * {@code resourceVersion: 309} and {@code deprecated.daemonset.template.generation: 2} bare, so they read back as
 * numbers: kubectl refused to decode them, and a curl PUT of them was accepted, after which {@code kubectl
 * describe}, {@code rollout status} and {@code rollout history} failed with {@code cannot unmarshal number into Go
 * struct field ObjectMeta.metadata.annotations of type string}. Transcript:
 * {@code target/first-hour-yaml-round-trip.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstHourItem3YamlRoundTripIT {

    private static final String NS = "kube-system";
    private static final String PATH = "/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd";

    @AutoClose
    private KubectlCluster cluster;
    private KubectlCli kubectl;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = KubectlCluster.start("first-hour-yaml-round-trip", List.of("node-00001", "node-00002"));
        String fluentd = Fixtures.fluentdYaml();
        Files.writeString(cluster.work().resolve("fluentd-daemonset.yaml"), fluentd);
        Files.writeString(cluster.work().resolve("fluentd-daemonset-v2.yaml"),
                fluentd.replace("image: fluent/fluentd\n", "image: fluent/fluentd:v2\n"));
        kubectl = cluster.kubectl();
    }

    @Test
    @Order(1)
    void item3_aDaemonSetWithHistory() {
        ok(kubectl.run("apply", "-f", "fluentd-daemonset.yaml"));
        rolledOut();
        ok(kubectl.run("apply", "-f", "fluentd-daemonset-v2.yaml"));
        rolledOut();
    }

    @Test
    @Order(2)
    void item3_theServersYamlPipedIntoKubectlReplaceReadsBack() {
        String yaml = serverYaml();
        assertThat(yaml).containsPattern("\n  resourceVersion: \"\\d+\"\n")
                .contains("\n    deprecated.daemonset.template.generation: \"2\"\n")
                .containsPattern("\n  creationTimestamp: \"[0-9TZ:-]+\"\n");

        Result replace = ok(kubectl.piped(yaml, "replace", "-f", "-"));
        assertThat(replace.stdout()).isEqualTo("daemonset.apps/fluentd replaced\n");
        assertReadable();
    }

    @Test
    @Order(3)
    void item3_theServersYamlPipedIntoKubectlApplyReadsBack() {
        Result apply = ok(kubectl.piped(serverYaml(), "apply", "-f", "-"));
        assertThat(apply.stdout()).startsWith("daemonset.apps/fluentd ");
        assertReadable();
    }

    @Test
    @Order(4)
    void item3_kubectlsOwnYamlPipedIntoReplaceReadsBack() {
        String yaml = ok(kubectl.run("get", "ds", "fluentd", "-n", NS, "-o", "yaml")).stdout();
        ok(kubectl.piped(yaml, "replace", "-f", "-"));
        assertReadable();
    }

    @Test
    @Order(5)
    void item3_aNumericAnnotationPutWithCurlIsRefusedAndKubectlStillReadsTheObject() {
        String numeric = serverYaml().replace("deprecated.daemonset.template.generation: \"2\"",
                "deprecated.daemonset.template.generation: 2");
        assertThat(numeric).contains("deprecated.daemonset.template.generation: 2\n");
        HttpResponse<String> put = cluster.send("PUT", PATH, numeric, "application/yaml", null);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(400);
        assertThat(put.body()).contains("\"reason\":\"BadRequest\"").contains("json: cannot unmarshal number into "
                + "Go struct field ObjectMeta.metadata.annotations of type string");
        assertReadable();
    }

    /** What {@code curl -H 'Accept: application/yaml'} gets for the DaemonSet. */
    private String serverYaml() {
        HttpResponse<String> r = cluster.send("GET", PATH, null, null, "application/yaml");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private void assertReadable() {
        Result describe = ok(kubectl.run("describe", "ds", "fluentd", "-n", NS));
        assertThat(describe.stdout()).containsPattern("Annotations:\\s+deprecated.daemonset.template.generation: 2");
        rolledOut();
        Result history = ok(kubectl.run("rollout", "history", "ds/fluentd", "-n", NS));
        assertThat(history.stdout().lines().filter(l -> l.matches("\\d+\\s+.*")).toList()).hasSize(2);
    }

    private void rolledOut() {
        Result r = ok(kubectl.run("rollout", "status", "ds/fluentd", "-n", NS, "--timeout=60s"));
        assertThat(r.stdout()).endsWith("daemon set \"fluentd\" successfully rolled out\n");
    }

    private static Result ok(Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }
}
