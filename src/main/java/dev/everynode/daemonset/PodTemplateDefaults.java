package dev.everynode.daemonset;

import dev.everynode.apimachinery.json.Trees;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Core v1 defaulting of a pod template ({@code SetDefaults_PodSpec}, {@code SetDefaults_Container}, probes, ports,
 * volume sources). Keys are only ever appended, so existing key order is preserved and the revision hash, which is
 * computed over the defaulted template, is stable.
 */
final class PodTemplateDefaults {

    /** 0644: the default file mode of projected-style volumes. */
    private static final int DEFAULT_MODE = 420;

    private PodTemplateDefaults() {
    }

    static void apply(ObjectNode template) {
        ObjectNode spec = Trees.obj(template, "spec");
        if (spec == null) {
            return;
        }
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        if (!Trees.present(spec, "terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30L);
        }
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!Trees.present(spec, "securityContext")) {
            spec.putObject("securityContext");
        }
        containers(spec.get("containers"));
        containers(spec.get("initContainers"));
        volumes(spec.get("volumes"));
    }

    private static void containers(JsonNode list) {
        if (list == null || !list.isArray()) {
            return;
        }
        for (JsonNode n : list) {
            if (n instanceof ObjectNode ctr) {
                container(ctr);
            }
        }
    }

    private static void container(ObjectNode ctr) {
        putIfAbsent(ctr, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(ctr, "terminationMessagePolicy", "File");
        putIfAbsent(ctr, "imagePullPolicy", "latest".equals(imageTag(Trees.str(ctr, "image"))) ? "Always"
                : "IfNotPresent");
        for (JsonNode port : FieldChecks.items(ctr, "ports")) {
            if (port instanceof ObjectNode p) {
                putIfAbsent(p, "protocol", "TCP");
            }
        }
        for (JsonNode env : FieldChecks.items(ctr, "env")) {
            ObjectNode fieldRef = Trees.obj(Trees.obj(env, "valueFrom"), "fieldRef");
            if (fieldRef != null) {
                putIfAbsent(fieldRef, "apiVersion", "v1");
            }
        }
        for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
            ObjectNode p = Trees.obj(ctr, probe);
            if (p != null) {
                probe(p);
            }
        }
        ObjectNode lifecycle = Trees.obj(ctr, "lifecycle");
        for (String hook : new String[] {"postStart", "preStop"}) {
            httpGet(Trees.obj(Trees.obj(lifecycle, hook), "httpGet"));
        }
    }

    /** {@code SetDefaults_Probe} plus its handler's HTTP defaults. */
    private static void probe(ObjectNode probe) {
        httpGet(Trees.obj(probe, "httpGet"));
        putIfAbsent(probe, "timeoutSeconds", 1);
        putIfAbsent(probe, "periodSeconds", 10);
        putIfAbsent(probe, "successThreshold", 1);
        putIfAbsent(probe, "failureThreshold", 3);
    }

    /** {@code SetDefaults_HTTPGetAction}. */
    private static void httpGet(ObjectNode action) {
        if (action == null) {
            return;
        }
        putIfAbsent(action, "path", "/");
        putIfAbsent(action, "scheme", "HTTP");
    }

    private static void volumes(JsonNode list) {
        if (list == null || !list.isArray()) {
            return;
        }
        for (JsonNode vol : list) {
            ObjectNode hostPath = Trees.obj(vol, "hostPath");
            if (hostPath != null) {
                // HostPathUnset: kubectl shows `type: ""` on every defaulted hostPath volume.
                putIfAbsent(hostPath, "type", "");
            }
            for (String source : new String[] {"configMap", "secret", "downwardAPI", "projected"}) {
                ObjectNode o = Trees.obj(vol, source);
                if (o != null) {
                    putIfAbsent(o, "defaultMode", DEFAULT_MODE);
                }
            }
        }
    }

    /**
     * The tag as {@code parsers.ParseImageName} reports it: "latest" when the reference has neither tag nor digest,
     * "" when it has only a digest or is empty.
     */
    static String imageTag(String image) {
        if (image.isEmpty()) {
            return "";
        }
        int at = image.indexOf('@');
        String name = at >= 0 ? image.substring(0, at) : image;
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        if (colon > slash) {
            return name.substring(colon + 1);
        }
        return at >= 0 ? "" : "latest";
    }

    private static void putIfAbsent(ObjectNode node, String key, String value) {
        if (!Trees.present(node, key)) {
            node.put(key, value);
        }
    }

    private static void putIfAbsent(ObjectNode node, String key, int value) {
        if (!Trees.present(node, key)) {
            node.put(key, value);
        }
    }
}
