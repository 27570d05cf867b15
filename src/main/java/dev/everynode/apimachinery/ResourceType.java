package dev.everynode.apimachinery;

/**
 * One served resource: its group/version/kind, plural name and scope. {@code hasStatus}: it has a status
 * subresource (writes to the object ignore status and the other way round).
 */
public record ResourceType(String group, String version, String kind, String plural, boolean namespaced,
                           boolean hasStatus) {

    public static final ResourceType NAMESPACE = new ResourceType("", "v1", "Namespace", "namespaces", false, true);
    public static final ResourceType NODE = new ResourceType("", "v1", "Node", "nodes", false, true);
    public static final ResourceType POD = new ResourceType("", "v1", "Pod", "pods", true, true);
    public static final ResourceType EVENT = new ResourceType("", "v1", "Event", "events", true, false);
    public static final ResourceType DAEMON_SET = new ResourceType("apps", "v1", "DaemonSet", "daemonsets", true, true);
    public static final ResourceType CONTROLLER_REVISION =
            new ResourceType("apps", "v1", "ControllerRevision", "controllerrevisions", true, false);

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code daemonsets.apps}, {@code pods}: how Kubernetes names the resource in error messages. */
    public String qualifiedPlural() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    public String listKind() {
        return kind + "List";
    }
}
