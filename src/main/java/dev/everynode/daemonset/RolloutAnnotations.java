package dev.everynode.daemonset;

import dev.everynode.apimachinery.json.Json;
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
    /** Issue 17: nodes (or percent of desired, rounded up) updated first; the rest waits for the promotion. */
    public static final String CANARY = "everynode.dev/rollout-canary";
    /** The revision hash (controller-revision-hash) whose canary is promoted: a new template needs a new one. */
    public static final String CANARY_PROMOTED = "everynode.dev/rollout-canary-promoted";
    /** A label selector (kubectl syntax): only matching nodes take the new revision (OpenKruise's selector). */
    public static final String NODE_SELECTOR = "everynode.dev/rollout-node-selector";
    /** The node label whose values are the failure domains of the waves (default topology.kubernetes.io/zone). */
    public static final String TOPOLOGY_KEY = "everynode.dev/rollout-topology-key";
    /** Turns waves on: at most this many nodes (or percent of the domain) of the domain in flight unavailable. */
    public static final String MAX_UNAVAILABLE_PER_DOMAIN = "everynode.dev/rollout-max-unavailable-per-domain";

    /** Promotes the canary by itself once every canary pod has been available for this many seconds. */
    public static final String CANARY_AUTO_PROMOTE = "everynode.dev/rollout-canary-auto-promote-seconds";
    /** What a failed rollout does: {@code pause} or {@code rollback} (to the stable revision); absent = report only. */
    public static final String FAILURE_POLICY = "everynode.dev/rollout-failure-policy";
    /** The rollout fails when more than this fraction (0 to 1) of the nodes that tried the new revision fail. */
    public static final String MAX_FAILURE_RATIO = "everynode.dev/rollout-max-failure-ratio";
    /** A new pod not available this many seconds after its creation counts as failed (default 300). */
    public static final String READY_TIMEOUT = "everynode.dev/rollout-ready-timeout-seconds";
    /** Written by the controller: the hash of the last revision whose rollout completed (the rollback target). */
    public static final String STABLE_REVISION = "everynode.dev/stable-revision";

    private RolloutAnnotations() {}

    /** Refuses malformed values, so that a typo does not silently roll a whole fleet. */
    public static java.util.List<dev.everynode.apimachinery.errors.Cause> validate(ObjectNode ds) {
        var causes = new java.util.ArrayList<dev.everynode.apimachinery.errors.Cause>();
        String paused = Json.text(ds, "metadata", "annotations", PAUSED);
        if (paused != null && !paused.equals("true") && !paused.equals("false")) {
            causes.add(dev.everynode.apimachinery.errors.Cause.notSupported("metadata.annotations[" + PAUSED + "]", paused,
                    "true", "false"));
        }
        String partition = Json.text(ds, "metadata", "annotations", PARTITION);
        if (partition != null) {
            String p = partition.trim();
            if (!p.matches("[0-9]+%?")) {
                causes.add(dev.everynode.apimachinery.errors.Cause.invalid("metadata.annotations[" + PARTITION + "]", partition,
                        "must be a non-negative integer or a percentage (e.g. '25%')"));
            } else if (p.endsWith("%") && Long.parseLong(p.substring(0, p.length() - 1)) > 100) {
                causes.add(dev.everynode.apimachinery.errors.Cause.invalid("metadata.annotations[" + PARTITION + "]", partition,
                        "must not be greater than 100%"));
            }
        }
        String deadline = Json.text(ds, "metadata", "annotations", PROGRESS_DEADLINE);
        if (deadline != null && !deadline.trim().matches("[1-9][0-9]{0,8}")) {
            causes.add(dev.everynode.apimachinery.errors.Cause.invalid("metadata.annotations[" + PROGRESS_DEADLINE + "]",
                    deadline, "must be a positive number of seconds"));
        }
        String canary = Json.text(ds, "metadata", "annotations", CANARY);
        if (canary != null && !positiveIntOrPercent(canary)) {
            causes.add(dev.everynode.apimachinery.errors.Cause.invalid(field(CANARY), canary,
                    "must be a positive integer or a percentage between 1% and 100% (e.g. '5%')"));
        }
        String perDomain = Json.text(ds, "metadata", "annotations", MAX_UNAVAILABLE_PER_DOMAIN);
        if (perDomain != null && !positiveIntOrPercent(perDomain)) {
            causes.add(dev.everynode.apimachinery.errors.Cause.invalid(field(MAX_UNAVAILABLE_PER_DOMAIN), perDomain,
                    "must be a positive integer or a percentage between 1% and 100% (e.g. '1' or '10%')"));
        }
        String auto = Json.text(ds, "metadata", "annotations", CANARY_AUTO_PROMOTE);
        if (auto != null && !auto.trim().matches("[1-9][0-9]{0,8}")) {
            causes.add(dev.everynode.apimachinery.errors.Cause.invalid(field(CANARY_AUTO_PROMOTE), auto,
                    "must be a positive number of seconds"));
        }
        String policy = Json.text(ds, "metadata", "annotations", FAILURE_POLICY);
        if (policy != null && !policy.trim().equals("pause") && !policy.trim().equals("rollback")) {
            causes.add(dev.everynode.apimachinery.errors.Cause.notSupported(field(FAILURE_POLICY), policy, "pause",
                    "rollback"));
        }
        String ratio = Json.text(ds, "metadata", "annotations", MAX_FAILURE_RATIO);
        if (ratio != null && ratio(ratio) == null) {
            causes.add(dev.everynode.apimachinery.errors.Cause.invalid(field(MAX_FAILURE_RATIO), ratio,
                    "must be a number between 0 and 1 (e.g. '0.2')"));
        }
        String timeout = Json.text(ds, "metadata", "annotations", READY_TIMEOUT);
        if (timeout != null && !timeout.trim().matches("[1-9][0-9]{0,8}")) {
            causes.add(dev.everynode.apimachinery.errors.Cause.invalid(field(READY_TIMEOUT), timeout,
                    "must be a positive number of seconds"));
        }
        String key = Json.text(ds, "metadata", "annotations", TOPOLOGY_KEY);
        if (key != null) {
            try {
                dev.everynode.apimachinery.selector.LabelSelector.parse(key.trim());
                if (key.isBlank() || !key.trim().matches("[A-Za-z0-9./_-]+")) {
                    throw new IllegalArgumentException("not a label key");
                }
            } catch (IllegalArgumentException e) {
                causes.add(dev.everynode.apimachinery.errors.Cause.invalid(field(TOPOLOGY_KEY), key,
                        "must be a label key (e.g. 'topology.kubernetes.io/zone')"));
            }
        }
        String selector = Json.text(ds, "metadata", "annotations", NODE_SELECTOR);
        if (selector != null) {
            try {
                dev.everynode.apimachinery.selector.LabelSelector.parse(selector);
            } catch (IllegalArgumentException e) {
                causes.add(dev.everynode.apimachinery.errors.Cause.invalid(field(NODE_SELECTOR), selector,
                        "must be a label selector (e.g. 'pool=canary,zone in (a,b)'): " + e.getMessage()));
            }
        }
        return causes;
    }

    private static String field(String annotation) {
        return "metadata.annotations[" + annotation + "]";
    }

    private static boolean positiveIntOrPercent(String value) {
        String v = value.trim();
        if (!v.matches("[0-9]{1,9}%?")) {
            return false;
        }
        long n = Long.parseLong(v.endsWith("%") ? v.substring(0, v.length() - 1) : v);
        return n >= 1 && (!v.endsWith("%") || n <= 100);
    }

    /** An int-or-percent annotation as written ("3" or "5%"), or null when absent or malformed. */
    public static String intOrPercent(ObjectNode ds, String annotation) {
        String value = Json.text(ds, "metadata", "annotations", annotation);
        return value != null && positiveIntOrPercent(value) ? value.trim() : null;
    }

    /** A plain annotation value, trimmed; null when absent or blank. */
    public static String text(ObjectNode ds, String annotation) {
        String value = Json.text(ds, "metadata", "annotations", annotation);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Double ratio(String value) {
        String v = value.trim();
        if (!v.matches("[0-9]*\\.?[0-9]+")) {
            return null;
        }
        double d = Double.parseDouble(v);
        return d >= 0 && d <= 1 ? d : null;
    }

    /** A positive number of seconds, or null when absent or malformed. */
    public static Long seconds(ObjectNode ds, String annotation) {
        String value = Json.text(ds, "metadata", "annotations", annotation);
        return value != null && value.trim().matches("[1-9][0-9]{0,8}") ? Long.parseLong(value.trim()) : null;
    }

    /** The failure policy ("pause" or "rollback"), or null when absent or malformed. */
    public static String failurePolicy(ObjectNode ds) {
        String value = text(ds, FAILURE_POLICY);
        return "pause".equals(value) || "rollback".equals(value) ? value : null;
    }

    /** The maximum failure ratio, or null when absent or malformed. */
    public static Double maxFailureRatio(ObjectNode ds) {
        String value = text(ds, MAX_FAILURE_RATIO);
        return value == null ? null : ratio(value);
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
