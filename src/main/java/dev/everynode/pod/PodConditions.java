package dev.everynode.pod;

import dev.everynode.apimachinery.json.Json;
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

    /** Whether a pod is ready and since when ({@code since} is null when it is not). */
    public record Readiness(boolean ready, Instant since) {}

    private PodConditions() {}

    /**
     * A pod's readiness: its Ready condition is True, since that condition's lastTransitionTime (the pod's
     * creation when the condition has none).
     */
    public static Readiness readiness(JsonNode pod, Instant created) {
        return readinessOf(readyCondition(pod), created);
    }

    /** The same from the Ready condition alone (null: the pod has none), as PodRepository extracts it. */
    public static Readiness readinessOf(JsonNode readyCondition, Instant created) {
        if (readyCondition == null || !"True".equals(readyCondition.path("status").asString(""))) {
            return new Readiness(false, null);
        }
        String since = readyCondition.path("lastTransitionTime").asString(null);
        return new Readiness(true, since == null ? created : Json.parseTime(since));
    }

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
            boolean ready = isReady(c);
            hasReady |= ready;
            if ((ready || "ContainersReady".equals(c.path("type").asString("")))
                    && !"False".equals(c.path("status").asString(""))) {
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

    /** The first Ready condition of a pod body, or null. */
    private static ObjectNode readyCondition(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if (isReady(c) && c instanceof ObjectNode o) {
                return o;
            }
        }
        return null;
    }

    private static boolean isReady(JsonNode condition) {
        return "Ready".equals(condition.path("type").asString(""));
    }
}
