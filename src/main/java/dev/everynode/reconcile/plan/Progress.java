package dev.everynode.reconcile.plan;

import java.time.Duration;
import java.time.Instant;

/**
 * The {@code Progressing} condition Kubernetes gives Deployments and not DaemonSets (kubernetes#106054), with the
 * same meaning: True while a rollout moves (lastUpdateTime = the last time it moved), True with reason
 * RolloutComplete when done, Unknown with RolloutPaused while paused, and False with ProgressDeadlineExceeded
 * when nothing moved for the deadline. The message says why a stuck rollout is stuck.
 */
public final class Progress {

    /** A DaemonSet condition as stored; {@code lastUpdateTime} is the time of the last progress. */
    public record Condition(String status, String reason, String message, Instant lastTransitionTime,
                            Instant lastUpdateTime) {}

    private Progress() {}

    /**
     * @param previous     the stored condition, or null
     * @param before       the status counters before this pass (null when never written)
     * @param after        the counters this pass computed
     * @param newGeneration the pass observes a generation the status had not observed yet
     */
    public static Condition next(String name, Condition previous, Model.Status before, Model.Status after,
                                 boolean newGeneration, boolean paused, Duration deadline, Instant now) {
        boolean complete = after.updatedNumberScheduled() >= after.desiredNumberScheduled()
                && after.numberAvailable() >= after.desiredNumberScheduled();
        boolean moved = newGeneration || before == null
                || after.updatedNumberScheduled() > before.updatedNumberScheduled()
                || after.numberAvailable() > before.numberAvailable();
        String status;
        String reason;
        String message;
        Instant lastUpdate = previous == null || moved ? now : previous.lastUpdateTime();
        if (complete) {
            status = "True";
            reason = "RolloutComplete";
            message = "daemon set \"" + name + "\" has successfully progressed.";
        } else if (paused) {
            status = "Unknown";
            reason = "RolloutPaused";
            message = "daemon set \"" + name + "\" rollout is paused: " + counts(after);
            boolean wasPaused = previous != null && "RolloutPaused".equals(previous.reason());
            lastUpdate = wasPaused && !moved ? previous.lastUpdateTime() : now;
        } else if (!moved && previous != null && !now.isBefore(previous.lastUpdateTime().plus(deadline))) {
            status = "False";
            reason = "ProgressDeadlineExceeded";
            message = "daemon set \"" + name + "\" has not progressed for " + deadline.toSeconds() + "s: "
                    + counts(after) + stuck(after);
        } else {
            status = "True";
            reason = "RolloutProgressing";
            message = "daemon set \"" + name + "\" is progressing: " + counts(after);
        }
        Instant transition = previous != null && previous.status().equals(status)
                ? previous.lastTransitionTime() : now;
        return new Condition(status, reason, message, transition, lastUpdate);
    }

    /** When to look again so that the deadline is noticed even without other triggers; null when not needed. */
    public static Duration recheckAfter(Condition condition, Duration deadline, Instant now) {
        if (!"True".equals(condition.status()) || "RolloutComplete".equals(condition.reason())) {
            return null;
        }
        Duration left = Duration.between(now, condition.lastUpdateTime().plus(deadline)).plusSeconds(1);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static String counts(Model.Status s) {
        return s.updatedNumberScheduled() + " of " + s.desiredNumberScheduled() + " nodes updated, "
                + s.numberAvailable() + " available";
    }

    private static String stuck(Model.Status s) {
        if (s.unavailableOnNotReadyNodes() > 0) {
            return "; " + s.unavailableOnNotReadyNodes() + " of " + s.numberUnavailable()
                    + " unavailable pods are on NotReady nodes";
        }
        return "; new pods are not becoming available";
    }
}
