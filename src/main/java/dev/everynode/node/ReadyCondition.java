package dev.everynode.node;

import dev.everynode.apimachinery.json.Json;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The node's Ready condition, which the server manages for agent-run nodes: True from the agent's registration
 * and heartbeats, Unknown when they stop. As in Kubernetes, {@code lastTransitionTime} moves only when the status
 * changes; {@code lastHeartbeatTime} is when the server last wrote the condition. The heartbeats themselves are
 * kept apart (table node_heartbeats, the role Kubernetes' node Leases play), so a Ready node's heartbeats never
 * rewrite its Node object.
 */
public final class ReadyCondition {

    /** The same test in SQL, on a node row of {@code objects}: whether its Ready condition is True. */
    static final String IS_TRUE_SQL =
            "coalesce(body -> 'status' -> 'conditions' @> '[{\"type\": \"Ready\", \"status\": \"True\"}]', false)";

    private ReadyCondition() {}

    /** Whether the node's Ready condition is True. */
    public static boolean isTrue(JsonNode node) {
        JsonNode ready = find(node);
        return ready != null && "True".equals(ready.path("status").asString(""));
    }

    /** The Ready condition of a node body, or null. */
    static ObjectNode find(JsonNode node) {
        ObjectNode found = null;
        for (JsonNode c : node.path("status").path("conditions")) {
            if (is(c) && c instanceof ObjectNode o) {
                found = o;
            }
        }
        return found;
    }

    /** Whether {@code condition} is a Ready condition. */
    static boolean is(JsonNode condition) {
        return "Ready".equals(condition.path("type").asString(""));
    }

    /** Ready=True: the agent registered or sent a heartbeat. */
    static void heard(ObjectNode node, Instant now) {
        ObjectNode ready = set(node, "True", "KubeletReady", "everynode agent is posting ready status", now);
        ready.put("lastHeartbeatTime", Json.timestamp(now));
    }

    /** Ready=Unknown: the heartbeats stopped. lastHeartbeatTime stays what it was, as Kubernetes leaves it. */
    static void silent(ObjectNode node, Instant now) {
        set(node, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", now);
    }

    /** Replaces the Ready condition of {@code node} by {@code ready} (null: none), keeping the others. */
    static void restore(ObjectNode node, ObjectNode ready) {
        ArrayNode conditions = conditions(node);
        for (int i = conditions.size() - 1; i >= 0; i--) {
            if (is(conditions.get(i))) {
                conditions.remove(i);
            }
        }
        if (ready != null) {
            conditions.add(ready.deepCopy());
        }
    }

    private static ObjectNode set(ObjectNode node, String status, String reason, String message, Instant now) {
        ObjectNode ready = find(node);
        if (ready == null) {
            ready = conditions(node).addObject().put("type", "Ready");
        }
        if (!status.equals(ready.path("status").asString("")) || !ready.has("lastTransitionTime")) {
            ready.put("lastTransitionTime", Json.timestamp(now));
        }
        ready.put("status", status).put("reason", reason).put("message", message);
        return ready;
    }

    private static ArrayNode conditions(ObjectNode node) {
        ObjectNode status = Json.child(node, "status");
        return status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
    }
}
