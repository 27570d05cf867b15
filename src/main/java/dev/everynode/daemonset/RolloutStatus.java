package dev.everynode.daemonset;

import dev.everynode.apimachinery.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code kubectl rollout status daemonset/<name>} would print for a DaemonSet (DaemonSetStatusViewer,
 * semantics §4.1), as data for people and agents without kubectl.
 */
public final class RolloutStatus {

    private RolloutStatus() {}

    public static ObjectNode of(ObjectNode ds) {
        String name = Json.text(ds, "metadata", "name");
        JsonNode status = ds.path("status");
        long generation = ds.path("metadata").path("generation").asLong(0);
        long observed = status.path("observedGeneration").asLong(0);
        int desired = status.path("desiredNumberScheduled").asInt(0);
        int updated = status.path("updatedNumberScheduled").asInt(0);
        int available = status.path("numberAvailable").asInt(0);
        String type = ds.path("spec").path("updateStrategy").path("type").asString("RollingUpdate");
        ObjectNode out = Json.object();
        boolean done;
        String message;
        if (!"RollingUpdate".equals(type)) {
            done = true;
            message = "rollout status is only available for RollingUpdate strategy type";
        } else if (generation <= observed) {
            if (updated < desired) {
                done = false;
                message = String.format("Waiting for daemon set \"%s\" rollout to finish: %d out of %d new pods have "
                        + "been updated...\n", name, updated, desired);
            } else if (available < desired) {
                done = false;
                message = String.format("Waiting for daemon set \"%s\" rollout to finish: %d of %d updated pods are "
                        + "available...\n", name, available, desired);
            } else {
                done = true;
                message = String.format("daemon set \"%s\" successfully rolled out\n", name);
            }
        } else {
            done = false;
            message = "Waiting for daemon set spec update to be observed...\n";
        }
        out.put("done", done);
        out.put("message", message);
        out.put("generation", generation);
        out.put("observedGeneration", observed);
        out.put("desiredNumberScheduled", desired);
        out.put("updatedNumberScheduled", updated);
        out.put("numberAvailable", available);
        out.put("numberReady", status.path("numberReady").asInt(0));
        out.put("numberUnavailable", status.path("numberUnavailable").asInt(0));
        out.put("numberMisscheduled", status.path("numberMisscheduled").asInt(0));
        return out;
    }
}
