package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.PodView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenKruise {@code filterDaemonPodsNodeToUpdate}: with a partition of P, only {@code nodes - P} nodes may be
 * rolled, and nodes that are already updated or in the middle of an update use up that quota first.
 */
final class Partition {

    private Partition() {}

    /**
     * @param nodeNames the nodes the rolling update considers, sorted by name
     * @return the subset that may be rolled
     */
    static Set<String> updatable(DaemonSetView ds, List<String> nodeNames, Map<String, List<PodView>> podsByNode,
                                 int desired) {
        IntOrPercent partition = ds.strategy().partition();
        if (partition == null) {
            return new HashSet<>(nodeNames);
        }
        int maxUpdate = nodeNames.size() - IntOrPercents.scaled(partition, desired, false);
        if (maxUpdate <= 0) {
            return Set.of();
        }
        List<String> updated = new ArrayList<>();
        List<String> updating = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        // Kruise walks the names backwards, so the last nodes by name are the first to be updated.
        for (int i = nodeNames.size() - 1; i >= 0; i--) {
            String node = nodeNames.get(i);
            List<PodView> pods = podsByNode.getOrDefault(node, List.of());
            if (pods.stream().anyMatch(pod -> Pods.isNew(pod, ds))) {
                updated.add(node);
            } else if (pods.stream().allMatch(PodView::terminating)) {
                updating.add(node);
            } else {
                rest.add(node);
            }
        }
        List<String> order = new ArrayList<>(updated);
        order.addAll(updating);
        order.addAll(rest);
        return new HashSet<>(order.subList(0, Math.min(maxUpdate, order.size())));
    }
}
