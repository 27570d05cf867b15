package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each node of a rollout stands, for the rollout view, with the planner's own rules: nodes that should run
 * the pod and have none are pending; nodes on an older revision that the rolling update will reach, or in the
 * middle of a replacement, are updating; nodes on an older revision that it leaves alone for now, because the
 * partition keeps them or the rollout is paused, are held; and, across those, nodes without an available pod are
 * unavailable.
 */
public final class RolloutNodes {

    /** Node names, each list by name. */
    public record Nodes(List<String> pending, List<String> updating, List<String> held, List<String> unavailable) {}

    private RolloutNodes() {}

    public static Nodes of(Snapshot snapshot, Instant now) {
        DaemonSetView ds = snapshot.daemonSet();
        List<NodeView> nodes = Planner.byName(snapshot.nodes());
        Map<String, Eligibility.Result> eligibility = Planner.eligibility(ds, nodes);
        Map<String, List<PodView>> podsByNode = Planner.podsByNode(nodes, snapshot.pods());
        boolean rolling = UpdateBudget.isRolling(ds.strategy());
        Set<String> rolled = rolling && !ds.strategy().paused()
                ? Set.copyOf(UpdateScope.of(ds, nodes, eligibility, podsByNode, now).rolled()) : Set.of();
        List<String> pending = new ArrayList<>();
        List<String> updating = new ArrayList<>();
        List<String> held = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        for (NodeView node : nodes) {
            String name = node.name();
            if (!eligibility.get(name).shouldRun()) {
                continue;
            }
            List<PodView> pods = podsByNode.get(name);
            List<PodView> live = pods.stream().filter(p -> !p.terminating()).toList();
            if (live.isEmpty()) {
                (pods.isEmpty() ? pending : updating).add(name);
                unavailable.add(name);
                continue;
            }
            boolean onlyOld = live.size() == 1 && !Pods.isNew(live.get(0), ds);
            if (onlyOld && rolling && !rolled.contains(name)) {
                held.add(name);
            } else if (live.size() > 1 || live.stream().anyMatch(p -> !Pods.isNew(p, ds))) {
                updating.add(name);
            }
            if (live.stream().noneMatch(p -> Pods.isAvailable(p, ds.minReadySeconds(), now))) {
                unavailable.add(name);
            }
        }
        return new Nodes(List.copyOf(pending), List.copyOf(updating), List.copyOf(held), List.copyOf(unavailable));
    }
}
