package dev.everynode.reconcile;

import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import java.util.Optional;

/**
 * Which passes a change asks for. DaemonSet and node changes are queued from PostgreSQL's notices, which every
 * replica hears, the writer included (one path, about a millisecond after the commit); pod changes from the writes
 * of the replica that made them, since the pod notices name only nodes.
 */
final class ReconcileRule {

    /** What to do for a change. */
    sealed interface Trigger {}

    /** Queue one DaemonSet, "namespace/name". */
    record Queue(String key) implements Trigger {}

    /** Queue every DaemonSet of a namespace: any of them may adopt an orphan pod. */
    record QueueNamespace(String namespace) implements Trigger {}

    /** Read the nodes again and queue every DaemonSet: any node may have changed, so any plan. */
    record QueueAll() implements Trigger {}

    /** Collect the dependents (pods, revisions) of deleted DaemonSets soon. */
    record CollectGarbage() implements Trigger {}

    private ReconcileRule() {
    }

    static Optional<Trigger> of(Change change) {
        if (change instanceof Change.PodsWritten pods) {
            return Optional.of(pods.owner() instanceof PodOwner.DaemonSet owner
                    ? new Queue(pods.namespace() + "/" + owner.name())
                    : new QueueNamespace(pods.namespace()));
        }
        if (change instanceof Change.DaemonSetWritten ds && ds.deleted()) {
            return Optional.of(new CollectGarbage());
        }
        if (change instanceof Change.DaemonSetChanged ds) {
            return Optional.of(new Queue(ds.namespace() + "/" + ds.name()));
        }
        if (change instanceof Change.NodesChanged || change instanceof Change.NoticesLost) {
            return Optional.of(new QueueAll());
        }
        return Optional.empty();
    }
}
