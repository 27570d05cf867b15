package dev.everynode.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class DaemonSetDefaultsTest {

    private static ObjectNode defaulted(ObjectNode ds) {
        DaemonSetValidation.applyDefaults(ds);
        return ds;
    }

    private static List<String> keys(JsonNode node) {
        var keys = new ArrayList<String>();
        node.properties().forEach(e -> keys.add(e.getKey()));
        return keys;
    }

    @Test
    void theEmbeddedManifestMirrorsTheWalkthroughFixture() throws Exception {
        assertThat(Fixtures.walkthroughFluentd()).isEqualTo(Fixtures.fluentd());
    }

    @Test
    void fluentdGetsTheDaemonSetAndPodTemplateDefaults() {
        ObjectNode ds = defaulted(Fixtures.fluentd());
        JsonNode spec = ds.get("spec");
        assertThat(spec.get("updateStrategy")).isEqualTo(Fixtures.value(
                "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 0}}"));
        assertThat(spec.get("revisionHistoryLimit").intValue()).isEqualTo(10);
        JsonNode pod = spec.get("template").get("spec");
        assertThat(pod.get("restartPolicy").stringValue()).isEqualTo("Always");
        assertThat(pod.get("dnsPolicy").stringValue()).isEqualTo("ClusterFirst");
        assertThat(pod.get("terminationGracePeriodSeconds").intValue()).isEqualTo(30);
        assertThat(pod.get("schedulerName").stringValue()).isEqualTo("default-scheduler");
        assertThat(pod.get("securityContext")).isEqualTo(Fixtures.value("{}"));
        JsonNode ctr = pod.get("containers").get(0);
        assertThat(ctr.get("terminationMessagePath").stringValue()).isEqualTo("/dev/termination-log");
        assertThat(ctr.get("terminationMessagePolicy").stringValue()).isEqualTo("File");
        assertThat(ctr.get("imagePullPolicy").stringValue()).isEqualTo("Always");
        assertThat(pod.get("volumes").get(0).get("hostPath")).isEqualTo(Fixtures.value("{path: /var/log, type: ''}"));
    }

    @Test
    void defaultingAppendsKeysAndKeepsTheExistingOrder() {
        ObjectNode ds = defaulted(Fixtures.fluentd());
        assertThat(keys(ds.get("spec"))).containsExactly("selector", "template", "updateStrategy",
                "revisionHistoryLimit");
        assertThat(keys(ds.get("spec").get("template").get("spec"))).containsExactly("containers",
                "terminationGracePeriodSeconds", "volumes", "restartPolicy", "dnsPolicy", "schedulerName",
                "securityContext");
        assertThat(keys(ds.get("spec").get("template").get("spec").get("containers").get(0))).containsExactly(
                "name", "image", "volumeMounts", "terminationMessagePath", "terminationMessagePolicy",
                "imagePullPolicy");
    }

    @Test
    void defaultingIsIdempotentAndKeepsExplicitValues() {
        ObjectNode ds = Fixtures.fluentd();
        Fixtures.set(ds, "/spec/updateStrategy", "{rollingUpdate: {maxSurge: 1}}");
        Fixtures.set(ds, "/spec/revisionHistoryLimit", "0");
        Fixtures.set(ds, "/spec/template/spec/dnsPolicy", "Default");
        defaulted(ds);
        assertThat(ds.get("spec").get("updateStrategy")).isEqualTo(Fixtures.value(
                "{rollingUpdate: {maxSurge: 1, maxUnavailable: 1}, type: RollingUpdate}"));
        assertThat(ds.get("spec").get("revisionHistoryLimit").intValue()).isZero();
        assertThat(ds.get("spec").get("template").get("spec").get("dnsPolicy").stringValue()).isEqualTo("Default");
        ObjectNode again = ds.deepCopy();
        defaulted(again);
        assertThat(again).isEqualTo(ds);
    }

    @Test
    void onDeleteGetsNoRollingUpdateBlock() {
        ObjectNode ds = defaulted(Fixtures.set(Fixtures.fluentd(), "/spec/updateStrategy", "{type: OnDelete}"));
        assertThat(ds.get("spec").get("updateStrategy")).isEqualTo(Fixtures.value("{type: OnDelete}"));
    }

    static Stream<Arguments> images() {
        return Stream.of(
                Arguments.of("an untagged image is pulled Always", "fluent/fluentd", "Always"),
                Arguments.of("a latest tag is pulled Always", "fluent/fluentd:latest", "Always"),
                Arguments.of("a pinned tag is pulled IfNotPresent", "fluent/fluentd:v1.16", "IfNotPresent"),
                Arguments.of("a registry port is not a tag", "localhost:5000/fluentd", "Always"),
                Arguments.of("a digest-only image is pulled IfNotPresent", "fluentd@sha256:" + "a".repeat(64),
                        "IfNotPresent"),
                Arguments.of("a tag with a digest keeps the tag", "fluentd:latest@sha256:" + "a".repeat(64),
                        "Always"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void imagePullPolicyFollowsTheTag(String description, String image, String policy) {
        ObjectNode ds = defaulted(Fixtures.set(Fixtures.fluentd(), "/spec/template/spec/containers/0/image",
                "'" + image + "'"));
        assertThat(ds.at("/spec/template/spec/containers/0/imagePullPolicy").stringValue()).isEqualTo(policy);
    }

    @Test
    void portsProbesAndInitContainersAreDefaulted() {
        ObjectNode ds = Fixtures.fluentd();
        Fixtures.set(ds, "/spec/template/spec/containers/0/ports", "[{containerPort: 24224}]");
        Fixtures.set(ds, "/spec/template/spec/containers/0/livenessProbe", "{httpGet: {port: 24220}}");
        Fixtures.set(ds, "/spec/template/spec/containers/0/readinessProbe", "{tcpSocket: {port: 24224}, "
                + "periodSeconds: 5}");
        Fixtures.set(ds, "/spec/template/spec/initContainers", "[{name: init, image: 'busybox:1.36'}]");
        defaulted(ds);
        assertThat(ds.at("/spec/template/spec/containers/0/ports/0")).isEqualTo(Fixtures.value(
                "{containerPort: 24224, protocol: TCP}"));
        assertThat(ds.at("/spec/template/spec/containers/0/livenessProbe")).isEqualTo(Fixtures.value(
                "{httpGet: {port: 24220, path: /, scheme: HTTP}, timeoutSeconds: 1, periodSeconds: 10, "
                        + "successThreshold: 1, failureThreshold: 3}"));
        assertThat(ds.at("/spec/template/spec/containers/0/readinessProbe/periodSeconds").intValue()).isEqualTo(5);
        assertThat(ds.at("/spec/template/spec/initContainers/0")).isEqualTo(Fixtures.value(
                "{name: init, image: 'busybox:1.36', terminationMessagePath: /dev/termination-log, "
                        + "terminationMessagePolicy: File, imagePullPolicy: IfNotPresent}"));
    }
}
