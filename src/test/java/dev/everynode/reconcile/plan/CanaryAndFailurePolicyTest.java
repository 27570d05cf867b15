package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NEW;
import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.FailurePolicy.Config;
import dev.everynode.reconcile.plan.FailurePolicy.Decision;
import dev.everynode.reconcile.plan.FailurePolicy.Health;
import dev.everynode.reconcile.plan.Model.Backoff;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Policy;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Status;
import dev.everynode.reconcile.plan.Progress.Canary;
import dev.everynode.reconcile.plan.Progress.Condition;
import dev.everynode.reconcile.plan.Progress.Input;
import dev.everynode.reconcile.plan.Progress.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's rollout states and decisions beyond the planner's quota: the canary's wait and promotion (manual and
 * automatic) in the Progressing condition, and the failure policy's trigger, action and loop guard.
 */
class CanaryAndFailurePolicyTest {

    private static final Duration DEADLINE = Duration.ofSeconds(600);
    private static final Policy CANARY_5_PERCENT = new Policy(IntOrPercent.percent("5%"), false, null,
            Policy.DEFAULT_TOPOLOGY_KEY, null);
    private static final Policy PROMOTED = new Policy(IntOrPercent.percent("5%"), true, null,
            Policy.DEFAULT_TOPOLOGY_KEY, null);

    /** desired, current (nodes with a pod), updated, updated and available, available. */
    private static Status st(int desired, int current, int updated, int updatedAvailable, int available) {
        return new Status(desired, current, 0, available, available, desired - available, updated, 0,
                updatedAvailable);
    }

    private static Condition was(String reason, String status, long secondsAgo) {
        return new Condition(status, reason, "", NOW.minusSeconds(secondsAgo), NOW.minusSeconds(secondsAgo));
    }

    private static Step step(Condition previous, Status before, Status after, Canary canary) {
        return Progress.next(new Input("agent", previous, before, after, false, false, null, DEADLINE, NOW, canary));
    }

    private static List<String> reasons(Step step) {
        return step.events().stream().map(Event::reason).toList();
    }

    // ---- canary in the Progressing condition ------------------------------------------------------------------

    @Test
    void canaryOfFivePercentOfOneHundredWaitsOnceItsFiveNodesAreUpdated() {
        Status five = st(100, 100, 5, 5, 100);
        Step s = step(was(Progress.PROGRESSING, "True", 10), st(100, 100, 4, 4, 99), five,
                new Canary(CANARY_5_PERCENT, null, null));
        assertThat(s.condition().status()).isEqualTo("Unknown");
        assertThat(s.condition().reason()).isEqualTo(Progress.CANARY_WAITING);
        assertThat(s.condition().message()).contains("5 of 5 canary pods available", "5 of 100 nodes updated");
        assertThat(reasons(s)).containsExactly(Progress.CANARY_WAITING);
        assertThat(s.promote()).isFalse();
    }

    @Test
    void canaryStillUpdatingIsProgressingAndAnUnhealthyCanaryWaitsWithItsHealthInTheMessage() {
        Canary canary = new Canary(CANARY_5_PERCENT, null, null);
        assertThat(step(was(Progress.PROGRESSING, "True", 1), st(100, 100, 3, 3, 99), st(100, 100, 4, 3, 99), canary)
                .condition().reason()).isEqualTo(Progress.PROGRESSING);
        Step unhealthy = step(was(Progress.PROGRESSING, "True", 1), null, st(100, 100, 5, 2, 97), canary);
        assertThat(unhealthy.condition().reason()).isEqualTo(Progress.CANARY_WAITING);
        assertThat(unhealthy.condition().message()).contains("2 of 5 canary pods available");
    }

    @Test
    void aNewDaemonSetsFirstPodsAreNotHeldByTheCanary() {
        // Creating pods on nodes without one is not the canary's business: no old pod, no wait.
        Step s = step(null, null, st(100, 60, 60, 60, 60), new Canary(CANARY_5_PERCENT, null, null));
        assertThat(s.condition().reason()).isEqualTo(Progress.PROGRESSING);
    }

    @Test
    void waitingCanaryDoesNotExceedTheDeadline() {
        Status five = st(100, 100, 5, 5, 100);
        Step s = step(was(Progress.CANARY_WAITING, "Unknown", 3600), five, five,
                new Canary(CANARY_5_PERCENT, null, null));
        assertThat(s.condition().reason()).isEqualTo(Progress.CANARY_WAITING);
        assertThat(s.events()).isEmpty();
        assertThat(Progress.recheckAfter(s.condition(), DEADLINE, NOW)).isNull();
    }

    @Test
    void promotionLeavesTheWaitWithACanaryPromotedEventOnce() {
        Status five = st(100, 100, 5, 5, 100);
        Step s = step(was(Progress.CANARY_WAITING, "Unknown", 30), five, five, new Canary(PROMOTED, null, null));
        assertThat(s.condition().reason()).isEqualTo(Progress.PROGRESSING);
        assertThat(reasons(s)).containsExactly(Progress.CANARY_PROMOTED);
        assertThat(s.events().get(0).message()).contains("5 of 5 canary pods available", "all 100 nodes");
        Step again = step(s.condition(), five, st(100, 100, 10, 10, 100), new Canary(PROMOTED, null, null));
        assertThat(again.events()).isEmpty();
    }

    @Test
    void partitionBelowTheCanarySizeCapsWhatTheCanaryWaitsFor() {
        // 100 nodes, partition 98: at most 2 roll, so a canary of 5 waits at 2.
        Step s = Progress.next(new Input("agent", was(Progress.PROGRESSING, "True", 1), null, st(100, 100, 2, 2, 100),
                false, false, IntOrPercent.of(98), DEADLINE, NOW, new Canary(CANARY_5_PERCENT, null, null)));
        assertThat(s.condition().reason()).isEqualTo(Progress.CANARY_WAITING);
        assertThat(s.condition().message()).contains("2 of 2 canary pods available");
    }

    @Test
    void pausedWinsOverTheCanaryAndCompleteIsComplete() {
        Canary canary = new Canary(CANARY_5_PERCENT, null, null);
        Step paused = Progress.next(new Input("agent", null, null, st(100, 100, 5, 5, 100), false, true, null,
                DEADLINE, NOW, canary));
        assertThat(paused.condition().reason()).isEqualTo(Progress.PAUSED);
        assertThat(step(null, null, st(100, 100, 100, 100, 100), canary).condition().reason())
                .isEqualTo(Progress.COMPLETE);
    }

    @Test
    void autoPromotionWaitsForTheConfiguredHealthyTimeThenPromotesWithItsOwnEvent() {
        Status five = st(100, 100, 5, 5, 100);
        Duration auto = Duration.ofSeconds(60);
        Step early = step(was(Progress.CANARY_WAITING, "Unknown", 30), five, five,
                new Canary(CANARY_5_PERCENT, auto, NOW.minusSeconds(20)));
        assertThat(early.promote()).isFalse();
        assertThat(early.condition().reason()).isEqualTo(Progress.CANARY_WAITING);
        assertThat(early.promoteAfter()).isEqualTo(Duration.ofSeconds(40));

        Step due = step(was(Progress.CANARY_WAITING, "Unknown", 90), five, five,
                new Canary(CANARY_5_PERCENT, auto, NOW.minusSeconds(60)));
        assertThat(due.promote()).isTrue();
        assertThat(due.condition().reason()).isEqualTo(Progress.PROGRESSING);
        assertThat(reasons(due)).containsExactly(Progress.CANARY_PROMOTED);
        assertThat(due.events().get(0).message()).contains("automatically", "60s");
    }

    @Test
    void autoPromotionNeverPromotesAnUnhealthyCanary() {
        Step s = step(was(Progress.CANARY_WAITING, "Unknown", 900), null, st(100, 100, 5, 4, 99),
                new Canary(CANARY_5_PERCENT, Duration.ofSeconds(1), null));
        assertThat(s.promote()).isFalse();
        assertThat(s.promoteAfter()).isNull();
        assertThat(s.condition().reason()).isEqualTo(Progress.CANARY_WAITING);
    }

    // ---- canary health from the pods -------------------------------------------------------------------------

    @Test
    void availableSinceIsTheLatestAvailabilityOfTheNewPodsAndNullWhileOneIsNotAvailable() {
        var ds = ds().minReadySeconds(10).build();
        List<PodView> pods = List.of(
                pod("a", "n1").readySince(NOW.minusSeconds(100)).build(),
                pod("b", "n2").readySince(NOW.minusSeconds(50)).build(),
                pod("c", "n3").old().readySince(NOW.minusSeconds(5)).build());
        assertThat(FailurePolicy.availableSince(new Snapshot(ds, Fixtures.nodes(3), pods, Map.of()), NOW))
                .isEqualTo(NOW.minusSeconds(40));
        List<PodView> oneNotReady = List.of(pods.get(0), pod("b", "n2").notReady().build());
        assertThat(FailurePolicy.availableSince(new Snapshot(ds, Fixtures.nodes(3), oneNotReady, Map.of()), NOW))
                .isNull();
    }

    // ---- failure health --------------------------------------------------------------------------------------

    @Test
    void healthCountsFailedPodsPodsPastTheReadyTimeoutAndNodesBackingOffWithoutANewPod() {
        var ds = ds().observedGeneration(1).build();
        Duration timeout = Duration.ofSeconds(30);
        List<PodView> pods = List.of(
                pod("ok", "n1").readySince(NOW.minusSeconds(5)).build(),
                pod("late", "n2").notReady().created(NOW.minusSeconds(31)).build(),
                pod("young", "n3").notReady().created(NOW.minusSeconds(10)).build(),
                pod("dead", "n4").failed().build(),
                pod("old", "n5").old().notReady().created(NOW.minusSeconds(999)).build());
        Map<String, Backoff> backoff = Map.of(
                "n6", new Backoff(ds.generation(), NOW.minusSeconds(2), Duration.ofSeconds(4)),
                "n1", new Backoff(ds.generation(), NOW.minusSeconds(2), Duration.ofSeconds(4)));
        Health h = FailurePolicy.health(new Snapshot(ds, Fixtures.nodes(6), pods, backoff), timeout, NOW);
        // tried: n1..n4 and n6 (backing off, no pod); failing: late, dead, n6; n1 recovered; n5 is old.
        assertThat(h.tried()).isEqualTo(5);
        assertThat(h.failing()).isEqualTo(3);
        assertThat(h.recheck()).isEqualTo(Duration.ofSeconds(21));
    }

    // ---- decisions -------------------------------------------------------------------------------------------

    private static Decision decide(Config config, Health health, String stable, boolean rollingBack,
                                   String progressing) {
        return FailurePolicy.decide(new FailurePolicy.Input(config, health, NEW, stable, rollingBack, progressing,
                false, "no progress for 600s"));
    }

    private static final Config ROLLBACK = new Config(FailurePolicy.ROLLBACK, 0.2, Duration.ofSeconds(30));
    private static final Config PAUSE = new Config(FailurePolicy.PAUSE, 0.2, Duration.ofSeconds(30));

    @Test
    void deadlineExceededRollsBackToTheStableRevisionAndSaysWhy() {
        Decision d = decide(ROLLBACK, new Health(1, 0, null), OLD, false, Progress.DEADLINE_EXCEEDED);
        assertThat(d.action()).isEqualTo(FailurePolicy.ROLLBACK);
        assertThat(d.reason()).isEqualTo(FailurePolicy.ROLLED_BACK);
        assertThat(d.message()).contains("revision " + NEW, "progress deadline exceeded", "rolled back to revision "
                + OLD);
    }

    @Test
    void moreThanTheRatioFailingTriggersAndAtTheRatioDoesNot() {
        assertThat(decide(ROLLBACK, new Health(10, 2, null), OLD, false, Progress.PROGRESSING).action()).isNull();
        Decision d = decide(ROLLBACK, new Health(10, 3, null), OLD, false, Progress.PROGRESSING);
        assertThat(d.action()).isEqualTo(FailurePolicy.ROLLBACK);
        assertThat(d.message()).contains("3 of 10 updated pods", "30s");
        assertThat(decide(PAUSE, new Health(10, 3, null), OLD, false, Progress.PROGRESSING).action())
                .isEqualTo(FailurePolicy.PAUSE);
        Config noRatio = new Config(FailurePolicy.ROLLBACK, null, Duration.ofSeconds(30));
        assertThat(decide(noRatio, new Health(10, 10, null), OLD, false, Progress.PROGRESSING).action()).isNull();
    }

    @Test
    void aCanaryWaitingWithFailingPodsIsRolledBackToo() {
        assertThat(decide(ROLLBACK, new Health(5, 5, null), OLD, false, Progress.CANARY_WAITING).action())
                .isEqualTo(FailurePolicy.ROLLBACK);
    }

    @Test
    void aFailedRollbackPausesInsteadOfLooping() {
        Decision d = decide(ROLLBACK, new Health(4, 4, null), NEW, true, Progress.PROGRESSING);
        assertThat(d.action()).isEqualTo(FailurePolicy.PAUSE);
        assertThat(d.reason()).isEqualTo(FailurePolicy.PAUSED_ON_FAILURE);
        assertThat(d.message()).contains("Rollback to revision " + NEW + " failed", "paused");
    }

    @Test
    void nothingToRollBackToPauses() {
        Decision d = decide(ROLLBACK, new Health(4, 4, null), null, false, Progress.PROGRESSING);
        assertThat(d.action()).isEqualTo(FailurePolicy.PAUSE);
        assertThat(d.message()).contains("no completed revision to roll back to");
    }

    @Test
    void noActionWhenOffPausedCompleteOrOnTheStableRevision() {
        Health bad = new Health(4, 4, null);
        assertThat(decide(Config.OFF, bad, OLD, false, Progress.DEADLINE_EXCEEDED).action()).isNull();
        assertThat(decide(ROLLBACK, bad, OLD, false, Progress.COMPLETE).action()).isNull();
        // The stable revision's own pods failing later (a node's crash) is no rollout to revert.
        assertThat(decide(ROLLBACK, bad, NEW, false, Progress.PROGRESSING).action()).isNull();
        assertThat(FailurePolicy.decide(new FailurePolicy.Input(ROLLBACK, bad, NEW, OLD, false,
                Progress.PAUSED, true, "")).action()).isNull();
    }

    @Test
    void readyTimeoutDefaultsToFiveMinutes() {
        assertThat(new Config(FailurePolicy.ROLLBACK, 0.5, null).readyTimeout()).isEqualTo(Duration.ofSeconds(300));
        Instant created = NOW.minusSeconds(299);
        var ds = ds().build();
        Health h = FailurePolicy.health(new Snapshot(ds, Fixtures.nodes(1),
                List.of(pod("p", "n1").notReady().created(created).build()), Map.of()),
                FailurePolicy.DEFAULT_READY_TIMEOUT, NOW);
        assertThat(h.failing()).isZero();
    }

    // ---- the waves as the rollout view shows them -------------------------------------------------------------

    @Test
    void wavesViewShowsDoneInFlightAndWaitingDomainsInOrder() {
        Policy waves = new Policy(null, false, null, Policy.DEFAULT_TOPOLOGY_KEY, IntOrPercent.of(1));
        var ds = ds().maxUnavailable(2).policy(waves).build();
        List<Model.NodeView> nodes = List.of(
                Fixtures.node("a1").label(Policy.DEFAULT_TOPOLOGY_KEY, "a").build(),
                Fixtures.node("a2").label(Policy.DEFAULT_TOPOLOGY_KEY, "a").build(),
                Fixtures.node("b1").label(Policy.DEFAULT_TOPOLOGY_KEY, "b").build(),
                Fixtures.node("b2").label(Policy.DEFAULT_TOPOLOGY_KEY, "b").build(),
                Fixtures.node("c1").label(Policy.DEFAULT_TOPOLOGY_KEY, "c").build(),
                Fixtures.node("x").build());
        List<PodView> pods = List.of(
                pod("pa1", "a1").build(), pod("pa2", "a2").build(),
                pod("pb1", "b1").notReady().build(), pod("pb2", "b2").old().build(),
                pod("pc1", "c1").old().build(), pod("px", "x").old().build());
        List<RolloutNodes.Domain> view = RolloutNodes.waves(new Snapshot(ds, nodes, pods, Map.of()), NOW);
        assertThat(view).containsExactly(
                new RolloutNodes.Domain("a", 2, 2, 2, "Done"),
                new RolloutNodes.Domain("b", 2, 1, 0, "InFlight"),
                new RolloutNodes.Domain("c", 1, 0, 0, "Waiting"),
                new RolloutNodes.Domain("", 1, 0, 0, "Waiting"));
        assertThat(RolloutNodes.waves(new Snapshot(ds().build(), nodes, pods, Map.of()), NOW)).isEmpty();
    }
}
