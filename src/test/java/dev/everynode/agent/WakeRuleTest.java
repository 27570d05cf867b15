package dev.everynode.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.agent.WakeRule.EveryNode;
import dev.everynode.agent.WakeRule.Nodes;
import dev.everynode.agent.WakeRule.Wake;
import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WakeRuleTest {

    record Case(String name, Change change, Optional<Wake> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a pod notice wakes the long-polls of its nodes",
                        new Change.PodsOnNodesChanged(Set.of("worker-1", "worker-2")),
                        Optional.of(new Nodes(Set.of("worker-1", "worker-2")))),
                new Case("lost notices wake every node's long-polls",
                        new Change.NoticesLost(), Optional.of(new EveryNode())),
                new Case("a pod written here waits for its database notice",
                        new Change.PodsWritten("prod", new PodOwner.DaemonSet("agent")), Optional.empty()),
                new Case("a DaemonSet notice wakes nobody: its pass writes the pods",
                        new Change.DaemonSetChanged("prod", "agent"), Optional.empty()),
                new Case("a node notice wakes nobody: the passes it starts write the pods",
                        new Change.NodesChanged(), Optional.empty()),
                new Case("a node written here wakes nobody",
                        new Change.NodeWritten("worker-1", false), Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wakesTheNodesWhoseAssignmentsMayHaveChanged(Case c) {
        assertThat(WakeRule.of(c.change())).isEqualTo(c.expected());
    }
}
