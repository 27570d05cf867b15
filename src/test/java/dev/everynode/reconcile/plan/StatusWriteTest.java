package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NEW;
import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.Action.WriteStatus;
import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.RolloutFailed;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Status;
import dev.everynode.reconcile.plan.Model.Written;
import dev.everynode.reconcile.plan.StatusWrite.Rollout;
import dev.everynode.reconcile.plan.StatusWrite.Stored;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The status write of a pass: the Progressing condition from the pass's one {@code now}, and the rollout policies
 * that write with it (stable revision, canary promotion, the failure policy's pause or rollback).
 */
class StatusWriteTest {

    /** What a case checks of the planned write; null progressing = the condition is removed. */
    record Expect(String progressing, boolean markStable, boolean promoteCanary, boolean pause, String rollbackTo,
                  String failed, boolean clearFailed, List<String> transitions) {}

    record Case(String name, StatusWrite.Input input, Expect expected) {
        @Override public String toString() { return name; }
    }

    private static final Duration DEADLINE = StatusWrite.DEFAULT_PROGRESS_DEADLINE;
    private static final FailurePolicy.Config PAUSE = new FailurePolicy.Config(FailurePolicy.PAUSE, null, null);
    private static final FailurePolicy.Config ROLLBACK = new FailurePolicy.Config(FailurePolicy.ROLLBACK, null, null);

    private static Rollout rollout(String stable, FailurePolicy.Config failure) {
        return new Rollout(true, DEADLINE, null, stable, failure);
    }

    private static StatusWrite.Input input(DaemonSetView ds, List<PodView> pods, Stored stored, Rollout rollout,
                                           Set<String> revisions) {
        Snapshot snapshot = new Snapshot(ds, List.of(node("n1").build(), node("n2").build()), pods, Map.of());
        return new StatusWrite.Input(snapshot, Written.NOTHING, true, stored, rollout, revisions, NOW);
    }

    private static Progress.Condition was(String reason, long secondsAgo) {
        return new Progress.Condition("True", reason, "", NOW.minusSeconds(secondsAgo), NOW.minusSeconds(secondsAgo));
    }

    /** Stored before a pass that sees the same counters: the rollout has not moved. */
    private static Stored stuck(Progress.Condition previous, RolloutFailed failed) {
        return new Stored(new Status(2, 2, 0, 1, 1, 1, 2, 0, 0), previous, failed);
    }

    private static Expect expect(String progressing, List<String> transitions) {
        return new Expect(progressing, false, false, false, null, null, false, transitions);
    }

    static Stream<Case> cases() {
        List<PodView> updated = List.of(pod("a", "n1").build(), pod("b", "n2").build());
        List<PodView> oneNotAvailable = List.of(pod("a", "n1").build(), pod("b", "n2").pending().build());
        List<PodView> canaryUpdated = List.of(pod("a", "n1").build(), pod("b", "n2").old().build());
        DaemonSetView canary = ds().policy(new Model.Policy(IntOrPercent.of(1), false, null,
                Model.Policy.DEFAULT_TOPOLOGY_KEY, null)).build();
        RolloutFailed staleFailure = new RolloutFailed(FailurePolicy.PAUSED_ON_FAILURE, "earlier", 0);
        return Stream.of(
            new Case("OnDelete: no Progressing condition, no policies",
                    input(ds().onDelete().build(), updated, Stored.NONE,
                            new Rollout(false, DEADLINE, null, null, PAUSE), null),
                    expect(null, List.of())),
            new Case("first pass of a complete rollout: complete, the revision becomes stable",
                    input(ds().build(), updated, Stored.NONE, rollout(OLD, FailurePolicy.Config.OFF), null),
                    new Expect(Progress.COMPLETE, true, false, false, null, null, false, List.of())),
            new Case("complete and already stable: nothing to record",
                    input(ds().build(), updated, Stored.NONE, rollout(NEW, FailurePolicy.Config.OFF), null),
                    expect(Progress.COMPLETE, List.of())),
            new Case("no progress for the deadline, failure policy off: exceeded, nothing acts",
                    input(ds().build(), oneNotAvailable, stuck(was(Progress.PROGRESSING, 700), null),
                            rollout(OLD, FailurePolicy.Config.OFF), null),
                    expect(Progress.DEADLINE_EXCEEDED, List.of(Progress.DEADLINE_EXCEEDED))),
            new Case("a RolloutFailed of an older generation is cleared",
                    input(ds().build(), oneNotAvailable, stuck(was(Progress.PROGRESSING, 10), staleFailure),
                            rollout(OLD, FailurePolicy.Config.OFF), null),
                    new Expect(Progress.PROGRESSING, false, false, false, null, null, true, List.of())),
            new Case("deadline exceeded with the pause policy: paused, RolloutFailed PausedOnFailure",
                    input(ds().build(), oneNotAvailable, stuck(was(Progress.PROGRESSING, 700), null),
                            rollout(OLD, PAUSE), null),
                    new Expect(Progress.DEADLINE_EXCEEDED, false, false, true, null, FailurePolicy.PAUSED_ON_FAILURE,
                            false, List.of(Progress.DEADLINE_EXCEEDED, FailurePolicy.PAUSED_ON_FAILURE))),
            new Case("deadline exceeded with the rollback policy: the template goes back to the stable revision",
                    input(ds().build(), oneNotAvailable, stuck(was(Progress.PROGRESSING, 700), null),
                            rollout(OLD, ROLLBACK), Set.of(OLD, NEW)),
                    new Expect(Progress.DEADLINE_EXCEEDED, false, false, false, OLD, FailurePolicy.ROLLED_BACK,
                            false, List.of(Progress.DEADLINE_EXCEEDED, FailurePolicy.ROLLED_BACK))),
            new Case("rollback to a revision gone from the history: paused instead",
                    input(ds().build(), oneNotAvailable, stuck(was(Progress.PROGRESSING, 700), null),
                            rollout(OLD, ROLLBACK), Set.of(NEW)),
                    new Expect(Progress.DEADLINE_EXCEEDED, false, false, true, null, FailurePolicy.PAUSED_ON_FAILURE,
                            false, List.of(Progress.DEADLINE_EXCEEDED, FailurePolicy.PAUSED_ON_FAILURE))),
            new Case("canary healthy for its soak time: promoted automatically",
                    input(canary, canaryUpdated, new Stored(null, was(Progress.CANARY_WAITING, 120), null),
                            new Rollout(true, DEADLINE, Duration.ofSeconds(60), OLD, FailurePolicy.Config.OFF), null),
                    new Expect(Progress.PROGRESSING, false, true, false, null, null, false,
                            List.of(Progress.CANARY_PROMOTED))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plansTheStatusWrite(Case c) {
        WriteStatus w = StatusWrite.plan(c.input());
        Expect actual = new Expect(w.progressing() == null ? null : w.progressing().reason(), w.markStable(),
                w.promoteCanary(), w.pause(), w.rollbackTo(), w.rolloutFailed() == null ? null
                : w.rolloutFailed().reason(), w.clearRolloutFailed(), w.transitions().stream().map(Event::reason)
                .toList());
        assertThat(actual).isEqualTo(c.expected());
        assertThat(w.counters()).isEqualTo(Planner.statusAfter(c.input().snapshot(), Written.NOTHING, NOW));
        assertThat(w.now()).isEqualTo(NOW);
    }

    @org.junit.jupiter.api.Test
    void everyTimeIsThePassesNow() {
        WriteStatus w = StatusWrite.plan(input(ds().build(), updated(), Stored.NONE, rollout(OLD, PAUSE), null));
        assertThat(w.progressing().lastTransitionTime()).isEqualTo(NOW);
        assertThat(w.progressing().lastUpdateTime()).isEqualTo(NOW);
        assertThat(w.observeGeneration()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void progressingRechecksAtTheDeadlineAndARollbackCountsTheNextGeneration() {
        WriteStatus progressing = StatusWrite.plan(input(ds().build(), List.of(pod("a", "n1").build(),
                pod("b", "n2").pending().created(NOW).build()), stuck(was(Progress.PROGRESSING, 10), null),
                rollout(OLD, FailurePolicy.Config.OFF), null));
        assertThat(progressing.recheck()).isEqualTo(DEADLINE.minusSeconds(10).plusSeconds(1));

        WriteStatus rollback = StatusWrite.plan(input(ds().build(), List.of(pod("a", "n1").build(),
                pod("b", "n2").pending().build()), stuck(was(Progress.PROGRESSING, 700), null),
                rollout(OLD, ROLLBACK), Set.of(OLD)));
        assertThat(rollback.rolloutFailed().observedGeneration()).isEqualTo(2);
    }

    private static List<PodView> updated() {
        return List.of(pod("a", "n1").build(), pod("b", "n2").build());
    }
}
