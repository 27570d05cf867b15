package dev.everynode.pod;

import dev.everynode.apimachinery.table.Cells;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The pod row: the apiserver's printPod, whose STATUS is a summary of phase, container states and deletion. */
final class PodCells {

    private PodCells() {}

    static List<Object> of(ObjectNode o, String name, String age, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        int total = spec.path("containers").size();
        String phase = status.path("phase").asString("");
        String reason = phase;
        String statusReason = status.path("reason").asString("");
        if (!statusReason.isEmpty()) {
            reason = statusReason;
        }
        int ready = 0;
        Restarts restarts = new Restarts();
        String initReason = initReason(spec, status, restarts);
        if (initReason != null) {
            reason = initReason;
        }
        boolean hasRunning = false;
        if (initReason == null || conditionTrue(status, "Initialized")) {
            // Once initialised, the app containers decide: the last one with a waiting or terminated reason wins.
            restarts.count = 0;
            JsonNode statuses = status.path("containerStatuses");
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode c = statuses.get(i);
                restarts.add(c);
                JsonNode state = c.path("state");
                String waiting = state.path("waiting").path("reason").asString("");
                JsonNode terminated = state.get("terminated");
                if (!waiting.isEmpty()) {
                    reason = waiting;
                } else if (terminated != null && terminated.isObject()) {
                    reason = terminatedReason(terminated, "");
                } else if (c.path("ready").asBoolean(false) && state.has("running")) {
                    hasRunning = true;
                    ready++;
                }
            }
        }
        if (reason.equals("Completed") && hasRunning) {
            reason = PodConditions.readiness(o, null).ready() ? "Running" : "NotReady";
        }
        boolean deleting = o.path("metadata").hasNonNull("deletionTimestamp");
        if (deleting && statusReason.equals("NodeLost")) {
            reason = "Unknown";
        } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
            reason = "Terminating";
        }
        String restartText = restarts.count != 0 && restarts.last != null
                ? restarts.count + " (" + Cells.since(restarts.last, now) + " ago)"
                : Long.toString(restarts.count);
        return List.of(name, ready + "/" + total, reason, restartText, age,
                Cells.orNone(status.path("podIP").asString("")),
                Cells.orNone(spec.path("nodeName").asString("")),
                Cells.orNone(status.path("nominatedNodeName").asString("")),
                readinessGates(spec, status));
    }

    /** {@code Init:1/2}, {@code Init:CrashLoopBackOff}, ... while an init container has not finished; else null. */
    private static String initReason(JsonNode spec, JsonNode status, Restarts restarts) {
        JsonNode inits = status.path("initContainerStatuses");
        int total = spec.path("initContainers").size();
        for (int i = 0; i < inits.size(); i++) {
            JsonNode c = inits.get(i);
            restarts.add(c);
            JsonNode state = c.path("state");
            JsonNode terminated = state.get("terminated");
            boolean done = terminated != null && terminated.isObject();
            if (done && terminated.path("exitCode").asLong(0) == 0) {
                continue;
            }
            if (done) {
                return terminatedReason(terminated, "Init:");
            }
            String waiting = state.path("waiting").path("reason").asString("");
            if (!waiting.isEmpty() && !waiting.equals("PodInitializing")) {
                return "Init:" + waiting;
            }
            return "Init:" + i + "/" + total;
        }
        return null;
    }

    private static String terminatedReason(JsonNode terminated, String prefix) {
        String r = terminated.path("reason").asString("");
        if (!r.isEmpty()) {
            return prefix + r;
        }
        long signal = terminated.path("signal").asLong(0);
        return signal != 0 ? prefix + "Signal:" + signal : prefix + "ExitCode:" + terminated.path("exitCode").asLong(0);
    }

    /** The restart sum and the latest time a container last terminated, for {@code 3 (5m ago)}. */
    private static final class Restarts {
        long count;
        Instant last;

        void add(JsonNode containerStatus) {
            count += containerStatus.path("restartCount").asLong(0);
            Instant finished = Cells.time(containerStatus.path("lastState").path("terminated").get("finishedAt"));
            if (finished != null && (last == null || finished.isAfter(last))) {
                last = finished;
            }
        }
    }

    private static String readinessGates(JsonNode spec, JsonNode status) {
        JsonNode gates = spec.path("readinessGates");
        if (gates.isEmpty()) {
            return Cells.NONE;
        }
        int met = 0;
        for (JsonNode gate : gates) {
            if (conditionTrue(status, gate.path("conditionType").asString(""))) {
                met++;
            }
        }
        return met + "/" + gates.size();
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asString("")) && "True".equals(c.path("status").asString(""))) {
                return true;
            }
        }
        return false;
    }
}
