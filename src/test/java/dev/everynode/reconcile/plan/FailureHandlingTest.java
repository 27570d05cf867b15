package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.create;
import static dev.everynode.reconcile.plan.Fixtures.delete;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.nodes;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.Cluster;
import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.Backoff;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.Plan;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Failed, succeeded, terminating and duplicate pods: semantics §6.1–§6.3. */
class FailureHandlingTest {

    record Case(String name, DsBuilder ds, List<PodView> pods, List<Action> expected) {
        @Override public String toString() { return name; }
    }

    private static Instant ago(int minutes) {
        return NOW.minus(Duration.ofMinutes(minutes));
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("a lone failed pod is deleted and replaced only in a later pass", ds(),
                    List.of(pod("f", "n1").failed().build()), List.of(delete("f", "n1", DeleteReason.FAILED))),
            new Case("a failed pod next to three running ones goes with two duplicates", ds(),
                    List.of(pod("f", "n1").failed().build(), pod("a", "n1").created(ago(30)).build(),
                            pod("b", "n1").created(ago(20)).build(), pod("c", "n1").created(ago(10)).build()),
                    List.of(delete("b", "n1", DeleteReason.DUPLICATE), delete("c", "n1", DeleteReason.DUPLICATE),
                            delete("f", "n1", DeleteReason.FAILED))),
            new Case("of two failed pods on one node only one is deleted per pass", ds(),
                    List.of(pod("f1", "n1").failed().created(ago(2)).build(),
                            pod("f2", "n1").failed().created(ago(1)).build()),
                    List.of(delete("f1", "n1", DeleteReason.FAILED))),
            new Case("a succeeded pod is deleted at once", ds(),
                    List.of(pod("s", "n1").succeeded().build()), List.of(delete("s", "n1", DeleteReason.SUCCEEDED))),
            new Case("a failed pod that is already terminating is invisible, so the node gets a pod", ds(),
                    List.of(pod("f", "n1").failed().terminating().build()), List.of(create("n1"))),
            new Case("a succeeded pod that is already terminating is invisible, so the node gets a pod", ds(),
                    List.of(pod("s", "n1").succeeded().terminating().build()), List.of(create("n1"))),
            new Case("a node whose only pod is terminating waits for it without surge", ds(),
                    List.of(pod("t", "n1").terminating().build()), List.of()),
            new Case("a node whose only pod is terminating gets a pod at once with surge", ds().maxSurge(1),
                    List.of(pod("t", "n1").terminating().build()), List.of(create("n1"))),
            new Case("a terminating pod does not count as a duplicate", ds(),
                    List.of(pod("t", "n1").terminating().created(ago(60)).build(), pod("a", "n1").build()),
                    List.of()),
            new Case("without surge the oldest pod is kept", ds(),
                    List.of(pod("young", "n1").created(ago(1)).build(), pod("old", "n1").created(ago(9)).build()),
                    List.of(delete("young", "n1", DeleteReason.DUPLICATE))),
            new Case("pods of the same age are kept by name", ds(),
                    List.of(pod("b", "n1").created(ago(5)).build(), pod("a", "n1").created(ago(5)).build()),
                    List.of(delete("b", "n1", DeleteReason.DUPLICATE))),
            new Case("the oldest pod is kept even when it is old and unready", ds(),
                    List.of(pod("old", "n1").old().notReady().created(ago(9)).build(),
                            pod("new", "n1").created(ago(1)).build()),
                    List.of(delete("new", "n1", DeleteReason.DUPLICATE))),
            new Case("with surge a ready old pod waits for the new one to be available", ds().maxSurge(1),
                    List.of(pod("old", "n1").old().created(ago(9)).build(),
                            pod("new", "n1").notReady().created(ago(1)).build()),
                    List.of()),
            new Case("with surge an unready old pod is retired", ds().maxSurge(1),
                    List.of(pod("old", "n1").old().notReady().created(ago(9)).build(),
                            pod("new", "n1").notReady().created(ago(1)).build()),
                    List.of(delete("old", "n1", DeleteReason.SURGE_RETIRE))),
            new Case("with surge the old pod is retired once the new one is available", ds().maxSurge(1),
                    List.of(pod("old", "n1").old().created(ago(9)).build(), pod("new", "n1").created(ago(1)).build()),
                    List.of(delete("old", "n1", DeleteReason.SURGE_RETIRE))),
            new Case("with surge extra pods beyond the oldest new and oldest old are deleted", ds().maxSurge(1),
                    List.of(pod("old1", "n1").old().created(ago(9)).build(),
                            pod("old2", "n1").old().created(ago(8)).build(),
                            pod("new1", "n1").notReady().created(ago(2)).build(),
                            pod("new2", "n1").notReady().created(ago(1)).build()),
                    List.of(delete("new2", "n1", DeleteReason.DUPLICATE), delete("old2", "n1",
                            DeleteReason.DUPLICATE))),
            new Case("with surge a node whose only pod failed gets its replacement in the same pass", ds().maxSurge(1),
                    List.of(pod("f", "n1").failed().build()),
                    List.of(delete("f", "n1", DeleteReason.FAILED), create("n1"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void prunesTheNode(Case c) {
        assertThat(Fixtures.plan(c.ds().build(), List.of(node("n1").build()), c.pods()).actions())
                .isEqualTo(c.expected());
    }

    @Test
    void deletingAFailedPodRecordsAWarningAndStartsAOneSecondBackoff() {
        Plan plan = Fixtures.plan(ds().observedGeneration(3).build(), List.of(node("n1").build()),
                List.of(pod("f", "n1").failed().build()));

        assertThat(plan.events()).containsExactly(new Event("Warning", "FailedDaemonPod",
                "Found failed daemon pod default/f on node n1, will try to kill it"));
        assertThat(plan.backoffByNode()).containsExactly(Map.entry("n1", new Backoff(3, NOW, Duration.ofSeconds(1))));
        assertThat(plan.requeueAfter()).isNull();
    }

    @Test
    void deletingASucceededPodRecordsANormalEventWithoutBackoff() {
        Plan plan = Fixtures.plan(ds().build(), List.of(node("n1").build()), List.of(pod("s", "n1").succeeded().build()));

        assertThat(plan.events()).containsExactly(new Event("Normal", "SucceededDaemonPod",
                "Found succeeded daemon pod default/s on node n1, will try to delete it"));
        assertThat(plan.backoffByNode()).isEmpty();
    }

    @Test
    void aFailedPodOnAnIneligibleNodeIsDeletedWithoutBackoff() {
        Plan plan = Fixtures.plan(ds().build(), List.of(node("n1").taint("x", "NoExecute").build()),
                List.of(pod("f", "n1").failed().build()));

        assertThat(plan.actions()).containsExactly(delete("f", "n1", DeleteReason.NOT_ELIGIBLE));
        assertThat(plan.events()).isEmpty();
    }

    @Test
    void theReplacementOfAFailedPodComesInTheNextPass() {
        Cluster cluster = new Cluster(ds().build(), List.of(node("n1").build()), List.of(pod("f", "n1").failed().build()));

        assertThat(cluster.sync().actions()).containsExactly(delete("f", "n1", DeleteReason.FAILED));
        assertThat(cluster.sync().actions()).containsExactly(create("n1"));
    }

    @Test
    void aNodeInBackoffKeepsItsFailedPodAndAsksForARequeue() {
        Map<String, Backoff> backoff = Map.of("n1", new Backoff(1, NOW.minusMillis(1500), Duration.ofSeconds(4)));

        Plan plan = Planner.plan(new Snapshot(ds().build(), List.of(node("n1").build()),
                List.of(pod("f", "n1").failed().build()), backoff), NOW, 250);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.events()).isEmpty();
        assertThat(plan.requeueAfter()).isEqualTo(Duration.ofMillis(2500));
        assertThat(plan.backoffByNode()).isEqualTo(backoff);
    }

    @Test
    void theBackoffDoublesOnEveryFailureUpToFifteenMinutes() {
        Cluster cluster = new Cluster(ds().build(), List.of(node("n1").build()), List.of());
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            assertThat(cluster.sync().actions()).containsExactly(create("n1"));
            cluster.fail("n1");
            String failed = cluster.pods.get(0).name();
            Plan plan = cluster.sync();
            if (i > 0) {
                assertThat(plan.actions()).as("pass %d is still backing off", i).isEmpty();
                cluster.advance(plan.requeueAfter());
                plan = cluster.sync();
            }
            assertThat(plan.actions()).containsExactly(delete(failed, "n1", DeleteReason.FAILED));
            delays.add(cluster.backoff.get("n1").delay());
        }
        assertThat(delays).extracting(Duration::getSeconds)
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 512L, 900L, 900L);
    }

    @Test
    void theBackoffEndsExactlyAfterItsDelay() {
        Map<String, Backoff> backoff = Map.of("n1", new Backoff(1, NOW.minusSeconds(2), Duration.ofSeconds(2)));

        Plan plan = Planner.plan(new Snapshot(ds().build(), List.of(node("n1").build()),
                List.of(pod("f", "n1").failed().build()), backoff), NOW, 250);

        assertThat(plan.actions()).containsExactly(delete("f", "n1", DeleteReason.FAILED));
        assertThat(plan.backoffByNode().get("n1")).isEqualTo(new Backoff(1, NOW, Duration.ofSeconds(4)));
    }

    @Test
    void aSpecChangeResetsTheBackoff() {
        Map<String, Backoff> backoff = Map.of("n1", new Backoff(1, NOW.minusSeconds(1), Duration.ofMinutes(8)));

        Plan plan = Planner.plan(new Snapshot(ds().observedGeneration(2).build(), List.of(node("n1").build()),
                List.of(pod("f", "n1").failed().build()), backoff), NOW, 250);

        assertThat(plan.actions()).containsExactly(delete("f", "n1", DeleteReason.FAILED));
        assertThat(plan.backoffByNode().get("n1")).isEqualTo(new Backoff(2, NOW, Duration.ofSeconds(1)));
    }

    @Test
    void aBackoffIdleForMoreThanThirtyMinutesStartsOverAndStaleEntriesAreDropped() {
        Map<String, Backoff> backoff = Map.of(
                "n1", new Backoff(1, NOW.minus(Duration.ofMinutes(31)), Duration.ofMinutes(15)),
                "n2", new Backoff(1, NOW.minus(Duration.ofMinutes(31)), Duration.ofMinutes(15)),
                "n3", new Backoff(1, NOW.minus(Duration.ofMinutes(29)), Duration.ofMinutes(15)));
        List<NodeView> nodes = nodes(3);

        Plan plan = Planner.plan(new Snapshot(ds().build(), nodes, List.of(pod("f", "n1").failed().build(),
                pod("a", "n2").build(), pod("b", "n3").build()), backoff), NOW, 250);

        assertThat(plan.actions()).containsExactly(delete("f", "n1", DeleteReason.FAILED));
        assertThat(plan.backoffByNode()).containsOnlyKeys("n1", "n3");
        assertThat(plan.backoffByNode().get("n1").delay()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void existingPodsAreReconciledPerNodeLikeTestDealsWithExistingPods() {
        List<PodView> pods = new ArrayList<>();
        pods.add(pod("n2-a", "n2").created(ago(5)).build());
        pods.add(pod("n2-b", "n2").created(ago(4)).build());
        pods.add(pod("n3-keep", "n3").created(ago(10)).build());
        for (int i = 1; i <= 4; i++) {
            pods.add(pod("n3-" + i, "n3").created(ago(10 - i)).build());
        }
        pods.add(pod("n1-a", "n1").build());
        // node-4's two pods do not match the selector, so they are not in the snapshot at all.

        Plan plan = Fixtures.plan(ds().build(), List.of(node("n0").build(), node("n1").build(), node("n2").build(),
                node("n3").build(), node("n4").build()), pods);

        assertThat(Fixtures.createdNodes(plan)).containsExactly("n0", "n4");
        assertThat(Fixtures.deletedPods(plan)).containsExactly("n2-b", "n3-1", "n3-2", "n3-3", "n3-4");
    }
}
