package dev.everynode.apimachinery;

/**
 * Published after a write commits: which object changed and how (ADDED, MODIFIED, DELETED), for a pod the node
 * it is bound to and the name of its controlling DaemonSet (null for an orphan). The reconciler and the agents'
 * long-polls listen; the table stays the truth, so a missed event costs a resync, not data.
 */
public record ObjectChanged(String kind, String namespace, String name, String type, String nodeName,
                            String ownerName) {

    public ObjectChanged(String kind, String namespace, String name, String type, String nodeName) {
        this(kind, namespace, name, type, nodeName, null);
    }

    /** The name of an object's controlling owner of the given kind, or null. */
    public static String controller(tools.jackson.databind.JsonNode object, String ownerKind) {
        for (tools.jackson.databind.JsonNode ref : object.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false) && ownerKind.equals(ref.path("kind").asString(""))) {
                return ref.path("name").asString(null);
            }
        }
        return null;
    }
}
