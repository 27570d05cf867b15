package dev.everynode.change;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.change.Notices.Notice;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NoticesTest {

    record Case(String name, List<Notice> notices, List<Change> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Notice pods(String payload) {
        return new Notice(Notices.PODS, payload);
    }

    private static Notice reconcile(String payload) {
        return new Notice(Notices.RECONCILE, payload);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a pod notice names the nodes whose pods changed",
                        List.of(pods("worker-1,worker-2")),
                        List.of(new Change.PodsOnNodesChanged(Set.of("worker-1", "worker-2")))),
                new Case("a burst of pod notices is one change for all their nodes",
                        List.of(pods("worker-1,worker-2"), pods("worker-2,worker-3")),
                        List.of(new Change.PodsOnNodesChanged(Set.of("worker-1", "worker-2", "worker-3")))),
                new Case("a reconcile notice names DaemonSets, each published once",
                        List.of(reconcile("prod/agent,prod/logs"), reconcile("prod/agent")),
                        List.of(new Change.DaemonSetChanged("prod", "agent"), new Change.DaemonSetChanged("prod", "logs"))),
                new Case("a node change in the burst stands for every DaemonSet",
                        List.of(reconcile("prod/agent"), reconcile("*"), reconcile("prod/logs")),
                        List.of(new Change.NodesChanged())),
                new Case("pod changes come first, then DaemonSets",
                        List.of(reconcile("prod/agent"), pods("worker-1")),
                        List.of(new Change.PodsOnNodesChanged(Set.of("worker-1")),
                                new Change.DaemonSetChanged("prod", "agent"))),
                new Case("a key without a namespace is no DaemonSet",
                        List.of(reconcile("agent"), reconcile("/agent")),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void publishesFewChangesForABurst(Case c) {
        assertThat(Notices.changes(c.notices())).containsExactlyElementsOf(c.expected());
    }
}
