package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Status;
import dev.everynode.reconcile.plan.Model.Written;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The status a pass writes counts the pods as that pass left them, and the follow-up its writes need. */
class StatusAfterWritesTest {

    record Case(String name, List<PodView> before, Written written, Status expected) {
        @Override public String toString() { return name; }
    }

    private static final List<NodeView> NODES = List.of(node("n1").build(), node("n2").build());

    /**
     * desired, current, misscheduled, ready, available, unavailable, updated, unavailableOnNotReadyNodes,
     * updatedNumberAvailable.
     */
    private static Status status(int... v) {
        return new Status(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    private static PodView created(String name, String node) {
        return pod(name, node).pending().created(NOW).build();
    }

    static Stream<Case> cases() {
        PodView a = pod("a", "n1").build();
        PodView b = pod("b", "n2").build();
        PodView failed = pod("f", "n2").failed().build();
        PodView old = pod("o", "n2").old().build();
        return Stream.of(
            new Case("nothing written: the observed counters", List.of(a, b), Written.NOTHING,
                    status(2, 2, 0, 2, 2, 0, 2, 0, 2)),
            new Case("created pods are current and updated, not ready", List.of(),
                    new Written(List.of(created("c1", "n1"), created("c2", "n2")), Set.of(), Set.of()),
                    status(2, 2, 0, 0, 0, 2, 2, 0, 0)),
            new Case("a failed pod removed at once leaves its node unscheduled", List.of(a, failed),
                    new Written(List.of(), Set.of("f"), Set.of()), status(2, 1, 0, 1, 1, 1, 1, 0, 1)),
            new Case("a pod marked terminating still makes its node current and ready", List.of(a, old),
                    new Written(List.of(), Set.of(), Set.of("o")), status(2, 2, 0, 2, 2, 0, 1, 0, 1)),
            new Case("a terminating failed pod is invisible", List.of(a, failed),
                    new Written(List.of(), Set.of(), Set.of("f")), status(2, 1, 0, 1, 1, 1, 1, 0, 1)),
            new Case("a deleted old pod and its replacement in one pass (surge)", List.of(a, old),
                    new Written(List.of(created("c", "n2")), Set.of(), Set.of("o")), status(2, 2, 0, 2, 2, 0, 1, 0, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void countsWhatThePassWrote(Case c) {
        Snapshot snapshot = new Snapshot(ds().build(), NODES, c.before(), Map.of());
        assertThat(Planner.statusAfter(snapshot, c.written(), NOW)).isEqualTo(c.expected());
    }

    @Test
    void aPodRemovedAtOnceAsksForAnImmediateFollowUpAndNothingElseDoes() {
        assertThat(new Written(List.of(), Set.of("f"), Set.of()).followUp()).isEqualTo(Duration.ZERO);
        assertThat(new Written(List.of(created("c", "n1")), Set.of(), Set.of("o")).followUp()).isNull();
        assertThat(Written.NOTHING.followUp()).isNull();
    }

    @Test
    void theCountersOfAPassThatRemovedAFailedPodEqualThoseOfTheNextPassBeforeItsCreate() {
        // the next pass re-reads the pods; what it counts before acting must be what the previous pass wrote
        Fixtures.Cluster cluster = new Fixtures.Cluster(ds().build(), NODES,
                List.of(pod("a", "n1").build(), pod("f", "n2").failed().build()));
        Snapshot before = new Snapshot(cluster.ds, NODES, List.copyOf(cluster.pods), Map.of());
        Model.Plan plan = cluster.sync();
        assertThat(Fixtures.deletedPods(plan)).containsExactly("f");
        Status written = Planner.statusAfter(before, new Written(List.of(), Set.of("f"), Set.of()), NOW);
        assertThat(Planner.plan(new Snapshot(cluster.ds, NODES, List.copyOf(cluster.pods), cluster.backoff), NOW,
                Fixtures.BURST).status()).isEqualTo(written);
    }
}
