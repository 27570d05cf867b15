package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Status;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The status counters of semantics §4, computed from the snapshot as observed. */
class StatusCounterTest {

    record Case(String name, DsBuilder ds, List<NodeView> nodes, List<PodView> pods, Status expected) {
        @Override public String toString() { return name; }
    }

    private static final NodeView N1 = node("n1").build();

    /**
     * desired, current, misscheduled, ready, available, unavailable, updated, unavailableOnNotReadyNodes,
     * updatedAvailable.
     */
    private static Status status(int... v) {
        return new Status(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("a node without a pod is desired and unavailable", ds(), List.of(N1), List.of(),
                    status(1, 0, 0, 0, 0, 1, 0, 0, 0)),
            new Case("a ready new pod counts everywhere", ds(), List.of(N1), List.of(pod("a", "n1").build()),
                    status(1, 1, 0, 1, 1, 0, 1, 0, 1)),
            new Case("a pending pod is current but neither ready nor available", ds(), List.of(N1),
                    List.of(pod("a", "n1").pending().build()), status(1, 1, 0, 0, 0, 1, 1, 0, 0)),
            new Case("a failed pod still makes the node current", ds(), List.of(N1),
                    List.of(pod("a", "n1").failed().build()), status(1, 1, 0, 0, 0, 1, 1, 0, 0)),
            new Case("a terminating pod still makes the node current", ds(), List.of(N1),
                    List.of(pod("a", "n1").terminating().build()), status(1, 1, 0, 1, 1, 0, 1, 0, 1)),
            new Case("a terminating terminal pod is invisible", ds(), List.of(N1),
                    List.of(pod("a", "n1").failed().terminating().build()), status(1, 0, 0, 0, 0, 1, 0, 0, 0)),
            new Case("an old pod is not updated", ds(), List.of(N1), List.of(pod("a", "n1").old().build()),
                    status(1, 1, 0, 1, 1, 0, 0, 0, 0)),
            new Case("a pod with the current template generation is updated", ds().templateGeneration(4),
                    List.of(N1), List.of(pod("a", "n1").old().templateGeneration("4").build()),
                    status(1, 1, 0, 1, 1, 0, 1, 0, 1)),
            new Case("only the oldest pod speaks for the node during a surge", ds().maxSurge(1), List.of(N1),
                    List.of(pod("old", "n1").old().created(NOW.minusSeconds(600)).build(),
                            pod("new", "n1").created(NOW.minusSeconds(60)).build()),
                    status(1, 1, 0, 1, 1, 0, 0, 0, 0)),
            new Case("a ready pod within minReadySeconds is not yet available", ds().minReadySeconds(30),
                    List.of(N1), List.of(pod("a", "n1").readySince(NOW.minusSeconds(10)).build()),
                    status(1, 1, 0, 1, 0, 1, 1, 0, 0)),
            new Case("a pod ready exactly minReadySeconds ago is not yet available", ds().minReadySeconds(30),
                    List.of(N1), List.of(pod("a", "n1").readySince(NOW.minusSeconds(30)).build()),
                    status(1, 1, 0, 1, 0, 1, 1, 0, 0)),
            new Case("a pod ready longer than minReadySeconds is available", ds().minReadySeconds(30),
                    List.of(N1), List.of(pod("a", "n1").readySince(NOW.minus(Duration.ofMillis(30_001))).build()),
                    status(1, 1, 0, 1, 1, 0, 1, 0, 1)),
            new Case("a pod kept under a NoSchedule taint is misscheduled, not desired", ds(),
                    List.of(node("n1").taint("x", "NoSchedule").build()), List.of(pod("a", "n1").build()),
                    status(0, 0, 1, 0, 0, 0, 0, 0, 0)),
            new Case("an excluded node without a pod counts nowhere", ds().nodeName("n2"), List.of(N1), List.of(),
                    status(0, 0, 0, 0, 0, 0, 0, 0, 0)),
            new Case("pods on nodes that are gone do not count", ds(), List.of(N1),
                    List.of(pod("a", "n1").build(), pod("ghost", "gone").build()), status(1, 1, 0, 1, 1, 0, 1, 0, 1)),
            new Case("a not-ready node without an available pod is counted apart", ds(),
                    List.of(node("n1").notReady().build(), node("n2").notReady().build(), node("n3").build()),
                    List.of(pod("a", "n1").notReady().build(), pod("b", "n2").build()),
                    status(3, 2, 0, 1, 1, 2, 2, 1, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void countsTheNodes(Case c) {
        assertThat(Fixtures.plan(c.ds().build(), c.nodes(), c.pods()).status()).isEqualTo(c.expected());
    }
}
