package dev.everynode.apimachinery;

/**
 * Per-kind patch metadata transcribed from the {@code patchStrategy:"merge"} / {@code patchMergeKey} tags of
 * k8s.io/api (core/v1, apps/v1, meta/v1). Lists marked atomic there (tolerations, envFrom, args, command,
 * Node spec.taints, Namespace spec.finalizers, ...) are deliberately absent so that they are replaced.
 */
final class KindPatchSchemas {

    private KindPatchSchemas() {
    }

    /** ObjectMeta: ownerReferences merge by uid, finalizers are a merged set of strings. */
    static PatchSchema objectMeta() {
        return PatchSchema.empty()
                .withMergeKey("ownerReferences", "uid")
                .withPrimitiveMerge("finalizers");
    }

    /** Lists inside one core/v1 Container (also used for init and ephemeral containers). */
    static PatchSchema container() {
        return PatchSchema.empty()
                .withMergeKey("ports", "containerPort")
                .withMergeKey("env", "name")
                .withMergeKey("volumeMounts", "mountPath")
                .withMergeKey("volumeDevices", "devicePath");
    }

    /** core/v1 PodSpec. */
    static PatchSchema podSpec() {
        PatchSchema s = PatchSchema.empty()
                .withMergeKey("containers", "name")
                .withMergeKey("initContainers", "name")
                .withMergeKey("ephemeralContainers", "name")
                .withMergeKey("volumes", "name")
                .withMergeKey("imagePullSecrets", "name")
                .withMergeKey("hostAliases", "ip")
                .withMergeKey("topologySpreadConstraints", "topologyKey")
                .withMergeKey("schedulingGates", "name")
                .withMergeKey("resourceClaims", "name");
        return s.withAll("containers[]", container())
                .withAll("initContainers[]", container())
                .withAll("ephemeralContainers[]", container());
    }

    /** core/v1 PodTemplateSpec: its own ObjectMeta plus a PodSpec. */
    static PatchSchema podTemplate() {
        return PatchSchema.empty().withAll("metadata", objectMeta()).withAll("spec", podSpec());
    }

    static PatchSchema forKind(String kind) {
        PatchSchema s = PatchSchema.empty().withAll("metadata", objectMeta());
        if (kind == null) {
            return s;
        }
        return switch (kind) {
            case "DaemonSet" -> s.withAll("spec.template", podTemplate())
                    .withMergeKey("status.conditions", "type");
            case "Pod" -> s.withAll("spec", podSpec())
                    .withMergeKey("status.conditions", "type")
                    .withMergeKey("status.podIPs", "ip")
                    .withMergeKey("status.hostIPs", "ip");
            case "Node" -> s.withPrimitiveMerge("spec.podCIDRs")
                    .withMergeKey("status.conditions", "type")
                    .withMergeKey("status.addresses", "type");
            case "Namespace" -> s.withMergeKey("status.conditions", "type");
            // ControllerRevision.data is a RawExtension without patch metadata, so only ObjectMeta applies.
            default -> s;
        };
    }
}
