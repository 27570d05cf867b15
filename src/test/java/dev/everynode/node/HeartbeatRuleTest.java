package dev.everynode.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import dev.everynode.node.HeartbeatRule.Forget;
import dev.everynode.node.HeartbeatRule.Recheck;
import dev.everynode.node.HeartbeatRule.Step;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HeartbeatRuleTest {

    record Case(String name, Change change, Optional<Step> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a node written here is read again at the next flush",
                        new Change.NodeWritten("worker-1", false), Optional.of(new Recheck("worker-1"))),
                new Case("a node deleted here is forgotten",
                        new Change.NodeWritten("worker-1", true), Optional.of(new Forget("worker-1"))),
                new Case("a node notice names no node",
                        new Change.NodesChanged(), Optional.empty()),
                new Case("pods leave the node cache alone",
                        new Change.PodsWritten("prod", PodOwner.ORPHAN), Optional.empty()),
                new Case("pod notices leave the node cache alone",
                        new Change.PodsOnNodesChanged(Set.of("worker-1")), Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsTheNodeCacheInStep(Case c) {
        assertThat(HeartbeatRule.of(c.change())).isEqualTo(c.expected());
    }
}
