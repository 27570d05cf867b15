package dev.everynode.kubectl;

import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.ResourceDefinition;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the service serves, as discovery advertises it: the resources' definitions grouped by group-version, in
 * the registry's order. Verbs are what each definition says it answers, because kubectl trusts discovery: an
 * advertised verb that 405s confuses users more than a missing one.
 */
final class ApiResources {

    static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

    /** One resource: {@code statusSubresource} when {@code <plural>/status} is served. */
    record Resource(ResourceType type, List<String> shortNames, List<String> categories, List<String> verbs,
                    boolean statusSubresource) {

        String singular() {
            return type.kind().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One group-version: {@code group} is "" for the core group at /api/v1. */
    record GroupVersion(String group, String version, List<Resource> resources) {

        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        /** {@code api/v1}, {@code apis/apps/v1}: the path under / and under /openapi/v3. */
        String path() {
            return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
        }
    }

    private final List<GroupVersion> all;

    private ApiResources(List<GroupVersion> all) {
        this.all = all;
    }

    static ApiResources of(ResourceRegistry registry) {
        Map<String, List<Resource>> byGroupVersion = new LinkedHashMap<>();
        for (ResourceDefinition d : registry.all()) {
            byGroupVersion.computeIfAbsent(d.type().group() + "/" + d.type().version(), k -> new ArrayList<>())
                    .add(new Resource(d.type(), d.shortNames(), d.categories(), d.verbs(), d.statusSubresource()));
        }
        List<GroupVersion> all = new ArrayList<>();
        byGroupVersion.forEach((key, resources) -> all.add(new GroupVersion(key.substring(0, key.indexOf('/')),
                key.substring(key.indexOf('/') + 1), List.copyOf(resources))));
        all.sort(java.util.Comparator.comparing(gv -> !gv.group().isEmpty()));
        return new ApiResources(List.copyOf(all));
    }

    /** Every group-version, the core one first. */
    List<GroupVersion> all() {
        return all;
    }

    /** core/v1, at /api/v1. */
    GroupVersion core() {
        return group("");
    }

    /** The version of a group (this server serves one per group). */
    GroupVersion group(String group) {
        return all.stream().filter(gv -> gv.group().equals(group)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no resources in group \"" + group + "\""));
    }

    /** The named groups under /apis (the core group lives at /api). */
    List<GroupVersion> groups() {
        return all.stream().filter(gv -> !gv.group().isEmpty()).toList();
    }
}
