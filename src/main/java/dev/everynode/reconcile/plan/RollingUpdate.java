package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes {@code rollingUpdate} (semantics §5.3 and §5.5) over the pods as observed, restricted to the
 * nodes a partition allows. Nodes are visited in name order where Kubernetes iterates a map, so the choice of
 * candidates is reproducible.
 */
final class RollingUpdate {

    /** {@code findUpdatedPodsOnNode}: at most one live new and one live old pod, else not ok. */
    private record NodePods(PodView newPod, PodView oldPod, boolean ok) {}

    /** The nodes the rolling update may work on, by name (the partition keeps the others), and how many are desired. */
    record Scope(List<String> rolled, int desired) {}

    private RollingUpdate() {}

    static void plan(DaemonSetView ds, List<NodeView> nodes, Map<String, Eligibility.Result> eligibility,
                     Map<String, List<PodView>> podsByNode, Instant now, Draft draft) {
        Scope scope = scope(ds, nodes, eligibility, podsByNode);
        UpdateBudget budget = UpdateBudget.of(ds.strategy(), scope.desired());
        if (budget.maxSurge() == 0) {
            withoutSurge(ds, scope.rolled(), podsByNode, budget.maxUnavailable(), now, draft);
        } else {
            withSurge(ds, scope.rolled(), eligibility, podsByNode, budget.maxSurge(), scope.desired(), now, draft);
        }
    }

    /** The nodes that should run the pod or still have one, restricted to those the partition lets roll. */
    static Scope scope(DaemonSetView ds, List<NodeView> nodes, Map<String, Eligibility.Result> eligibility,
                       Map<String, List<PodView>> podsByNode) {
        List<String> considered = new ArrayList<>();
        int desired = 0;
        for (NodeView node : nodes) {
            boolean shouldRun = eligibility.get(node.name()).shouldRun();
            desired += shouldRun ? 1 : 0;
            if (shouldRun || !podsByNode.get(node.name()).isEmpty()) {
                considered.add(node.name());
            }
        }
        Set<String> updatable = Partition.updatable(ds, considered, podsByNode, desired);
        return new Scope(considered.stream().filter(updatable::contains).toList(), desired);
    }

    private static void withoutSurge(DaemonSetView ds, List<String> nodes, Map<String, List<PodView>> podsByNode,
                                     int maxUnavailable, Instant now, Draft draft) {
        int numUnavailable = 0;
        List<PodView> allowedReplacements = new ArrayList<>();
        List<PodView> candidates = new ArrayList<>();
        for (String node : nodes) {
            NodePods found = find(ds, podsByNode.get(node));
            if (!found.ok() || (found.oldPod() == null) == (found.newPod() == null)) {
                // Excess pods, an empty node or a node mid-replacement: manage() is acting there.
                numUnavailable++;
            } else if (found.newPod() != null) {
                numUnavailable += available(ds, found.newPod(), now) ? 0 : 1;
            } else if (!available(ds, found.oldPod(), now)) {
                // Replacing an old pod that is down anyway costs no availability, so it ignores the budget.
                allowedReplacements.add(found.oldPod());
                numUnavailable++;
            } else if (numUnavailable < maxUnavailable) {
                candidates.add(found.oldPod());
            }
        }
        int remaining = clamp(maxUnavailable - numUnavailable, candidates.size());
        allowedReplacements.forEach(pod -> draft.delete(pod, DeleteReason.UPDATE));
        candidates.subList(0, remaining).forEach(pod -> draft.delete(pod, DeleteReason.UPDATE));
    }

    private static void withSurge(DaemonSetView ds, List<String> nodes, Map<String, Eligibility.Result> eligibility,
                                  Map<String, List<PodView>> podsByNode, int maxSurge, int desired, Instant now,
                                  Draft draft) {
        int numSurge = 0;
        int numAvailable = 0;
        List<String> allowedNewNodes = new ArrayList<>();
        List<String> candidateNewNodes = new ArrayList<>();
        List<PodView> shouldNotRunToDelete = new ArrayList<>();
        for (String node : nodes) {
            NodePods found = find(ds, podsByNode.get(node));
            if (!found.ok()) {
                numSurge++;
                continue;
            }
            PodView oldPod = found.oldPod();
            PodView newPod = found.newPod();
            // Availability counts every node, including those being sunset by scheduling constraints.
            PodView serving = oldPod != null ? oldPod : newPod;
            numAvailable += serving != null && available(ds, serving, now) ? 1 : 0;
            boolean shouldRun = eligibility.get(node).shouldRun();
            if (oldPod == null) {
                continue;
            }
            if (newPod == null) {
                if (!available(ds, oldPod, now)) {
                    if (shouldRun) {
                        allowedNewNodes.add(node);
                    } else {
                        draft.delete(oldPod, DeleteReason.UPDATE);
                    }
                } else if (!shouldRun) {
                    shouldNotRunToDelete.add(oldPod);
                } else if (numSurge < maxSurge) {
                    candidateNewNodes.add(node);
                }
            } else if (available(ds, newPod, now)) {
                draft.delete(oldPod, DeleteReason.SURGE_RETIRE);
            } else {
                numSurge++;
            }
        }
        // Users of surge expect full availability: a pod on a node that left the selection goes only once the
        // pods elsewhere more than cover the desired count.
        int deletable = clamp(numAvailable - desired, shouldNotRunToDelete.size());
        shouldNotRunToDelete.subList(0, deletable).forEach(pod -> draft.delete(pod, DeleteReason.UPDATE));
        int remainingSurge = clamp(maxSurge - numSurge, candidateNewNodes.size());
        allowedNewNodes.forEach(draft::create);
        candidateNewNodes.subList(0, remainingSurge).forEach(draft::create);
    }

    private static NodePods find(DaemonSetView ds, List<PodView> pods) {
        PodView newPod = null;
        PodView oldPod = null;
        for (PodView pod : pods) {
            if (pod.terminating()) {
                continue;
            }
            if (Pods.isNew(pod, ds)) {
                if (newPod != null) {
                    return new NodePods(null, null, false);
                }
                newPod = pod;
            } else {
                if (oldPod != null) {
                    return new NodePods(null, null, false);
                }
                oldPod = pod;
            }
        }
        return new NodePods(newPod, oldPod, true);
    }

    private static boolean available(DaemonSetView ds, PodView pod, Instant now) {
        return Pods.isAvailable(pod, ds.minReadySeconds(), now);
    }

    private static int clamp(int value, int max) {
        return Math.max(0, Math.min(value, max));
    }
}
