package dev.everynode.reconcile;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.Progress;
import dev.everynode.reconcile.plan.StatusWrite;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reads and writes DaemonSet status conditions (a list keyed by type). */
final class StatusConditions {

    private StatusConditions() {}

    /**
     * The status {@code w} writes over {@code old} (a copy): the counters, observedGeneration ({@code generation},
     * when the plan observes it), Progressing, and RolloutFailed, in the order the conditions have always been kept.
     */
    static ObjectNode next(ObjectNode old, Model.Action.WriteStatus w, long generation) {
        ObjectNode next = old.deepCopy();
        Model.Status s = w.counters();
        next.put("currentNumberScheduled", s.currentNumberScheduled());
        next.put("numberMisscheduled", s.numberMisscheduled());
        next.put("desiredNumberScheduled", s.desiredNumberScheduled());
        next.put("numberReady", s.numberReady());
        if (w.observeGeneration()) {
            next.put("observedGeneration", generation);
        }
        next.put("updatedNumberScheduled", s.updatedNumberScheduled());
        next.put("numberAvailable", s.numberAvailable());
        if (s.numberUnavailable() > 0) {
            next.put("numberUnavailable", s.numberUnavailable());
        } else {
            next.remove("numberUnavailable");
        }
        if (w.progressing() == null) {
            remove(next, "Progressing");
            return next;
        }
        putProgressing(next, w.progressing());
        if (w.clearRolloutFailed()) {
            remove(next, ROLLOUT_FAILED);
        }
        Model.RolloutFailed failed = w.rolloutFailed();
        if (failed != null) {
            putRolloutFailed(next, failed.reason(), failed.message(), failed.observedGeneration(), w.now());
        }
        return next;
    }

    /** The stored Progressing condition, or null (also when there is no status at all). */
    static Progress.Condition progressing(JsonNode status) {
        for (JsonNode c : status.path("conditions")) {
            if ("Progressing".equals(c.path("type").asString(""))) {
                String transition = c.path("lastTransitionTime").asString(null);
                String update = c.path("lastUpdateTime").asString(transition);
                return new Progress.Condition(c.path("status").asString(""), c.path("reason").asString(""),
                        c.path("message").asString(""), Json.parseTime(transition), Json.parseTime(update));
            }
        }
        return null;
    }

    /**
     * The counters as stored, for comparing a pass with the one before; null when never written. The extras the
     * stored status does not have are 0.
     */
    static Model.Status counters(JsonNode status) {
        if (!status.has("desiredNumberScheduled")) {
            return null;
        }
        return new Model.Status(status.path("desiredNumberScheduled").asInt(),
                status.path("currentNumberScheduled").asInt(), status.path("numberMisscheduled").asInt(),
                status.path("numberReady").asInt(), status.path("numberAvailable").asInt(),
                status.path("numberUnavailable").asInt(), status.path("updatedNumberScheduled").asInt(), 0, 0);
    }

    static void putProgressing(ObjectNode status, Progress.Condition condition) {
        remove(status, "Progressing");
        ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        ObjectNode c = conditions.addObject();
        c.put("type", "Progressing");
        c.put("status", condition.status());
        c.put("lastTransitionTime", Json.timestamp(condition.lastTransitionTime()));
        c.put("lastUpdateTime", Json.timestamp(condition.lastUpdateTime()));
        c.put("reason", condition.reason());
        c.put("message", condition.message());
    }

    static final String ROLLOUT_FAILED = "RolloutFailed";

    /** The status as stored, for the status write: counters, Progressing and RolloutFailed. */
    static StatusWrite.Stored stored(JsonNode status) {
        return new StatusWrite.Stored(counters(status), progressing(status), rolloutFailed(status));
    }

    /** The stored RolloutFailed condition the failure policy wrote, or null. */
    static Model.RolloutFailed rolloutFailed(JsonNode status) {
        for (JsonNode c : status.path("conditions")) {
            if (ROLLOUT_FAILED.equals(c.path("type").asString(""))) {
                return new Model.RolloutFailed(c.path("reason").asString(""), c.path("message").asString(""),
                        c.path("observedGeneration").asLong(0));
            }
        }
        return null;
    }

    /**
     * Sets RolloutFailed (status True) for {@code generation}, the generation its action leaves (metav1.Condition
     * carries observedGeneration the same way): a later change of the spec by anyone else makes it stale.
     */
    static void putRolloutFailed(ObjectNode status, String reason, String message, long generation,
                                 java.time.Instant now) {
        remove(status, ROLLOUT_FAILED);
        ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        ObjectNode c = conditions.addObject();
        c.put("type", ROLLOUT_FAILED);
        c.put("status", "True");
        c.put("observedGeneration", generation);
        c.put("lastTransitionTime", Json.timestamp(now));
        c.put("lastUpdateTime", Json.timestamp(now));
        c.put("reason", reason);
        c.put("message", message);
    }

    static void remove(ObjectNode status, String type) {
        JsonNode conditions = status.get("conditions");
        if (conditions instanceof ArrayNode array) {
            for (int i = array.size() - 1; i >= 0; i--) {
                if (type.equals(array.get(i).path("type").asString(""))) {
                    array.remove(i);
                }
            }
            if (array.isEmpty()) {
                status.remove("conditions");
            }
        }
    }
}
