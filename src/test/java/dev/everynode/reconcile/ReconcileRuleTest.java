package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import dev.everynode.reconcile.ReconcileRule.CollectGarbage;
import dev.everynode.reconcile.ReconcileRule.Queue;
import dev.everynode.reconcile.ReconcileRule.QueueAll;
import dev.everynode.reconcile.ReconcileRule.QueueNamespace;
import dev.everynode.reconcile.ReconcileRule.Trigger;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReconcileRuleTest {

    record Case(String name, Change change, Optional<Trigger> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a pod written here queues its DaemonSet",
                        new Change.PodsWritten("prod", new PodOwner.DaemonSet("agent")), Optional.of(new Queue("prod/agent"))),
                new Case("an orphan pod written here queues every DaemonSet of its namespace, which may adopt it",
                        new Change.PodsWritten("prod", PodOwner.ORPHAN), Optional.of(new QueueNamespace("prod"))),
                new Case("a DaemonSet deleted here has its dependents collected",
                        new Change.DaemonSetWritten("prod", "agent", true), Optional.of(new CollectGarbage())),
                new Case("a DaemonSet written here waits for the database notice",
                        new Change.DaemonSetWritten("prod", "agent", false), Optional.empty()),
                new Case("a node written here waits for the database notice",
                        new Change.NodeWritten("worker-1", false), Optional.empty()),
                new Case("a deleted node written here waits for the database notice",
                        new Change.NodeWritten("worker-1", true), Optional.empty()),
                new Case("a DaemonSet notice queues that DaemonSet",
                        new Change.DaemonSetChanged("prod", "agent"), Optional.of(new Queue("prod/agent"))),
                new Case("a node notice reads the nodes again and queues every DaemonSet",
                        new Change.NodesChanged(), Optional.of(new QueueAll())),
                new Case("lost notices read the nodes again and queue every DaemonSet",
                        new Change.NoticesLost(), Optional.of(new QueueAll())),
                new Case("a pod notice names only nodes: the writer queued the owner",
                        new Change.PodsOnNodesChanged(Set.of("worker-1")), Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void queuesWhatTheChangeMayAffect(Case c) {
        assertThat(ReconcileRule.of(c.change())).isEqualTo(c.expected());
    }
}
