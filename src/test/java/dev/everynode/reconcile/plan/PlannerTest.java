package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.create;
import static dev.everynode.reconcile.plan.Fixtures.delete;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.nodes;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static dev.everynode.reconcile.plan.Fixtures.podsOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.everynode.reconcile.plan.Fixtures.Cluster;
import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.Plan;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole passes: partition and pause, the burst limit, the guards, vanished nodes and action order. */
class PlannerTest {

    record Case(String name, DsBuilder ds, List<NodeView> nodes, List<PodView> pods, List<Action> expected) {
        @Override public String toString() { return name; }
    }

    private static final List<NodeView> FIVE = nodes(5);

    private static List<PodView> oldExcept(String newNode) {
        return FIVE.stream().map(n -> pod("p-" + n.name(), n.name()).hash(n.name().equals(newNode)
                ? Fixtures.NEW : OLD).build()).toList();
    }

    private static Action update(String node) {
        return delete("p-" + node, node, DeleteReason.UPDATE);
    }

    static Stream<Case> partitions() {
        DsBuilder wide = ds().maxUnavailable(5);
        return Stream.of(
            new Case("a partition of two rolls the three last nodes by name", ds().maxUnavailable(5).partition(2),
                    FIVE, podsOn(FIVE, OLD), List.of(update("n3"), update("n4"), update("n5"))),
            new Case("a partition of 40% of five nodes keeps two", ds().maxUnavailable(5)
                    .partition(IntOrPercent.percent("40%")), FIVE, podsOn(FIVE, OLD),
                    List.of(update("n3"), update("n4"), update("n5"))),
            new Case("a percent partition rounds down", ds().maxUnavailable(5)
                    .partition(IntOrPercent.percent("50%")), FIVE, podsOn(FIVE, OLD),
                    List.of(update("n3"), update("n4"), update("n5"))),
            new Case("already updated nodes use the partition quota first", ds().maxUnavailable(5).partition(3),
                    FIVE, oldExcept("n1"), List.of(update("n5"))),
            new Case("a node without a pod uses the quota before old nodes", ds().maxUnavailable(5).partition(3),
                    FIVE, podsOn(FIVE, OLD).stream().filter(p -> !p.nodeName().equals("n3")).toList(),
                    List.of(update("n5"), create("n3"))),
            new Case("a partition covering every node rolls nothing", ds().maxUnavailable(5).partition(5), FIVE,
                    podsOn(FIVE, OLD), List.of()),
            new Case("a partition of zero is no partition", ds().maxUnavailable(2).partition(0), FIVE,
                    podsOn(FIVE, OLD), List.of(update("n1"), update("n2"))),
            new Case("without a partition every node may roll", wide, FIVE, podsOn(FIVE, OLD),
                    List.of(update("n1"), update("n2"), update("n3"), update("n4"), update("n5"))),
            new Case("a paused rollout replaces nothing but still fills new nodes and clears failed pods",
                    ds().maxUnavailable(5).paused(), FIVE,
                    List.of(pod("p-n1", "n1").old().build(), pod("p-n2", "n2").old().failed().build(),
                            pod("p-n3", "n3").old().notReady().build(), pod("p-n4", "n4").build()),
                    List.of(delete("p-n2", "n2", DeleteReason.FAILED), create("n5"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partitions")
    void limitsWhichNodesRoll(Case c) {
        assertThat(Fixtures.plan(c.ds().build(), c.nodes(), c.pods()).actions()).isEqualTo(c.expected());
    }

    @Test
    void aPartitionedRolloutSettlesWithTheFirstNodesOnTheOldRevision() {
        Cluster c = new Cluster(ds().maxUnavailable(1).partition(2).build(), FIVE, podsOn(FIVE, OLD));
        for (int pass = 0; pass < 12; pass++) {
            c.sync();
            c.markReady();
        }

        assertThat(c.pods).filteredOn(p -> p.revisionHash().equals(OLD)).extracting(PodView::nodeName)
                .containsExactlyInAnyOrder("n1", "n2");
        assertThat(c.sync().actions()).isEmpty();
    }

    @Test
    void theBurstLimitCutsCreatesAndAsksForAnImmediateRequeue() {
        Plan plan = Planner.plan(new Snapshot(ds().build(), FIVE, List.of(), Map.of()), NOW, 2);

        assertThat(plan.actions()).containsExactly(create("n1"), create("n2"));
        assertThat(plan.requeueAfter()).isEqualTo(Duration.ZERO);
    }

    @Test
    void theBurstLimitCutsDeletesAndACutFailedPodNeitherStepsItsBackoffNorRecordsAnEvent() {
        List<NodeView> nodes = nodes(3);
        List<PodView> pods = List.of(pod("f1", "n1").failed().build(), pod("f2", "n2").failed().build(),
                pod("f3", "n3").failed().build());

        Plan plan = Planner.plan(new Snapshot(ds().build(), nodes, pods, Map.of()), NOW, 2);

        assertThat(Fixtures.deletedPods(plan)).containsExactly("f1", "f2");
        assertThat(plan.events()).hasSize(2);
        assertThat(plan.backoffByNode()).containsOnlyKeys("n1", "n2");
        assertThat(plan.requeueAfter()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aPlanExactlyAtTheBurstLimitIsNotCut() {
        Plan plan = Planner.plan(new Snapshot(ds().build(), nodes(2), List.of(), Map.of()), NOW, 2);

        assertThat(plan.actions()).hasSize(2);
        assertThat(plan.requeueAfter()).isNull();
    }

    @Test
    void theBurstLimitMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> Planner.plan(new Snapshot(ds().build(), FIVE,
                List.of(), Map.of()), NOW, 0));
    }

    @Test
    void anEmptySelectorPlansNothingWarnsAndLeavesTheGenerationUnobserved() {
        Plan plan = Fixtures.plan(ds().selectorEmpty().build(), nodes(2), List.of(pod("a", "n1").build(),
                pod("ghost", "gone").build()));

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.events()).containsExactly(new Event("Warning", "SelectingAll",
                "This daemon set is selecting all pods. A non-empty selector is required."));
        assertThat(plan.statusValid()).isFalse();
        assertThat(plan.status().desiredNumberScheduled()).isEqualTo(2);
        assertThat(plan.status().currentNumberScheduled()).isEqualTo(1);
    }

    @Test
    void aDaemonSetBeingDeletedPlansNothingAndSaysNothing() {
        Plan plan = Fixtures.plan(ds().deleting().build(), nodes(2), List.of(pod("f", "n1").failed().build()));

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.events()).isEmpty();
        assertThat(plan.statusValid()).isFalse();
    }

    @Test
    void podsOnVanishedNodesAreDeletedAndAlreadyTerminatingOnesAreLeftAlone() {
        Plan plan = Fixtures.plan(ds().build(), nodes(1), List.of(pod("a", "n1").build(),
                pod("ghost", "gone").build(), pod("leaving", "gone2").terminating().build()));

        assertThat(plan.actions()).containsExactly(delete("ghost", "gone", DeleteReason.NODE_GONE));
        assertThat(plan.statusValid()).isTrue();
    }

    @Test
    void actionsAreOrderedDeletesFirstThenCreatesEachByNodeName() {
        List<NodeView> nodes = List.of(node("c").build(), node("a").taint("x", "NoExecute").build(),
                node("b").build(), node("d").taint("x", "NoExecute").build());
        List<PodView> pods = List.of(pod("pd", "d").build(), pod("pa", "a").build());

        Plan plan = Fixtures.plan(ds().build(), nodes, pods);

        assertThat(plan.actions()).containsExactly(delete("pa", "a", DeleteReason.NOT_ELIGIBLE),
                delete("pd", "d", DeleteReason.NOT_ELIGIBLE), create("b"), create("c"));
    }

    @Test
    void aSettledDaemonSetNeedsNoRequeue() {
        List<NodeView> nodes = nodes(3);
        List<PodView> pods = new ArrayList<>(podsOn(nodes, Fixtures.NEW));

        Plan plan = Fixtures.plan(ds().minReadySeconds(30).build(), nodes, pods);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.requeueAfter()).isNull();
        assertThat(plan.statusValid()).isTrue();
    }
}
