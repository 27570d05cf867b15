package dev.everynode.daemonset;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import dev.everynode.apimachinery.validation.Syntax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Per-container rules of core {@code validateContainers}/{@code validateInitContainers}. */
final class ContainerValidation {

    private static final String[] PROTOCOLS = {"SCTP", "TCP", "UDP"};

    private ContainerValidation() {
    }

    /**
     * Validates one container list. {@code allNames} is shared between containers and initContainers because
     * Kubernetes requires names to be unique across both.
     */
    static List<Cause> validate(List<JsonNode> containers, String path, Set<String> volumeNames, Set<String> allNames) {
        var causes = new ArrayList<Cause>();
        for (int i = 0; i < containers.size(); i++) {
            JsonNode ctr = containers.get(i);
            String at = path + "[" + i + "]";
            String name = Trees.str(ctr, "name");
            if (name.isEmpty()) {
                causes.add(Cause.required(at + ".name", ""));
            } else {
                for (String msg : Syntax.isDns1123Label(name)) {
                    causes.add(Cause.invalid(at + ".name", name, msg));
                }
            }
            if (!allNames.add(name)) {
                causes.add(Cause.duplicate(at + ".name", name));
            }
            // Kubernetes lets templates omit the image for higher-level tooling; we have no such tooling.
            if (Trees.str(ctr, "image").isEmpty()) {
                causes.add(Cause.required(at + ".image", ""));
            }
            causes.addAll(ports(ctr, at + ".ports"));
            causes.addAll(env(ctr, at + ".env"));
            causes.addAll(volumeMounts(ctr, at + ".volumeMounts", volumeNames));
        }
        return causes;
    }

    private static List<Cause> ports(JsonNode ctr, String path) {
        var causes = new ArrayList<Cause>();
        var names = new HashSet<String>();
        List<JsonNode> ports = FieldChecks.items(ctr, "ports");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            String at = path + "[" + i + "]";
            String name = Trees.str(port, "name");
            if (!name.isEmpty()) {
                List<String> msgs = Syntax.isValidPortName(name);
                if (!msgs.isEmpty()) {
                    msgs.forEach(m -> causes.add(Cause.invalid(at + ".name", name, m)));
                } else if (!names.add(name)) {
                    causes.add(Cause.duplicate(at + ".name", name));
                }
            }
            int before = causes.size();
            Long containerPort = FieldChecks.integer(port, "containerPort", at + ".containerPort", causes);
            if (causes.size() > before) {
                // Already reported as a type mismatch.
            } else if (containerPort == null || containerPort == 0) {
                causes.add(Cause.required(at + ".containerPort", ""));
            } else {
                for (String msg : Syntax.isValidPortNum(containerPort)) {
                    causes.add(Cause.invalid(at + ".containerPort", containerPort, msg));
                }
            }
            Long hostPort = FieldChecks.integer(port, "hostPort", at + ".hostPort", causes);
            if (hostPort != null && hostPort != 0) {
                for (String msg : Syntax.isValidPortNum(hostPort)) {
                    causes.add(Cause.invalid(at + ".hostPort", hostPort, msg));
                }
            }
            // An absent protocol is defaulted to TCP, so only an explicit value is checked.
            if (Trees.present(port, "protocol")) {
                String protocol = Trees.str(port, "protocol");
                if (protocol.isEmpty()) {
                    causes.add(Cause.required(at + ".protocol", ""));
                } else if (!List.of(PROTOCOLS).contains(protocol)) {
                    causes.add(Cause.notSupported(at + ".protocol", protocol, PROTOCOLS));
                }
            }
        }
        return causes;
    }

    private static List<Cause> env(JsonNode ctr, String path) {
        var causes = new ArrayList<Cause>();
        List<JsonNode> vars = FieldChecks.items(ctr, "env");
        for (int i = 0; i < vars.size(); i++) {
            String at = path + "[" + i + "].name";
            String name = Trees.str(vars.get(i), "name");
            if (name.isEmpty()) {
                causes.add(Cause.required(at, ""));
            } else {
                for (String msg : Syntax.isEnvVarName(name)) {
                    causes.add(Cause.invalid(at, name, msg));
                }
            }
        }
        return causes;
    }

    private static List<Cause> volumeMounts(JsonNode ctr, String path, Set<String> volumeNames) {
        var causes = new ArrayList<Cause>();
        var mountPoints = new HashSet<String>();
        List<JsonNode> mounts = FieldChecks.items(ctr, "volumeMounts");
        for (int i = 0; i < mounts.size(); i++) {
            String at = path + "[" + i + "]";
            String name = Trees.str(mounts.get(i), "name");
            if (name.isEmpty()) {
                causes.add(Cause.required(at + ".name", ""));
            }
            if (!volumeNames.contains(name)) {
                causes.add(FieldChecks.notFound(at + ".name", name));
            }
            String mountPath = Trees.str(mounts.get(i), "mountPath");
            if (mountPath.isEmpty()) {
                causes.add(Cause.required(at + ".mountPath", ""));
            }
            if (!mountPoints.add(mountPath)) {
                causes.add(Cause.invalid(at + ".mountPath", mountPath, "must be unique"));
            }
        }
        return causes;
    }
}
