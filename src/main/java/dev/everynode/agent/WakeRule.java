package dev.everynode.agent;

import dev.everynode.change.Change;
import java.util.Optional;
import java.util.Set;

/**
 * Which long-polls a change wakes. Only PostgreSQL's pod notices count: they reach every replica, whichever wrote
 * the pods, so a replica's own writes need no second wake-up; after lost notices every cached ETag may be stale.
 */
final class WakeRule {

    /** Whose assignments may have changed. */
    sealed interface Wake {}

    /** These nodes': drop their ETags, answer their waiters. */
    record Nodes(Set<String> nodes) implements Wake {}

    /** Every node's. */
    record EveryNode() implements Wake {}

    private WakeRule() {
    }

    static Optional<Wake> of(Change change) {
        if (change instanceof Change.PodsOnNodesChanged pods) {
            return Optional.of(new Nodes(pods.nodes()));
        }
        if (change instanceof Change.NoticesLost) {
            return Optional.of(new EveryNode());
        }
        return Optional.empty();
    }
}
