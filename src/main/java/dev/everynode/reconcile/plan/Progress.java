package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Progressing} condition Kubernetes gives Deployments and not DaemonSets (kubernetes#106054), with the
 * same meaning, and the events that mark its transitions. One state per pass, the first that applies:
 * <ul>
 *   <li>paused: Unknown, RolloutPaused (a paused Deployment is Unknown, DeploymentPaused, even when complete);
 *   <li>complete: True, RolloutComplete;
 *   <li>a canary that is not promoted, once its nodes are updated: Unknown, CanaryWaiting, with the canary's
 *       health in the message (issue 17); the rollout waits for a person (or, with auto-promotion, for every
 *       canary pod to have been available for the configured time), not for a pod, so the deadline does not run;
 *   <li>held at the partition (every node the partition lets go is updated and available, the rest held):
 *       True, RolloutPartitioned, as OpenKruise's CloneSet says True, ProgressPartitionAvailable: the rollout
 *       has done what it was asked and waits for the user, not for a pod;
 *   <li>no progress for the deadline: False, ProgressDeadlineExceeded, with a message that says why;
 *   <li>otherwise True, RolloutProgressing.
 * </ul>
 * {@code lastUpdateTime} is the last time the rollout moved, or the time it entered its state: the deadline
 * clock runs only while the rollout is expected to move, so it starts again on resuming, on leaving the
 * partition and on leaving completion (as Kubernetes does after a resume, and Kruise after a pause or partition).
 */
public final class Progress {

    public static final String PAUSED = "RolloutPaused";
    public static final String COMPLETE = "RolloutComplete";
    public static final String PARTITIONED = "RolloutPartitioned";
    public static final String DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
    public static final String PROGRESSING = "RolloutProgressing";
    public static final String RESUMED = "RolloutResumed";
    public static final String PARTITION_CHANGED = "PartitionChanged";
    public static final String PARTITION_RELEASED = "PartitionReleased";
    public static final String CANARY_WAITING = "CanaryWaiting";
    public static final String CANARY_PROMOTED = "CanaryPromoted";

    /** A DaemonSet condition as stored; {@code lastUpdateTime} is the time of the last progress. */
    public record Condition(String status, String reason, String message, Instant lastTransitionTime,
                            Instant lastUpdateTime) {}

    /**
     * What one pass knows.
     *
     * @param previous      the stored condition, or null
     * @param before        the status counters before this pass (null when never written)
     * @param after         the counters this pass computed
     * @param newGeneration the pass observes a generation the status had not observed yet
     * @param partition     the partition as written (null = none)
     */
    public record Input(String name, Condition previous, Status before, Status after, boolean newGeneration,
                        boolean paused, IntOrPercent partition, Duration deadline, Instant now, Canary canary) {

        public Input {
            canary = canary == null ? Canary.NONE : canary;
        }

        public Input(String name, Condition previous, Status before, Status after, boolean newGeneration,
                     boolean paused, IntOrPercent partition, Duration deadline, Instant now) {
            this(name, previous, before, after, newGeneration, paused, partition, deadline, now, Canary.NONE);
        }
    }

    /**
     * The canary of the pass: the rollout policy (its {@code canary} and {@code canaryPromoted}),
     * {@code autoPromote} (null = only a person promotes) and {@code healthySince}: since when every updated pod
     * has been available (null when one is not).
     */
    public record Canary(Model.Policy policy, Duration autoPromote, Instant healthySince) {
        public static final Canary NONE = new Canary(Model.Policy.NONE, null, null);

        boolean active() {
            return policy.canary() != null && !policy.canaryPromoted();
        }
    }

    /**
     * The condition to store, the events of its transition (none when the state stays the same), whether this
     * pass promotes the canary automatically ({@code promote}: the caller records the promotion of the current
     * revision), and when to look again for an automatic promotion (null = no need).
     */
    public record Step(Condition condition, List<Event> events, boolean promote, Duration promoteAfter) {
        public Step(Condition condition, List<Event> events) {
            this(condition, events, false, null);
        }
    }

    private Progress() {}

    public static Step next(Input in) {
        Status s = in.after();
        Condition previous = in.previous();
        int kept = keptByPartition(in.partition(), s.desiredNumberScheduled());
        String reason = reason(in, kept);
        boolean promote = false;
        Duration promoteAfter = null;
        if (CANARY_WAITING.equals(reason) && in.canary().autoPromote() != null
                && in.canary().healthySince() != null && s.updatedNumberAvailable() >= s.updatedNumberScheduled()) {
            // The soak counts on the server's clock too: from the later of the pods' availability (agent clock,
            // whole seconds) and the last change of the wait.
            Instant since = in.canary().healthySince();
            Instant waiting = previous != null && CANARY_WAITING.equals(previous.reason())
                    ? previous.lastUpdateTime() : in.now();
            Instant at = (waiting.isAfter(since) ? waiting : since).plus(in.canary().autoPromote());
            if (in.now().isBefore(at)) {
                promoteAfter = Duration.between(in.now(), at);
            } else {
                promote = true;
                reason = PROGRESSING;
            }
        }
        boolean moved = moved(in);
        boolean entered = previous == null || !previous.reason().equals(reason);
        // Entering ProgressDeadlineExceeded keeps the time of the last progress: the message counts from there.
        Instant lastUpdate = moved || (entered && !DEADLINE_EXCEEDED.equals(reason)) ? in.now()
                : previous.lastUpdateTime();
        String status = switch (reason) {
            case PAUSED, CANARY_WAITING -> "Unknown";
            case DEADLINE_EXCEEDED -> "False";
            default -> "True";
        };
        String prefix = "daemon set \"" + in.name() + "\" ";
        String message = switch (reason) {
            case PAUSED -> prefix + "rollout is paused: " + counts(s);
            case COMPLETE -> prefix + "has successfully progressed.";
            case CANARY_WAITING -> prefix + "canary is waiting for promotion: " + canaryHealth(in, kept) + "; "
                    + counts(s);
            case PARTITIONED -> prefix + "is held at its partition: " + counts(s) + "; " + held(s);
            case DEADLINE_EXCEEDED -> prefix + "has not progressed for " + in.deadline().toSeconds() + "s: "
                    + counts(s) + stuck(s);
            default -> prefix + "is progressing: " + counts(s);
        };
        Instant transition = previous != null && previous.status().equals(status)
                ? previous.lastTransitionTime() : in.now();
        Condition condition = new Condition(status, reason, message, transition, lastUpdate);
        List<Event> events = new ArrayList<>(entered ? events(in, kept, condition) : List.of());
        if (promote) {
            events.add(new Event("Normal", CANARY_PROMOTED, "Canary promoted automatically: all "
                    + s.updatedNumberScheduled() + " canary pods available for " + in.canary().autoPromote().toSeconds()
                    + "s; rolling out to all " + s.desiredNumberScheduled() + " nodes"));
        }
        return new Step(condition, List.copyOf(events), promote, promoteAfter);
    }

    /** How many nodes the canary updates before it waits: its size, at most what the partition lets roll. */
    static int canaryTarget(Input in, int kept) {
        return canaryTarget(in.canary().policy(), kept, in.after().desiredNumberScheduled());
    }

    static int canaryTarget(Model.Policy policy, int kept, int desired) {
        int size = UpdateScope.canarySize(policy.canary(), desired);
        return Math.min(size, kept > 0 ? desired - kept : desired);
    }

    private static String canaryHealth(Input in, int kept) {
        Status s = in.after();
        return s.updatedNumberAvailable() + " of " + canaryTarget(in, kept) + " canary pods available";
    }

    /** When to look again so that the deadline is noticed even without other triggers; null when not needed. */
    public static Duration recheckAfter(Condition condition, Duration deadline, Instant now) {
        if (!PROGRESSING.equals(condition.reason())) {
            return null;
        }
        Duration left = Duration.between(now, condition.lastUpdateTime().plus(deadline)).plusSeconds(1);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** How many nodes the partition keeps on older revisions: Kruise's floor of a percent of desired, at most all. */
    static int keptByPartition(IntOrPercent partition, int desired) {
        return Math.max(0, Math.min(IntOrPercents.scaled(partition, desired, false), desired));
    }

    private static String reason(Input in, int kept) {
        Status s = in.after();
        int desired = s.desiredNumberScheduled();
        Condition previous = in.previous();
        boolean active = previous != null
                && (PROGRESSING.equals(previous.reason()) || DEADLINE_EXCEEDED.equals(previous.reason()));
        if (in.paused()) {
            return PAUSED;
        }
        if (s.updatedNumberScheduled() >= desired && s.numberAvailable() >= desired) {
            return COMPLETE;
        }
        // Only while nodes still run an older revision: a new DaemonSet's first pods are not held by a canary.
        if (in.canary().active() && s.updatedNumberScheduled() < desired
                && s.currentNumberScheduled() > s.updatedNumberScheduled()
                && s.updatedNumberScheduled() >= canaryTarget(in, kept)) {
            return CANARY_WAITING;
        }
        if (heldAtPartition(s, kept)) {
            return PARTITIONED;
        }
        if (active && !moved(in) && !in.now().isBefore(previous.lastUpdateTime().plus(in.deadline()))) {
            return DEADLINE_EXCEEDED;
        }
        return PROGRESSING;
    }

    /**
     * Every node has a pod, every updated pod is available, and the nodes not updated are no more than the
     * partition keeps. A node without a pod gets one of the current revision (Kruise's manage() does the same),
     * so it is not held; nor is an updated pod that is not available: both are progress still to come.
     */
    private static boolean heldAtPartition(Status s, int kept) {
        int desired = s.desiredNumberScheduled();
        int updated = s.updatedNumberScheduled();
        return kept > 0 && updated < desired && updated >= desired - kept
                && s.updatedNumberAvailable() >= updated && s.currentNumberScheduled() >= desired;
    }

    private static boolean moved(Input in) {
        Status before = in.before();
        Status after = in.after();
        return in.newGeneration() || before == null
                || after.updatedNumberScheduled() > before.updatedNumberScheduled()
                || after.numberAvailable() > before.numberAvailable();
    }

    /**
     * The events of entering {@code next}: paused, resumed, held at the partition, the partition lowered or
     * removed while held, the deadline exceeded. Computed from the stored condition, so each transition is
     * recorded once, by the pass that stores the new state.
     */
    private static List<Event> events(Input in, int kept, Condition next) {
        Status s = in.after();
        String was = in.previous() == null ? null : in.previous().reason();
        List<Event> events = new ArrayList<>();
        if (PAUSED.equals(was)) {
            events.add(new Event("Normal", RESUMED, "Rollout resumed: " + counts(s)));
        }
        if (PARTITIONED.equals(was) && !PAUSED.equals(next.reason()) && !in.newGeneration()) {
            int desired = s.desiredNumberScheduled();
            // Nodes without a pod get one of the current revision anyway: more of them is no partition change.
            int pending = desired - s.currentNumberScheduled();
            if (kept == 0) {
                events.add(new Event("Normal", PARTITION_RELEASED, "Partition released: rolling out to all "
                        + desired + " nodes"));
            } else if (desired - kept > s.updatedNumberScheduled() + pending) {
                events.add(new Event("Normal", PARTITION_CHANGED, "Partition lowered to hold " + kept + " of "
                        + desired + " nodes: rolling out to " + (desired - kept)));
            }
        }
        if (CANARY_WAITING.equals(was) && in.canary().policy().canary() != null
                && in.canary().policy().canaryPromoted() && !in.newGeneration()) {
            events.add(new Event("Normal", CANARY_PROMOTED, "Canary promoted: " + s.updatedNumberAvailable() + " of "
                    + s.updatedNumberScheduled() + " canary pods available; rolling out to all "
                    + s.desiredNumberScheduled() + " nodes"));
        }
        switch (next.reason()) {
            case PAUSED -> events.add(new Event("Normal", PAUSED, "Rollout paused: " + counts(s)));
            case CANARY_WAITING -> events.add(new Event("Normal", CANARY_WAITING, "Canary updated, waiting for "
                    + "promotion: " + canaryHealth(in, kept)));
            case PARTITIONED -> events.add(new Event("Normal", PARTITIONED, "Rollout held at partition: "
                    + counts(s) + "; " + held(s)));
            case DEADLINE_EXCEEDED -> events.add(new Event("Warning", DEADLINE_EXCEEDED, next.message()));
            default -> { }
        }
        return List.copyOf(events);
    }

    private static String counts(Status s) {
        return s.updatedNumberScheduled() + " of " + s.desiredNumberScheduled() + " nodes updated, "
                + s.numberAvailable() + " available";
    }

    private static String held(Status s) {
        return (s.desiredNumberScheduled() - s.updatedNumberScheduled()) + " held at partition";
    }

    private static String stuck(Status s) {
        if (s.unavailableOnNotReadyNodes() > 0) {
            return "; " + s.unavailableOnNotReadyNodes() + " of " + s.numberUnavailable()
                    + " unavailable pods are on NotReady nodes";
        }
        return "; new pods are not becoming available";
    }
}
