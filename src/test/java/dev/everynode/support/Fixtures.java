package dev.everynode.support;

import dev.everynode.apimachinery.Json;
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

    public static ObjectNode fluentd() {
        return (ObjectNode) Json.YAML.readTree(fluentdYaml());
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
