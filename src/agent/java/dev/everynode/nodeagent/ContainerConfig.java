package dev.everynode.nodeagent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** A container's environment and command line as kubelet computes them. */
final class ContainerConfig {

    private ContainerConfig() {}

    /**
     * {@code env}: values (with $(VAR) references to earlier variables expanded) and {@code valueFrom.fieldRef}
     * for metadata.name, metadata.namespace, metadata.uid, spec.nodeName, spec.serviceAccountName, status.hostIP,
     * status.podIP; any other valueFrom (secrets, config maps, resources) and envFrom are unsupported.
     */
    static Map<String, String> env(ContainerRuntime.PodInfo pod, JsonNode container, String podIp) throws ConfigError {
        Map<String, String> env = new LinkedHashMap<>();
        if (container.has("envFrom") && container.get("envFrom").size() > 0) {
            throw new ConfigError("CreateContainerConfigError", "envFrom is not supported by everynode-agent");
        }
        for (JsonNode e : container.path("env")) {
            String name = Js.str(e, "name");
            if (name == null) {
                continue;
            }
            if (e.has("valueFrom")) {
                JsonNode from = e.get("valueFrom");
                String field = Js.str(from, "fieldRef", "fieldPath");
                if (field == null) {
                    throw new ConfigError("CreateContainerConfigError", "env " + name + ": valueFrom "
                            + String.join(",", from.propertyNames()) + " is not supported by everynode-agent "
                            + "(only fieldRef)");
                }
                String value = switch (field) {
                    case "metadata.name" -> pod.name();
                    case "metadata.namespace" -> pod.namespace();
                    case "metadata.uid" -> pod.uid();
                    case "spec.nodeName" -> pod.node();
                    case "spec.serviceAccountName" -> pod.spec().path("serviceAccountName").asString("default");
                    case "status.hostIP" -> pod.hostIp();
                    case "status.podIP" -> podIp;
                    default -> null;
                };
                if (value == null) {
                    throw new ConfigError("CreateContainerConfigError", "env " + name + ": fieldRef "
                            + field + " is not supported by everynode-agent");
                }
                env.put(name, value);
            } else {
                env.put(name, expand(e.path("value").asString(""), env));
            }
        }
        return env;
    }

    static List<String> expand(List<String> items, Map<String, String> env) {
        List<String> out = new ArrayList<>(items.size());
        for (String s : items) {
            out.add(expand(s, env));
        }
        return out;
    }

    /** Kubernetes' $(VAR) expansion: $(VAR) → value when defined, $$ → $, anything else kept as written. */
    static String expand(String s, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '$' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                if (n == '$') {
                    out.append('$');
                    i += 2;
                    continue;
                }
                if (n == '(') {
                    int close = s.indexOf(')', i + 2);
                    if (close > 0) {
                        String name = s.substring(i + 2, close);
                        if (env.containsKey(name)) {
                            out.append(env.get(name));
                            i = close + 1;
                            continue;
                        }
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** The volume named {@code name} of the pod, or null. */
    static JsonNode volume(JsonNode spec, String name) {
        for (JsonNode v : spec.path("volumes")) {
            if (name.equals(Js.str(v, "name"))) {
                return v;
            }
        }
        return null;
    }
}
