package dev.everynode.pod;

import dev.everynode.apimachinery.Json;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pod conditions as the server keeps them. When a report flips the Ready condition, its lastTransitionTime is
 * the server's clock, not the agent's: availability (minReadySeconds) is then measured on one clock, which
 * avoids the stalled rollouts of kubernetes#77203 when node clocks drift.
 */
public final class PodConditions {

    private PodConditions() {}

    public static void stampReadyTransition(ObjectNode pod, ObjectNode old, Instant now) {
        ObjectNode ready = readyCondition(pod);
        if (ready == null) {
            return;
        }
        ObjectNode before = readyCondition(old);
        String status = ready.path("status").asString("");
        if (before != null && status.equals(before.path("status").asString(""))) {
            JsonNode kept = before.get("lastTransitionTime");
            if (kept != null) {
                ready.set("lastTransitionTime", kept.deepCopy());
            }
            return;
        }
        ready.put("lastTransitionTime", Json.timestamp(now));
    }

    /** Sets Ready (and ContainersReady) to False, as the node lifecycle controller does for unreachable nodes. */
    public static boolean markNotReady(ObjectNode pod, String reason, Instant now) {
        ObjectNode status = Json.child(pod, "status");
        ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        boolean changed = false;
        boolean hasReady = false;
        for (JsonNode c : conditions) {
            String type = c.path("type").asString("");
            if (type.equals("Ready")) {
                hasReady = true;
            }
            if ((type.equals("Ready") || type.equals("ContainersReady")) && !"False".equals(c.path("status").asString(""))) {
                ((ObjectNode) c).put("status", "False").put("reason", reason)
                        .put("lastTransitionTime", Json.timestamp(now));
                changed = true;
            }
        }
        if (!hasReady) {
            conditions.addObject().put("type", "Ready").put("status", "False").put("reason", reason)
                    .put("lastTransitionTime", Json.timestamp(now));
            changed = true;
        }
        return changed;
    }

    private static ObjectNode readyCondition(ObjectNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asString("")) && c instanceof ObjectNode o) {
                return o;
            }
        }
        return null;
    }
}
