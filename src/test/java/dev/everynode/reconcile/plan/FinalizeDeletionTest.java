package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.Plan;
import dev.everynode.reconcile.plan.Model.PodView;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Foreground deletion: the DaemonSet stays, with its deletionTimestamp, until its pods are gone; then it and its
 * revisions go.
 */
class FinalizeDeletionTest {

    record Case(String name, List<PodView> pods, List<Action> expected, Duration requeueAfter) {
        @Override public String toString() { return name; }
    }

    private static final Set<String> NODES = Set.of("n1", "n2");
    private static final Duration SOON = Duration.ofSeconds(1);

    private static Action delete(String pod, String node) {
        return new Action.DeletePod(pod, node, DeleteReason.DAEMON_SET_DELETED);
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("no pods left: finalize at once", List.of(), List.of(new Action.FinalizeDeletion()), null),
            new Case("running pods: deleted, look again soon",
                    List.of(pod("a", "n1").build(), pod("b", "n2").build()),
                    List.of(delete("a", "n1"), delete("b", "n2")), SOON),
            new Case("pods already terminating on live nodes: wait for their agents",
                    List.of(pod("a", "n1").terminating().build()), List.of(), SOON),
            new Case("pods on gone nodes and ended pods are removed at once: finalize in the same pass",
                    List.of(pod("a", "gone").build(), pod("b", "n1").failed().build(),
                            pod("c", "n2").succeeded().terminating().build(), pod("d", "").build()),
                    List.of(delete("a", "gone"), delete("b", "n1"), delete("c", "n2"), delete("d", ""),
                            new Action.FinalizeDeletion()), null),
            new Case("one pod still running keeps the DaemonSet",
                    List.of(pod("a", "gone").build(), pod("b", "n1").build()),
                    List.of(delete("a", "gone"), delete("b", "n1")), SOON));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void finalizesForegroundDeletion(Case c) {
        Plan plan = Planner.finalizeDeletion(c.pods(), NODES);
        assertThat(plan.actions()).containsExactlyElementsOf(c.expected());
        assertThat(plan.requeueAfter()).isEqualTo(c.requeueAfter());
        assertThat(plan.statusValid()).isFalse();
        assertThat(plan.events()).isEmpty();
    }
}
