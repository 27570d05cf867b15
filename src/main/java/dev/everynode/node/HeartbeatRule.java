package dev.everynode.node;

import dev.everynode.change.Change;
import java.util.Optional;

/**
 * What the heartbeat cache does about a change: a node written here is read again at the flush after its next
 * heartbeat (whoever changed its Ready condition, the server sets it back from the heartbeats, as kubelet does at its
 * next status update); a deleted node is forgotten, its heartbeat row with it.
 */
final class HeartbeatRule {

    /** What to do for a changed node. */
    sealed interface Step {}

    /** Read the node again at the next flush. */
    record Recheck(String node) implements Step {}

    /** Forget the node and delete its heartbeat row. */
    record Forget(String node) implements Step {}

    private HeartbeatRule() {
    }

    static Optional<Step> of(Change change) {
        if (change instanceof Change.NodeWritten node) {
            return Optional.of(node.deleted() ? new Forget(node.name()) : new Recheck(node.name()));
        }
        return Optional.empty();
    }
}
