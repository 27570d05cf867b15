package dev.everynode.support;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Plays the node agents of some nodes over the public API, one step at a time: pods bound to them are reported
 * Running and Ready (or Failed, or left unready), pods being deleted are confirmed with gracePeriodSeconds=0.
 */
public final class TestAgent {

    public enum Outcome { READY, UNREADY, FAILED }

    private final ApiClient api;

    public TestAgent(ApiClient api) {
        this.api = api;
    }

    /** Reports every pending pod on the nodes with {@code outcome}, and confirms terminations. */
    public int step(Set<String> nodes, Outcome outcome) {
        int changed = 0;
        JsonNode pods = api.get("/api/v1/pods").json().path("items");
        for (JsonNode pod : pods) {
            String node = pod.path("spec").path("nodeName").asString("");
            if (!nodes.contains(node)) {
                continue;
            }
            String ns = pod.path("metadata").path("namespace").asString();
            String name = pod.path("metadata").path("name").asString();
            if (pod.path("metadata").has("deletionTimestamp")) {
                api.delete("/api/v1/namespaces/" + ns + "/pods/" + name + "?gracePeriodSeconds=0");
                changed++;
                continue;
            }
            String phase = pod.path("status").path("phase").asString("");
            boolean alreadyReported = !phase.equals("Pending");
            if (!alreadyReported) {
                api.put("/api/v1/namespaces/" + ns + "/pods/" + name + "/status", status(pod, outcome));
                changed++;
            }
        }
        return changed;
    }

    public static ObjectNode status(JsonNode pod, Outcome outcome) {
        ObjectNode body = ((ObjectNode) pod).deepCopy();
        ObjectNode status = body.putObject("status");
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        status.put("phase", outcome == Outcome.FAILED ? "Failed" : "Running");
        status.put("podIP", "10.0.0.1");
        status.put("startTime", now);
        var conditions = status.putArray("conditions");
        conditions.addObject().put("type", "Ready").put("status", outcome == Outcome.READY ? "True" : "False")
                .put("lastTransitionTime", now);
        return body;
    }

}
