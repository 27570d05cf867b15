package dev.everynode.daemonset;

import dev.everynode.apimachinery.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rollout controls beyond Kubernetes, kept as DaemonSet annotations so that kubectl and every Kubernetes client
 * read and write the object unchanged: {@code everynode.dev/rollout-paused: "true"} stops rolling replacement
 * (Progressing=Unknown, RolloutPaused), {@code everynode.dev/rollout-partition: "3"} or {@code "25%"} keeps that
 * many nodes on the old revision (OpenKruise semantics; once the others are updated, Progressing=True,
 * RolloutPartitioned), {@code everynode.dev/progress-deadline-seconds: "600"} bounds a rollout without progress
 * (condition Progressing=False, reason ProgressDeadlineExceeded; never while paused or held at the partition).
 * Nodes that need a pod get the current revision, paused or partitioned, as in OpenKruise: see docs/rollouts.md.
 */
public final class RolloutAnnotations {

    public static final String PAUSED = "everynode.dev/rollout-paused";
    public static final String PARTITION = "everynode.dev/rollout-partition";
    public static final String PROGRESS_DEADLINE = "everynode.dev/progress-deadline-seconds";

    private RolloutAnnotations() {}

    /** Refuses malformed values, so that a typo does not silently roll a whole fleet. */
    public static java.util.List<dev.everynode.apimachinery.Cause> validate(ObjectNode ds) {
        var causes = new java.util.ArrayList<dev.everynode.apimachinery.Cause>();
        String paused = Json.text(ds, "metadata", "annotations", PAUSED);
        if (paused != null && !paused.equals("true") && !paused.equals("false")) {
            causes.add(dev.everynode.apimachinery.Cause.notSupported("metadata.annotations[" + PAUSED + "]", paused,
                    "true", "false"));
        }
        String partition = Json.text(ds, "metadata", "annotations", PARTITION);
        if (partition != null) {
            String p = partition.trim();
            if (!p.matches("[0-9]+%?")) {
                causes.add(dev.everynode.apimachinery.Cause.invalid("metadata.annotations[" + PARTITION + "]", partition,
                        "must be a non-negative integer or a percentage (e.g. '25%')"));
            } else if (p.endsWith("%") && Long.parseLong(p.substring(0, p.length() - 1)) > 100) {
                causes.add(dev.everynode.apimachinery.Cause.invalid("metadata.annotations[" + PARTITION + "]", partition,
                        "must not be greater than 100%"));
            }
        }
        String deadline = Json.text(ds, "metadata", "annotations", PROGRESS_DEADLINE);
        if (deadline != null && !deadline.trim().matches("[1-9][0-9]{0,8}")) {
            causes.add(dev.everynode.apimachinery.Cause.invalid("metadata.annotations[" + PROGRESS_DEADLINE + "]",
                    deadline, "must be a positive number of seconds"));
        }
        return causes;
    }

    public static boolean paused(ObjectNode ds) {
        return "true".equalsIgnoreCase(Json.text(ds, "metadata", "annotations", PAUSED));
    }

    /** The partition as written ("3" or "25%"), or null when absent or malformed (validation refuses those). */
    public static String partition(ObjectNode ds) {
        String value = Json.text(ds, "metadata", "annotations", PARTITION);
        return value != null && value.trim().matches("[0-9]+%?") ? value.trim() : null;
    }

    /** Seconds without progress before the rollout is declared stuck; null when not set. */
    public static Long progressDeadlineSeconds(ObjectNode ds) {
        String value = Json.text(ds, "metadata", "annotations", PROGRESS_DEADLINE);
        return value != null && value.trim().matches("[0-9]+") ? Long.parseLong(value.trim()) : null;
    }
}
