package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.UpdateScope.Scope;
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

    private RollingUpdate() {}

    static void plan(DaemonSetView ds, List<NodeView> nodes, Map<String, Eligibility.Result> eligibility,
                     Map<String, List<PodView>> podsByNode, Instant now, Draft draft) {
        Scope scope = UpdateScope.of(ds, nodes, eligibility, podsByNode, now);
        UpdateBudget budget = UpdateBudget.of(ds.strategy(), scope.desired());
        if (budget.maxSurge() == 0) {
            withoutSurge(ds, scope, podsByNode, budget.maxUnavailable(), now, draft);
        } else {
            withSurge(ds, scope, eligibility, podsByNode, budget.maxSurge(), now, draft);
        }
    }

    /**
     * The nodes the loops visit: without waves the rolled ones only (Kruise's partition and selector filter the
     * nodes before the budget is counted); with waves every considered node, so that the Kubernetes budget holds
     * over the whole fleet while only the wave's nodes are acted on.
     */
    private static List<String> visited(Scope scope) {
        return scope.waves() ? scope.considered() : scope.rolled();
    }

    private static void withoutSurge(DaemonSetView ds, Scope scope, Map<String, List<PodView>> podsByNode,
                                     int maxUnavailable, Instant now, Draft draft) {
        Set<String> rolled = scope.waves() ? Set.copyOf(scope.rolled()) : null;
        int numUnavailable = 0;
        int domainUnavailable = 0;
        List<PodView> allowedReplacements = new ArrayList<>();
        List<PodView> candidates = new ArrayList<>();
        for (String node : visited(scope)) {
            NodePods found = find(ds, podsByNode.get(node));
            boolean acts = rolled == null || rolled.contains(node);
            boolean unavailable;
            if (!found.ok() || (found.oldPod() == null) == (found.newPod() == null)) {
                // Excess pods, an empty node or a node mid-replacement: manage() is acting there.
                unavailable = true;
            } else if (found.newPod() != null) {
                unavailable = !available(ds, found.newPod(), now);
            } else if (!available(ds, found.oldPod(), now)) {
                // Replacing an old pod that is down anyway costs no availability, so it ignores the budget.
                if (acts) {
                    allowedReplacements.add(found.oldPod());
                }
                unavailable = true;
            } else {
                unavailable = false;
                if (acts && numUnavailable < maxUnavailable) {
                    candidates.add(found.oldPod());
                }
            }
            numUnavailable += unavailable ? 1 : 0;
            domainUnavailable += unavailable && inWave(scope, node) ? 1 : 0;
        }
        int remaining = clamp(Math.min(maxUnavailable - numUnavailable, scope.domainLimit() - domainUnavailable),
                candidates.size());
        allowedReplacements.forEach(pod -> draft.delete(pod, DeleteReason.UPDATE));
        candidates.subList(0, remaining).forEach(pod -> draft.delete(pod, DeleteReason.UPDATE));
    }

    private static void withSurge(DaemonSetView ds, Scope scope, Map<String, Eligibility.Result> eligibility,
                                  Map<String, List<PodView>> podsByNode, int maxSurge, Instant now, Draft draft) {
        Set<String> rolled = scope.waves() ? Set.copyOf(scope.rolled()) : null;
        int desired = scope.desired();
        int domainSurge = 0;
        int numSurge = 0;
        int numAvailable = 0;
        List<String> allowedNewNodes = new ArrayList<>();
        List<String> candidateNewNodes = new ArrayList<>();
        List<PodView> shouldNotRunToDelete = new ArrayList<>();
        for (String node : visited(scope)) {
            NodePods found = find(ds, podsByNode.get(node));
            boolean acts = rolled == null || rolled.contains(node);
            if (!found.ok()) {
                numSurge++;
                domainSurge += inWave(scope, node) ? 1 : 0;
                continue;
            }
            PodView oldPod = found.oldPod();
            PodView newPod = found.newPod();
            // Availability counts every node, including those being sunset by scheduling constraints.
            PodView serving = oldPod != null ? oldPod : newPod;
            numAvailable += serving != null && available(ds, serving, now) ? 1 : 0;
            boolean shouldRun = eligibility.get(node).shouldRun();
            if (oldPod == null) {
                // A new pod not yet available is still in flight for its domain's limit.
                domainSurge += newPod != null && !available(ds, newPod, now) && inWave(scope, node) ? 1 : 0;
                continue;
            }
            if (newPod == null) {
                if (!acts) {
                    // Outside the wave: an old pod stays until its domain's turn.
                    continue;
                }
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
                domainSurge += inWave(scope, node) ? 1 : 0;
            }
        }
        // Users of surge expect full availability: a pod on a node that left the selection goes only once the
        // pods elsewhere more than cover the desired count.
        int deletable = clamp(numAvailable - desired, shouldNotRunToDelete.size());
        shouldNotRunToDelete.subList(0, deletable).forEach(pod -> draft.delete(pod, DeleteReason.UPDATE));
        int remainingSurge = clamp(Math.min(maxSurge - numSurge, scope.domainLimit() - domainSurge),
                candidateNewNodes.size());
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

    private static boolean inWave(Scope scope, String node) {
        return scope.wave() != null && scope.wave().equals(scope.domainOf().get(node));
    }

    private static int clamp(int value, int max) {
        return Math.max(0, Math.min(value, max));
    }
}
