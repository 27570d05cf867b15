package dev.everynode.nodeagent;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pod's status as kubelet reports it: phase, conditions (PodScheduled, Initialized, ContainersReady, Ready,
 * each with the time it last changed), containerStatuses, hostIP, podIP, startTime. One instance per pod: it
 * remembers when each condition last changed.
 */
final class StatusBuilder {

    /** A container as the status shows it: exactly one of running (startedAt), waiting (reason) or terminated. */
    record ContainerView(String name, String image, String imageId, String containerId, boolean ready,
                         boolean started, int restartCount, Instant runningSince, String waitingReason,
                         String waitingMessage, ObjectNode terminated, ObjectNode lastTerminated) {}

    private final Map<String, String> conditionStatus = new HashMap<>();
    private final Map<String, Instant> conditionSince = new HashMap<>();

    /** Seeds the Ready/ContainersReady transition time (e.g. from the state file after an agent restart). */
    void seed(String type, String status, Instant since) {
        conditionStatus.put(type, status);
        conditionSince.put(type, since);
    }

    ObjectNode build(List<ContainerView> containers, String restartPolicy, String hostIp, String podIp,
                     Instant startTime, Instant now) {
        ObjectNode status = Js.object();
        status.put("phase", phase(containers, restartPolicy));
        boolean allReady = !containers.isEmpty() && containers.stream().allMatch(ContainerView::ready);
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "Initialized", "True", null, startTime, now);
        String notReady = containers.stream().filter(c -> !c.ready()).map(ContainerView::name).toList().toString();
        String message = allReady ? null : "containers with unready status: " + notReady;
        condition(conditions, "Ready", allReady ? "True" : "False", message, startTime, now);
        condition(conditions, "ContainersReady", allReady ? "True" : "False", message, startTime, now);
        condition(conditions, "PodScheduled", "True", null, startTime, now);
        if (hostIp != null) {
            status.put("hostIP", hostIp);
            status.putArray("hostIPs").addObject().put("ip", hostIp);
        }
        if (podIp != null && !podIp.isEmpty()) {
            status.put("podIP", podIp);
            status.putArray("podIPs").addObject().put("ip", podIp);
        }
        status.put("startTime", Js.time(startTime));
        status.put("qosClass", "BestEffort");
        ArrayNode statuses = status.putArray("containerStatuses");
        for (ContainerView c : containers) {
            ObjectNode s = statuses.addObject();
            s.put("name", c.name());
            s.put("image", c.image());
            s.put("imageID", c.imageId() == null ? "" : c.imageId());
            if (c.containerId() != null) {
                s.put("containerID", c.containerId());
            }
            s.put("ready", c.ready());
            s.put("started", c.started());
            s.put("restartCount", c.restartCount());
            ObjectNode state = s.putObject("state");
            if (c.runningSince() != null) {
                state.putObject("running").put("startedAt", Js.time(c.runningSince()));
            } else if (c.terminated() != null) {
                state.set("terminated", c.terminated().deepCopy());
            } else {
                ObjectNode waiting = state.putObject("waiting").put("reason", c.waitingReason());
                if (c.waitingMessage() != null) {
                    waiting.put("message", c.waitingMessage());
                }
            }
            ObjectNode last = s.putObject("lastState");
            if (c.lastTerminated() != null) {
                last.set("terminated", c.lastTerminated().deepCopy());
            }
        }
        return status;
    }

    /** kubelet's getPhase for pods without init containers. */
    static String phase(List<ContainerView> containers, String restartPolicy) {
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int failed = 0;
        for (ContainerView c : containers) {
            if (c.runningSince() != null) {
                running++;
            } else if (c.terminated() != null) {
                stopped++;
                if (c.terminated().path("exitCode").asInt(0) != 0) {
                    failed++;
                }
            } else if (c.lastTerminated() != null) {
                stopped++;
            } else {
                waiting++;
            }
        }
        if (waiting > 0 || containers.isEmpty()) {
            return "Pending";
        }
        if (running > 0) {
            return "Running";
        }
        if ("Always".equals(restartPolicy) || restartPolicy == null) {
            return "Running";
        }
        if (stopped > 0 && containers.stream().anyMatch(c -> c.terminated() == null)) {
            return "Running";
        }
        return failed > 0 ? ("OnFailure".equals(restartPolicy) ? "Running" : "Failed") : "Succeeded";
    }

    private void condition(ArrayNode out, String type, String status, String message, Instant startTime, Instant now) {
        String before = conditionStatus.get(type);
        if (!status.equals(before)) {
            conditionStatus.put(type, status);
            conditionSince.put(type, before == null && ("Initialized".equals(type) || "PodScheduled".equals(type))
                    ? startTime : now);
        }
        ObjectNode c = out.addObject().put("type", type).put("status", status)
                .put("lastTransitionTime", Js.time(conditionSince.get(type)));
        if (message != null) {
            c.put("reason", "ContainersNotReady").put("message", message);
        }
    }
}
