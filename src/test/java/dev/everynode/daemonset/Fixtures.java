package dev.everynode.daemonset;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The fluentd DaemonSet manifest used across tests, plus a pointer-based mutator for table tests. */
final class Fixtures {


    /** Copy of the shared fixture, embedded so the tests do not depend on the machine they run on. */
    static final String FLUENTD_YAML = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: fluentd
              namespace: kube-system
              labels:
                k8s-app: fluentd-logging
            spec:
              selector:
                matchLabels:
                  name: fluentd
              template:
                metadata:
                  labels:
                    name: fluentd
                spec:
                  containers:
                  - name: fluentd
                    image: fluent/fluentd
                    volumeMounts:
                    - name: varlog
                      mountPath: /var/log
                    - name: varlibdockercontainers
                      mountPath: /var/lib/docker/containers
                      readOnly: true
                  terminationGracePeriodSeconds: 30
                  volumes:
                  - name: varlog
                    hostPath:
                      path: /var/log
                  - name: varlibdockercontainers
                    hostPath:
                      path: /var/lib/docker/containers
            """;

    static final YAMLMapper YAML = new YAMLMapper();

    private Fixtures() {
    }

    static ObjectNode fluentd() {
        return (ObjectNode) YAML.readTree(FLUENTD_YAML);
    }

    /** The walkthrough's manifest as the repository carries it (src/test/resources, a copy of the shared fixture). */
    static ObjectNode walkthroughFluentd() throws java.io.IOException {
        try (var in = Fixtures.class.getResourceAsStream("/fluentd-daemonset.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        }
    }

    /** Parses a YAML/JSON snippet ("Never", "{a: 1}", "[1]") into a tree value. */
    static JsonNode value(String yaml) {
        return YAML.readTree(yaml);
    }

    /**
     * Sets (or, with a null value, removes) the node at a JSON pointer, creating missing objects on the way.
     */
    static ObjectNode set(ObjectNode root, String pointer, String yamlValue) {
        int cut = pointer.lastIndexOf('/');
        String parentPath = pointer.substring(0, cut);
        String last = pointer.substring(cut + 1);
        JsonNode parent = root;
        for (String token : parentPath.isEmpty() ? new String[0] : parentPath.substring(1).split("/")) {
            JsonNode next = parent.isArray() ? parent.get(Integer.parseInt(token)) : parent.get(token);
            if (next == null || next.isNull()) {
                next = ((ObjectNode) parent).putObject(token);
            }
            parent = next;
        }
        if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), value(yamlValue));
        } else if (yamlValue == null) {
            ((ObjectNode) parent).remove(last);
        } else {
            ((ObjectNode) parent).set(last, value(yamlValue));
        }
        return root;
    }
}
