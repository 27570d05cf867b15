package dev.everynode.apimachinery;

import java.util.List;

/** The columnDefinitions per kind, in the apiserver's order; priority 1 columns show only with {@code -o wide}. */
final class TableColumns {

    record Column(String name, String type, String format, String description, int priority) {}

    private static final String NAME_DOC = "Name must be unique within a namespace. Is required when creating "
            + "resources, although some resources may allow a client to request the generation of an appropriate "
            + "name automatically. Name is primarily intended for creation idempotence and configuration definition. "
            + "Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
    private static final String AGE_DOC = "CreationTimestamp is a timestamp representing the server time when this "
            + "object was created. It is not guaranteed to be set in happens-before order across separate operations. "
            + "Clients may not set this value. It is represented in RFC3339 form and is in UTC.";

    private TableColumns() {}

    static List<Column> of(String kind) {
        return switch (kind) {
            case "DaemonSet" -> List.of(name(),
                    integer("Desired", "The total number of nodes that should be running the daemon pod (including "
                            + "nodes correctly running the daemon pod)."),
                    integer("Current", "The number of nodes that are running at least 1 daemon pod and are supposed "
                            + "to run the daemon pod."),
                    integer("Ready", "The number of nodes that should be running the daemon pod and have one or more "
                            + "of the daemon pod running with a Ready Condition."),
                    integer("Up-to-date", "The total number of nodes that are running updated daemon pod"),
                    integer("Available", "The number of nodes that should be running the daemon pod and have one or "
                            + "more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
                    string("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a "
                            + "node."),
                    age(),
                    wide("Containers", "Names of each container in the template."),
                    wide("Images", "Images referenced by each container in the template."),
                    wide("Selector", "A label query over pods that are managed by the daemon set."));
            case "Pod" -> List.of(name(),
                    string("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                    string("Status", "The aggregate status of the containers in this pod."),
                    string("Restarts", "The number of times the containers in this pod have been restarted and when "
                            + "the last container in this pod has restarted."),
                    age(),
                    wide("IP", "IP address allocated to the pod. Routable at least within the cluster."),
                    wide("Node", "NodeName is a request to schedule this pod onto a specific node."),
                    wide("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the "
                            + "node."),
                    wide("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness."));
            case "Node" -> List.of(name(),
                    string("Status", "The status of the node"),
                    string("Roles", "The roles of the node"),
                    age(),
                    string("Version", "Kubelet Version reported by the node."),
                    wide("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if "
                            + "available."),
                    wide("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if "
                            + "available."),
                    wide("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 "
                            + "(wheezy))."),
                    wide("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. "
                            + "3.16.0-0.bpo.4-amd64)."),
                    wide("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote "
                            + "API (e.g. containerd://1.4.2)."));
            case "Namespace" -> List.of(name(),
                    string("Status", "The status of the namespace"),
                    age());
            case "ControllerRevision" -> List.of(name(),
                    string("Controller", "Controller of the object"),
                    integer("Revision", "Revision indicates the revision of the state represented by Data."),
                    age());
            case "Event" -> List.of(
                    string("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
                    string("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
                    string("Reason", "This should be a short, machine understandable string that gives the reason "
                            + "for the transition into the object's current status."),
                    string("Object", "The object that this event is about."),
                    wide("Subobject", "The field of the object that this event is about, if any."),
                    wide("Source", "The component reporting this event."),
                    string("Message", "A human-readable description of the status of this operation."),
                    wide("First Seen", "The time at which the event was first recorded."),
                    wide("Count", "The number of times this event has occurred."),
                    new Column("Name", "string", "name", NAME_DOC, 1));
            default -> List.of(name(), age());
        };
    }

    private static Column name() {
        return new Column("Name", "string", "name", NAME_DOC, 0);
    }

    private static Column age() {
        return string("Age", AGE_DOC);
    }

    private static Column string(String name, String description) {
        return new Column(name, "string", "", description, 0);
    }

    private static Column integer(String name, String description) {
        return new Column(name, "integer", "", description, 0);
    }

    private static Column wide(String name, String description) {
        return new Column(name, "string", "", description, 1);
    }
}
