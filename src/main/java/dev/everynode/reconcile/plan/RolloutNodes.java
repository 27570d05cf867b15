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

    /**
     * One failure domain of a wave rollout: its eligible nodes, those updated, those updated and available, and
     * its state: {@code Done} (every node updated and available), {@code InFlight} (the wave), {@code Waiting}
     * (a later domain) or {@code Held} (not done, and the rollout will not touch it now: partition, selector,
     * canary or pause).
     */
    public record Domain(String name, int nodes, int updated, int available, String state) {}

    /**
     * One node of the rollout view's grid: its name, its state and the revision hash of the pod it runs (the new
     * one while a replacement is under way; null without a live pod). States:
     * <ul>
     * <li>{@code Updated}: one pod, of the current revision, available;</li>
     * <li>{@code Updating}: a pod of the current revision on its way (created, not failed, not yet available),
     *     an old pod terminating for its replacement, or two pods while surging;</li>
     * <li>{@code Unavailable}: no available pod and none on its way (no pod yet, a failed pod, an old pod that
     *     is not ready);</li>
     * <li>{@code Old}: one available pod of an older revision that the rollout will reach (or, with OnDelete,
     *     that waits for a delete);</li>
     * <li>{@code Held}: one available pod of an older revision that the rollout leaves alone for now
     *     (partition, pause, update selector, canary, a later wave);</li>
     * <li>{@code Misscheduled}: the node should not run the pod but still has one;</li>
     * <li>{@code NotScheduled}: the node should not run the pod and has none.</li>
     * </ul>
     */
    public record Cell(String node, String state, String revisionHash) {}

    /** The states of {@link Cell}, in the order the grid's legend shows them. */
    public static final List<String> CELL_STATES = List.of("Updated", "Updating", "Unavailable", "Old", "Held",
            "Misscheduled", "NotScheduled");

    private RolloutNodes() {}

    /** What the cells and the node lists both start from: nodes by name, eligibility, pods, the rolled set. */
    private record Frame(DaemonSetView ds, List<NodeView> nodes, Map<String, Eligibility.Result> eligibility,
                         Map<String, List<PodView>> podsByNode, boolean rolling, Set<String> rolled) {
        static Frame of(Snapshot snapshot, Instant now) {
            DaemonSetView ds = snapshot.daemonSet();
            List<NodeView> nodes = Planner.byName(snapshot.nodes());
            Map<String, Eligibility.Result> eligibility = Planner.eligibility(ds, nodes);
            Map<String, List<PodView>> podsByNode = Planner.podsByNode(nodes, snapshot.pods());
            boolean rolling = UpdateBudget.isRolling(ds.strategy());
            Set<String> rolled = rolling && !ds.strategy().paused()
                    ? Set.copyOf(UpdateScope.of(ds, nodes, eligibility, podsByNode, now).rolled()) : Set.of();
            return new Frame(ds, nodes, eligibility, podsByNode, rolling, rolled);
        }
    }

    /** Every node of the snapshot, by name, with its {@link Cell} state. */
    public static List<Cell> cells(Snapshot snapshot, Instant now) {
        Frame f = Frame.of(snapshot, now);
        DaemonSetView ds = f.ds();
        List<NodeView> nodes = f.nodes();
        Map<String, Eligibility.Result> eligibility = f.eligibility();
        Map<String, List<PodView>> podsByNode = f.podsByNode();
        boolean rolling = f.rolling();
        Set<String> rolled = f.rolled();
        List<Cell> out = new ArrayList<>(nodes.size());
        for (NodeView node : nodes) {
            String name = node.name();
            List<PodView> pods = podsByNode.get(name);
            List<PodView> live = pods.stream().filter(p -> !p.terminating()).toList();
            PodView shown = live.stream().filter(p -> Pods.isNew(p, ds)).findFirst()
                    .orElse(live.isEmpty() ? null : live.get(0));
            String hash = shown == null ? null : shown.revisionHash();
            if (!eligibility.get(name).shouldRun()) {
                out.add(new Cell(name, live.isEmpty() ? "NotScheduled" : "Misscheduled", hash));
                continue;
            }
            out.add(new Cell(name, state(ds, pods, live, shown, rolling, rolled.contains(name), now), hash));
        }
        return List.copyOf(out);
    }

    private static String state(DaemonSetView ds, List<PodView> pods, List<PodView> live, PodView shown,
                                boolean rolling, boolean rolled, Instant now) {
        if (live.isEmpty()) {
            return pods.isEmpty() ? "Unavailable" : "Updating";
        }
        boolean available = Pods.isAvailable(shown, ds.minReadySeconds(), now);
        if (Pods.isNew(shown, ds)) {
            if (available) {
                return live.size() == 1 && pods.size() == 1 ? "Updated" : "Updating";
            }
            return shown.phase() == Model.Phase.Failed ? "Unavailable" : "Updating";
        }
        if (live.size() > 1 || pods.size() > live.size()) {
            return "Updating";
        }
        if (!available) {
            return "Unavailable";
        }
        return rolling && !rolled ? "Held" : "Old";
    }

    /**
     * The domains of a wave rollout in the order the waves take them ("" = nodes without the topology label,
     * last); empty when the DaemonSet has no waves.
     */
    public static List<Domain> waves(Snapshot snapshot, Instant now) {
        DaemonSetView ds = snapshot.daemonSet();
        if (!ds.strategy().policy().waves()) {
            return List.of();
        }
        String key = ds.strategy().policy().topologyKey();
        List<NodeView> nodes = Planner.byName(snapshot.nodes());
        Map<String, Eligibility.Result> eligibility = Planner.eligibility(ds, nodes);
        Map<String, List<PodView>> podsByNode = Planner.podsByNode(nodes, snapshot.pods());
        String wave = UpdateBudget.isRolling(ds.strategy()) && !ds.strategy().paused()
                ? UpdateScope.of(ds, nodes, eligibility, podsByNode, now).wave() : null;
        Map<String, int[]> counts = new java.util.TreeMap<>(java.util.Comparator.comparing(
                (String d) -> d.isEmpty() ? "\uffff" : d));
        for (NodeView node : nodes) {
            if (!eligibility.get(node.name()).shouldRun()) {
                continue;
            }
            int[] c = counts.computeIfAbsent(node.labels().getOrDefault(key, ""), d -> new int[3]);
            c[0]++;
            List<PodView> live = podsByNode.get(node.name()).stream().filter(p -> !p.terminating()).toList();
            if (live.size() == 1 && Pods.isNew(live.get(0), ds)) {
                c[1]++;
                if (Pods.isAvailable(live.get(0), ds.minReadySeconds(), now)) {
                    c[2]++;
                }
            }
        }
        List<Domain> out = new ArrayList<>();
        boolean passedWave = false;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int[] c = e.getValue();
            String state;
            if (e.getKey().equals(wave)) {
                state = "InFlight";
                passedWave = true;
            } else if (c[2] == c[0]) {
                state = "Done";
            } else {
                state = wave != null && passedWave ? "Waiting" : "Held";
            }
            out.add(new Domain(e.getKey(), c[0], c[1], c[2], state));
        }
        return List.copyOf(out);
    }

    public static Nodes of(Snapshot snapshot, Instant now) {
        Frame f = Frame.of(snapshot, now);
        DaemonSetView ds = f.ds();
        List<NodeView> nodes = f.nodes();
        Map<String, Eligibility.Result> eligibility = f.eligibility();
        Map<String, List<PodView>> podsByNode = f.podsByNode();
        boolean rolling = f.rolling();
        Set<String> rolled = f.rolled();
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
