package dev.everynode.apimachinery.meta;

/**
 * One served resource: its group/version/kind, plural name and scope. {@code hasStatus}: it has a status
 * subresource (writes to the object ignore status and the other way round). Each resource's feature declares
 * its own ({@code ResourceDefinition.type()}).
 */
public record ResourceType(String group, String version, String kind, String plural, boolean namespaced,
                           boolean hasStatus) {

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code <plural>.<group>}, or the plural alone in the core group: how Kubernetes names the resource in errors. */
    public String qualifiedPlural() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    public String listKind() {
        return kind + "List";
    }
}
