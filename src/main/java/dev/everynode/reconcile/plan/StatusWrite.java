package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Action.WriteStatus;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.RolloutFailed;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Status;
import dev.everynode.reconcile.plan.Model.Strategy;
import dev.everynode.reconcile.plan.Model.Written;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The status a pass writes, from the pods as it left them, and the rollout policies that act with it (RollingUpdate
 * only): the Progressing condition, an automatic canary promotion, the stable revision on completion, and the failure
 * policy's pause or rollback. Everything is computed from the pass's one {@code now}.
 */
public final class StatusWrite {

    public static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofSeconds(600);

    /**
     * The status as stored before the pass: its counters (null = never written), Progressing and RolloutFailed
     * conditions (null = none).
     */
    public record Stored(Status counters, Progress.Condition progressing, RolloutFailed rolloutFailed) {
        public static final Stored NONE = new Stored(null, null, null);
    }

    /**
     * The rollout settings: {@code rollingUpdate} (the strategy's type as written is RollingUpdate), the progress
     * deadline, the canary's automatic promotion (null = only a person promotes), the stable revision (null = none
     * yet) and the failure policy.
     */
    public record Rollout(boolean rollingUpdate, Duration progressDeadline, Duration canaryAutoPromote,
                          String stableHash, FailurePolicy.Config failure) {
        public static final Rollout DEFAULTS = new Rollout(true, DEFAULT_PROGRESS_DEADLINE, null, null,
                FailurePolicy.Config.OFF);
    }

    /**
     * What the status write reads.
     *
     * @param snapshot    the pass's snapshot (pods as observed)
     * @param written     what the pass wrote: the counters count the pods as it left them
     * @param statusValid the plan lets the pass raise observedGeneration
     * @param revisions   the hashes of the revisions kept, which a rollback can go back to (null = not read: the
     *                    failure policy cannot roll back)
     * @param planned     the plan's own counters of the snapshot at the same {@code now} (null = not known): when
     *                    the pass wrote no pod they are the counters, and the pods are not counted again (most passes
     *                    of a large DaemonSet only take in status reports; counting 10,000 pods was a fifth of them)
     */
    public record Input(Snapshot snapshot, Written written, boolean statusValid, Stored stored, Rollout rollout,
                        Set<String> revisions, Instant now, Status planned) {

        public Input(Snapshot snapshot, Written written, boolean statusValid, Stored stored, Rollout rollout,
                     Set<String> revisions, Instant now) {
            this(snapshot, written, statusValid, stored, rollout, revisions, now, null);
        }
    }

    private StatusWrite() {}

    public static WriteStatus plan(Input in) {
        Status counters = in.planned() != null && in.written().isEmpty() ? in.planned()
                : Planner.statusAfter(in.snapshot(), in.written(), in.now());
        Model.DaemonSetView ds = in.snapshot().daemonSet();
        Rollout rollout = in.rollout();
        if (!rollout.rollingUpdate()) {
            return new WriteStatus(counters, in.statusValid(), null, false, null, false, false, false, null,
                    List.of(), null, in.now());
        }
        Instant now = in.now();
        String hash = ds.currentHash();
        Duration deadline = rollout.progressDeadline();
        Strategy strategy = ds.strategy();
        Stored stored = in.stored();
        boolean newGeneration = ds.observedGeneration() < ds.generation();
        Progress.Canary canary = new Progress.Canary(strategy.policy(), rollout.canaryAutoPromote(),
                FailurePolicy.availableSince(in.snapshot(), now));
        Progress.Step step = Progress.next(new Progress.Input(ds.name(), stored.progressing(), stored.counters(),
                counters, newGeneration, strategy.paused(), strategy.partition(), deadline, now, canary));
        List<Event> transitions = new ArrayList<>(step.events());
        Duration recheck = earliest(Progress.recheckAfter(step.condition(), deadline, now), step.promoteAfter());
        String stable = rollout.stableHash();
        boolean markStable = Progress.COMPLETE.equals(step.condition().reason()) && !hash.equals(stable);
        RolloutFailed failed = stored.rolloutFailed();
        boolean clearFailed = failed != null && failed.observedGeneration() < ds.generation();
        if (clearFailed) {
            failed = null;
        }
        FailurePolicy.Config config = rollout.failure();
        if (config.action() == null) {
            return new WriteStatus(counters, in.statusValid(), step.condition(), clearFailed, null, step.promote(),
                    markStable, false, null, List.copyOf(transitions), recheck, now);
        }
        FailurePolicy.Health health = FailurePolicy.health(in.snapshot(), config.readyTimeout(), now);
        recheck = earliest(recheck, health.recheck());
        boolean rollingBack = failed != null && FailurePolicy.ROLLED_BACK.equals(failed.reason());
        FailurePolicy.Decision decision = FailurePolicy.decide(new FailurePolicy.Input(config, health, hash, stable,
                rollingBack, step.condition().reason(), strategy.paused(), step.condition().message()));
        long generation = ds.generation();
        String rollbackTo = null;
        if (FailurePolicy.ROLLBACK.equals(decision.action())) {
            if (in.revisions() == null || !in.revisions().contains(stable)) {
                decision = new FailurePolicy.Decision(FailurePolicy.PAUSE, FailurePolicy.PAUSED_ON_FAILURE,
                        decision.message().replaceFirst("; rolled back to .*", "; the revision " + stable
                                + " to roll back to is gone from the history, paused"));
            } else {
                rollbackTo = stable;
                generation++;
            }
        }
        RolloutFailed put = null;
        if (decision.action() != null) {
            put = new RolloutFailed(decision.reason(), decision.message(), generation);
            transitions.add(new Event("Warning", decision.reason(), decision.message()));
        }
        return new WriteStatus(counters, in.statusValid(), step.condition(), clearFailed, put, step.promote(),
                markStable, FailurePolicy.PAUSE.equals(decision.action()), rollbackTo, List.copyOf(transitions),
                recheck, now);
    }

    static Duration earliest(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
