package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.create;
import static dev.everynode.reconcile.plan.Fixtures.delete;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.nodes;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static dev.everynode.reconcile.plan.Fixtures.podsOn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.Cluster;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.Plan;
import dev.everynode.reconcile.plan.Model.PodView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rolling updates, semantics §5.3–§5.5, driven pass by pass through a simulated cluster. */
class RollingUpdateTest {

    private static Cluster cluster(Fixtures.DsBuilder ds, int nodeCount) {
        List<NodeView> nodes = nodes(nodeCount);
        return new Cluster(ds.build(), nodes, podsOn(nodes, OLD));
    }

    /** Runs one pass and checks how many pods it creates and deletes. */
    private static Plan step(Cluster cluster, int creates, int deletes) {
        Plan plan = cluster.sync();
        assertThat(Fixtures.createdNodes(plan)).as("creates").hasSize(creates);
        assertThat(Fixtures.deletedPods(plan)).as("deletes").hasSize(deletes);
        return plan;
    }

    @Test
    void fiveNodesWithMaxUnavailableTwoRollInWavesOfTwo() {
        Cluster c = cluster(ds().maxUnavailable(2), 5);

        assertThat(step(c, 0, 2).actions()).containsExactly(delete("p-n1", "n1", DeleteReason.UPDATE),
                delete("p-n2", "n2", DeleteReason.UPDATE));
        assertThat(step(c, 2, 0).actions()).containsExactly(create("n1"), create("n2"));
        step(c, 0, 0);
        c.markReady();
        step(c, 0, 2);
        step(c, 2, 0);
        c.markReady();
        step(c, 0, 1);
        step(c, 1, 0);
        c.markReady();
        step(c, 0, 0);
        assertThat(c.pods).extracting(PodView::revisionHash).containsOnly(Fixtures.NEW);
    }

    @Test
    void fiveNodesWithMaxSurgeTwoAddBeforeTheyRemove() {
        Cluster c = cluster(ds().maxSurge(2), 5);

        assertThat(step(c, 2, 0).actions()).containsExactly(create("n1"), create("n2"));
        step(c, 0, 0);
        c.markReady();
        assertThat(step(c, 2, 2).actions()).containsExactly(delete("p-n1", "n1", DeleteReason.SURGE_RETIRE),
                delete("p-n2", "n2", DeleteReason.SURGE_RETIRE), create("n3"), create("n4"));
        step(c, 0, 0);
        c.markReady();
        step(c, 1, 2);
        step(c, 0, 0);
        c.markReady();
        step(c, 0, 1);
        step(c, 0, 0);
        assertThat(c.pods).hasSize(5).extracting(PodView::revisionHash).containsOnly(Fixtures.NEW);
    }

    @Test
    void oldPodsThatAreAllUnreadyAreReplacedRegardlessOfTheBudget() {
        List<NodeView> nodes = nodes(5);
        List<PodView> pods = nodes.stream().map(n -> pod("p-" + n.name(), n.name()).old().notReady().build()).toList();
        Cluster c = new Cluster(ds().maxUnavailable(1).build(), nodes, pods);

        step(c, 0, 5);
        step(c, 5, 0);
        step(c, 0, 0);
    }

    @Test
    void newPodsThatNeverBecomeReadyStallTheRolloutAfterTheFirstWave() {
        Cluster c = cluster(ds().maxUnavailable(2), 5);

        step(c, 0, 2);
        step(c, 2, 0);
        step(c, 0, 0);
        c.advance(Duration.ofHours(1));
        step(c, 0, 0);
        assertThat(c.pods).filteredOn(p -> p.revisionHash().equals(OLD)).hasSize(3);
    }

    @Test
    void changingOnlyTheStrategyReplacesNothing() {
        List<NodeView> nodes = nodes(3);

        Plan plan = Fixtures.plan(ds().maxUnavailable(3).build(), nodes, podsOn(nodes, Fixtures.NEW));

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.status().updatedNumberScheduled()).isEqualTo(3);
    }

    @Test
    void aPodWithTheCurrentTemplateGenerationCountsAsNew() {
        List<NodeView> nodes = nodes(2);
        List<PodView> pods = List.of(pod("a", "n1").old().templateGeneration("7").build(),
                pod("b", "n2").old().templateGeneration("6").build());

        Plan plan = Fixtures.plan(ds().templateGeneration(7).build(), nodes, pods);

        assertThat(plan.actions()).containsExactly(delete("b", "n2", DeleteReason.UPDATE));
    }

    @Test
    void onDeleteNeverReplacesPodsButRecreatesMissingOnesAtTheCurrentRevision() {
        List<NodeView> nodes = nodes(3);
        Cluster c = new Cluster(ds().onDelete().build(), nodes, podsOn(nodes.subList(0, 2), OLD));

        assertThat(c.sync().actions()).containsExactly(create("n3"));
        c.markReady();
        assertThat(c.sync().actions()).isEmpty();
    }

    @Test
    void aNewPodCountsOnlyAfterMinReadySecondsAndThePlannerAsksToComeBackThen() {
        Cluster c = cluster(ds().maxUnavailable(1).minReadySeconds(10), 3);

        step(c, 0, 1);
        step(c, 1, 0);
        c.advance(Duration.ofSeconds(5));
        c.markReady();
        Plan waiting = step(c, 0, 0);
        assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(11));
        assertThat(waiting.status().numberReady()).isEqualTo(3);
        assertThat(waiting.status().numberAvailable()).isEqualTo(2);
        c.advance(Duration.ofSeconds(10));
        assertThat(step(c, 0, 0).requeueAfter()).isEqualTo(Duration.ofSeconds(1));
        c.advance(Duration.ofSeconds(1));
        Plan next = step(c, 0, 1);
        assertThat(next.requeueAfter()).isNull();
    }

    @Test
    void withSurgeAnAvailableOldPodOnANodeThatLeftTheSelectionGoesOnlyWhenOthersCoverTheDesiredCount() {
        List<NodeView> nodes = List.of(node("n1").taint("x", "NoSchedule").build(), node("n2").build(),
                node("n3").build());
        List<PodView> covered = List.of(pod("a", "n1").old().build(), pod("b", "n2").build(), pod("c", "n3").build());
        List<PodView> notCovered = new ArrayList<>(covered);
        notCovered.set(2, pod("c", "n3").notReady().build());

        assertThat(Fixtures.plan(ds().maxSurge(1).build(), nodes, covered).actions())
                .containsExactly(delete("a", "n1", DeleteReason.UPDATE));
        assertThat(Fixtures.plan(ds().maxSurge(1).build(), nodes, notCovered).actions()).isEmpty();
    }

    @Test
    void withSurgeAnUnavailableOldPodGetsItsNewPodBeyondTheSurgeBudget() {
        List<NodeView> nodes = nodes(3);
        List<PodView> pods = List.of(pod("a", "n1").old().notReady().build(), pod("b", "n2").old().notReady().build(),
                pod("c", "n3").old().build());

        Plan plan = Fixtures.plan(ds().maxSurge(1).build(), nodes, pods);

        assertThat(plan.actions()).containsExactly(create("n1"), create("n2"), create("n3"));
    }

    @Test
    void withoutSurgeAPlanNeverDeletesAndCreatesOnTheSameNode() {
        List<NodeView> nodes = nodes(4);
        List<PodView> pods = List.of(pod("a", "n1").old().failed().build(), pod("b", "n2").old().notReady().build(),
                pod("c", "n3").old().build());

        Plan plan = Fixtures.plan(ds().maxUnavailable(4).build(), nodes, pods);

        assertThat(plan.actions()).containsExactly(delete("a", "n1", DeleteReason.FAILED),
                delete("b", "n2", DeleteReason.UPDATE), delete("c", "n3", DeleteReason.UPDATE), create("n4"));
    }
}
