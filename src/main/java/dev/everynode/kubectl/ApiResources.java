package dev.everynode.kubectl;

import dev.everynode.apimachinery.ResourceType;
import java.util.List;

/**
 * What the service serves, as discovery advertises it. Verbs follow Kubernetes' lists but only name what the
 * controllers answer (namespaces have no deletecollection there either; events here are read-only), because
 * kubectl trusts discovery: an advertised verb that 405s confuses users more than a missing one.
 */
final class ApiResources {

    static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
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

    static final GroupVersion CORE_V1 = new GroupVersion("", "v1", List.of(
            new Resource(ResourceType.NAMESPACE, List.of("ns"), List.of(),
                    List.of("create", "delete", "get", "list", "patch", "update", "watch"), false),
            new Resource(ResourceType.NODE, List.of("no"), List.of(), ALL_VERBS, true),
            new Resource(ResourceType.POD, List.of("po"), List.of("all"), ALL_VERBS, true),
            new Resource(ResourceType.EVENT, List.of("ev"), List.of(), List.of("get", "list", "watch"), false)));

    static final GroupVersion APPS_V1 = new GroupVersion("apps", "v1", List.of(
            new Resource(ResourceType.DAEMON_SET, List.of("ds"), List.of("all"), ALL_VERBS, true),
            new Resource(ResourceType.CONTROLLER_REVISION, List.of(), List.of(), ALL_VERBS, false)));

    /** The named groups under /apis (the core group lives at /api). */
    static final List<GroupVersion> GROUPS = List.of(APPS_V1);

    private ApiResources() {}
}
