package dev.everynode.support;

import dev.everynode.apimachinery.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import tools.jackson.databind.node.ObjectNode;

/** Test objects: the Fluentd walkthrough manifest and nodes. */
public final class Fixtures {

    private Fixtures() {}

    /** The Fluentd DaemonSet of the walkthrough, as YAML text (a copy lives in src/test/resources). */
    public static String fluentdYaml() {
        try (var in = Fixtures.class.getResourceAsStream("/fluentd-daemonset.yaml")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The walkthrough manifest's YAML text in {@code namespace} (it says kube-system). */
    public static String fluentdYaml(String namespace) {
        return fluentdYaml().replace("namespace: kube-system", "namespace: " + namespace);
    }

    public static ObjectNode fluentd() {
        return (ObjectNode) Json.YAML.readTree(fluentdYaml());
    }

    /** The Fluentd DaemonSet in {@code namespace} (the manifest says kube-system). */
    public static ObjectNode fluentd(String namespace) {
        ObjectNode ds = fluentd();
        ((ObjectNode) ds.path("metadata")).put("namespace", namespace);
        return ds;
    }

    public static ObjectNode namespace(String name) {
        return Json.parseObject("""
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s"}}""".formatted(name));
    }

    public static ObjectNode node(String name) {
        return Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node",
                 "metadata": {"name": "%s", "labels": {"kubernetes.io/hostname": "%s"}},
                 "spec": {},
                 "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                            "capacity": {"cpu": "2", "memory": "8Gi", "pods": "110"}}}
                """.formatted(name, name));
    }

}
