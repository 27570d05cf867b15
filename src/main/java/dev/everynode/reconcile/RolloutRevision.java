package dev.everynode.reconcile;

import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.daemonset.DaemonSetLabels;
import java.util.Comparator;
import tools.jackson.databind.node.ObjectNode;

/**
 * The current revision's hash as the reconciler last recorded it (the highest-numbered ControllerRevision), and the
 * template a revision recorded.
 */
final class RolloutRevision {

    private RolloutRevision() {}

    static String currentHash(ObjectStore store, StoredObject ds) {
        return store.listByOwner("ControllerRevision", ds.uid()).stream()
                .max(Comparator.comparingLong(r -> r.body().path("revision").asLong(0)))
                .map(r -> DaemonSetLabels.revisionHash(r.body()))
                .orElse("");
    }

    /** The pod template a ControllerRevision recorded, as a rollback writes it back into the DaemonSet. */
    static ObjectNode template(StoredObject revision) {
        ObjectNode template = (ObjectNode) revision.body().path("data").path("spec").path("template").deepCopy();
        template.remove("$patch");
        return template;
    }
}
