package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NEW;
import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.create;
import static dev.everynode.reconcile.plan.Fixtures.delete;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.newFrom;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.nodes;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static dev.everynode.reconcile.plan.Fixtures.podsOn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.Cluster;
import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which revision a node gets while the rollout is paused or held at its partition. The decision, as OpenKruise's
 * Advanced DaemonSet takes it ({@code manage()} creates every missing pod from the current revision's template,
 * paused or partitioned): a node that needs a pod (it is new, or its pod failed) gets the current revision, and
 * only the replacement of running pods waits. The partition still holds its nodes: a new node uses up the update
 * quota before any held node.
 */
class PauseAndPartitionTest {

    record Case(String name, DsBuilder ds, List<NodeView> nodes, List<PodView> pods, List<Action> expected) {
        @Override public String toString() { return name; }
    }

    private static final List<NodeView> FIVE = nodes(5);
    private static final List<NodeView> SIX = nodes(6);

    private static List<PodView> replace(List<PodView> pods, PodView replacement) {
        List<PodView> out = new ArrayList<>(pods);
        out.replaceAll(p -> p.nodeName().equals(replacement.nodeName()) ? replacement : p);
        return out;
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("paused before any node was updated: a new node gets the current revision",
                    ds().maxUnavailable(5).paused(), SIX, podsOn(FIVE, OLD), List.of(create("n6"))),
            new Case("paused mid-rollout: a new node gets the current revision, old pods stay",
                    ds().maxUnavailable(5).paused(), SIX, newFrom(FIVE, 4), List.of(create("n6"))),
            new Case("paused: a failed old pod is cleared, to come back at the current revision",
                    ds().maxUnavailable(5).paused(), FIVE, replace(podsOn(FIVE, OLD), pod("p-n2", "n2").old()
                            .failed().build()), List.of(delete("p-n2", "n2", DeleteReason.FAILED))),
            new Case("paused: a node whose failed pod is gone gets the current revision",
                    ds().maxUnavailable(5).paused(), FIVE, podsOn(FIVE, OLD).subList(1, 5), List.of(create("n1"))),
            new Case("paused with surge: a new node gets one pod of the current revision",
                    ds().maxSurge(2).paused(), SIX, podsOn(FIVE, OLD), List.of(create("n6"))),
            new Case("held at the partition: a new node gets the current revision and the held nodes stay",
                    ds().maxUnavailable(5).partition(2), SIX, newFrom(FIVE, 3), List.of(create("n6"))),
            new Case("held at the partition: a failed held pod is cleared, to come back at the current revision",
                    ds().maxUnavailable(5).partition(2), FIVE,
                    replace(newFrom(FIVE, 3), pod("p-n1", "n1").old().failed().build()),
                    List.of(delete("p-n1", "n1", DeleteReason.FAILED))),
            new Case("a partition of two on six nodes, one of them new: the new node takes a place of the quota",
                    ds().maxUnavailable(6).partition(2), SIX, podsOn(FIVE, OLD),
                    List.of(delete("p-n3", "n3", DeleteReason.UPDATE), delete("p-n4", "n4", DeleteReason.UPDATE),
                            delete("p-n5", "n5", DeleteReason.UPDATE), create("n6"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plansTheNodesThatNeedAPod(Case c) {
        assertThat(Fixtures.plan(c.ds().build(), c.nodes(), c.pods()).actions()).isEqualTo(c.expected());
    }

    @Test
    void aNodeAddedDuringAPauseRunsTheCurrentRevisionAndTheRestFollowsOnResume() {
        Cluster c = new Cluster(ds().maxUnavailable(1).paused().build(), FIVE, podsOn(FIVE, OLD));
        c.sync();
        c.nodes.add(node("n6").build());
        for (int pass = 0; pass < 3; pass++) {
            c.sync();
            c.markReady();
        }
        assertThat(c.pods).filteredOn(p -> p.revisionHash().equals(NEW)).extracting(PodView::nodeName)
                .containsExactly("n6");
        assertThat(Fixtures.plan(c.ds, c.nodes, c.pods).status().updatedNumberScheduled()).isEqualTo(1);

        c.ds = ds().maxUnavailable(1).build();
        for (int pass = 0; pass < 12; pass++) {
            c.sync();
            c.markReady();
        }
        assertThat(c.pods).hasSize(6).extracting(PodView::revisionHash).containsOnly(NEW);
    }

    @Test
    void aNodeAddedWhileHeldAtThePartitionLeavesThePartitionHoldingAsManyNodes() {
        Cluster c = new Cluster(ds().maxUnavailable(1).partition(2).build(), FIVE, newFrom(FIVE, 3));
        c.nodes.add(node("n6").build());
        for (int pass = 0; pass < 6; pass++) {
            c.sync();
            c.markReady();
        }

        assertThat(c.pods).filteredOn(p -> p.revisionHash().equals(OLD)).extracting(PodView::nodeName)
                .containsExactlyInAnyOrder("n1", "n2");
        assertThat(c.pods).hasSize(6);
    }
}
