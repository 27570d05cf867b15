package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Kubernetes {@code updateDaemonSetStatus} counters (semantics §4), from the pods as observed. */
final class StatusCounter {

    private StatusCounter() {}

    /** @param podsByNode every existing node's pods, oldest first */
    static Status count(DaemonSetView ds, List<NodeView> nodes, Map<String, Eligibility.Result> eligibility,
                        Map<String, List<PodView>> podsByNode, Instant now) {
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        int unavailableOnNotReadyNodes = 0;
        int updatedAvailable = 0;
        for (NodeView node : nodes) {
            List<PodView> pods = podsByNode.get(node.name());
            boolean scheduled = !pods.isEmpty();
            if (!eligibility.get(node.name()).shouldRun()) {
                misscheduled += scheduled ? 1 : 0;
                continue;
            }
            desired++;
            boolean nodeAvailable = false;
            if (scheduled) {
                current++;
                // Only the oldest pod speaks for the node: during a surge the node is updated once the old pod is gone.
                PodView oldest = pods.get(0);
                if (oldest.ready()) {
                    ready++;
                    nodeAvailable = Pods.isAvailable(oldest, ds.minReadySeconds(), now);
                    available += nodeAvailable ? 1 : 0;
                }
                boolean isNew = Pods.isNew(oldest, ds);
                updated += isNew ? 1 : 0;
                updatedAvailable += isNew && nodeAvailable ? 1 : 0;
            }
            if (!nodeAvailable && !node.ready()) {
                unavailableOnNotReadyNodes++;
            }
        }
        return new Status(desired, current, misscheduled, ready, available, desired - available, updated,
                unavailableOnNotReadyNodes, updatedAvailable);
    }
}
