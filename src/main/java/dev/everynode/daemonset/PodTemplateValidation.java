package dev.everynode.daemonset;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import dev.everynode.apimachinery.validation.MetaValidation;
import dev.everynode.apimachinery.validation.Syntax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * {@code ValidatePodTemplateSpec} for a DaemonSet template: template metadata plus the pod-spec rules this control
 * plane depends on (containers, volumes, restart/DNS policy, placement). Absent fields that defaulting would fill
 * are accepted, so raw manifests and defaulted objects validate alike.
 */
final class PodTemplateValidation {

    private static final int MAX_INT32 = Integer.MAX_VALUE;

    private PodTemplateValidation() {
    }

    static List<Cause> validate(JsonNode template, String path) {
        var causes = new ArrayList<Cause>();
        JsonNode meta = Trees.obj(template, "metadata");
        causes.addAll(MetaValidation.validateLabels(Trees.obj(meta, "labels"), path + ".metadata.labels"));
        causes.addAll(MetaValidation.validateAnnotations(Trees.obj(meta, "annotations"), path + ".metadata.annotations"));
        causes.addAll(podSpec(Trees.obj(template, "spec"), path + ".spec"));
        return causes;
    }

    private static List<Cause> podSpec(JsonNode spec, String path) {
        var causes = new ArrayList<Cause>();
        Set<String> volumeNames = volumes(spec, path + ".volumes", causes);
        List<JsonNode> containers = FieldChecks.items(spec, "containers");
        Set<String> allNames = new HashSet<>();
        causes.addAll(ContainerValidation.validate(containers, path + ".containers", volumeNames, allNames));
        if (containers.isEmpty()) {
            causes.add(Cause.required(path + ".containers", ""));
        }
        causes.addAll(ContainerValidation.validate(FieldChecks.items(spec, "initContainers"),
                path + ".initContainers", volumeNames, allNames));
        causes.addAll(restartPolicy(spec, path + ".restartPolicy"));
        if (Trees.present(spec, "dnsPolicy")) {
            String dns = Trees.str(spec, "dnsPolicy");
            if (!List.of("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None").contains(dns)) {
                causes.add(Cause.notSupported(path + ".dnsPolicy", dns,
                        "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"));
            }
        }
        causes.addAll(MetaValidation.validateLabels(Trees.obj(spec, "nodeSelector"), path + ".nodeSelector"));
        FieldChecks.bool(spec, "hostNetwork", path + ".hostNetwork", causes);
        Long grace = FieldChecks.integer(spec, "terminationGracePeriodSeconds",
                path + ".terminationGracePeriodSeconds", causes);
        if (grace != null) {
            causes.addAll(MetaValidation.validateNonnegative(grace, path + ".terminationGracePeriodSeconds"));
        }
        if (Trees.present(spec, "activeDeadlineSeconds")) {
            Long deadline = FieldChecks.integer(spec, "activeDeadlineSeconds", path + ".activeDeadlineSeconds", causes);
            // Pod-level range check first, then the DaemonSet ban, exactly as the two Kubernetes validators stack.
            if (deadline != null && (deadline < 1 || deadline > MAX_INT32)) {
                causes.add(Cause.invalid(path + ".activeDeadlineSeconds", deadline,
                        Syntax.inclusiveRangeError(1, MAX_INT32)));
            }
            causes.add(Cause.forbidden(path + ".activeDeadlineSeconds",
                    "activeDeadlineSeconds in DaemonSet is not Supported"));
        }
        causes.addAll(SchedulingValidation.tolerations(spec, path + ".tolerations"));
        causes.addAll(SchedulingValidation.affinity(spec, path));
        return causes;
    }

    /** Pod-level check (any of the three policies) followed by the DaemonSet rule (only Always). */
    private static List<Cause> restartPolicy(JsonNode spec, String path) {
        var causes = new ArrayList<Cause>();
        if (!Trees.present(spec, "restartPolicy")) {
            return causes;
        }
        String policy = Trees.str(spec, "restartPolicy");
        if (policy.isEmpty()) {
            causes.add(Cause.required(path, ""));
        } else if (!List.of("Always", "OnFailure", "Never").contains(policy)) {
            causes.add(Cause.notSupported(path, policy, "Always", "OnFailure", "Never"));
        }
        if (!policy.equals("Always")) {
            causes.add(Cause.notSupported(path, policy, "Always"));
        }
        return causes;
    }

    /** {@code validateVolumes}: returns the declared names so volume mounts can be resolved. */
    private static Set<String> volumes(JsonNode spec, String path, List<Cause> causes) {
        Set<String> names = new LinkedHashSet<>();
        List<JsonNode> volumes = FieldChecks.items(spec, "volumes");
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode vol = volumes.get(i);
            String at = path + "[" + i + "]";
            boolean hasSource = false;
            for (var e : vol.properties()) {
                hasSource |= !e.getKey().equals("name") && !e.getValue().isNull();
            }
            if (!hasSource) {
                causes.add(Cause.required(at, "must specify a volume type"));
            }
            String name = Trees.str(vol, "name");
            if (name.isEmpty()) {
                causes.add(Cause.required(at + ".name", ""));
            } else {
                for (String msg : Syntax.isDns1123Label(name)) {
                    causes.add(Cause.invalid(at + ".name", name, msg));
                }
            }
            if (!names.add(name)) {
                causes.add(Cause.duplicate(at + ".name", name));
            }
        }
        return names;
    }
}
