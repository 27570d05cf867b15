package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Draft.Deletion;
import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.Backoff;
import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.Observed;
import dev.everynode.reconcile.plan.Model.Pass;
import dev.everynode.reconcile.plan.Model.Plan;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Status;
import dev.everynode.reconcile.plan.Model.Written;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pure planner: one DaemonSet's observed state and {@code now} in, a {@link Plan} out. It follows
 * Kubernetes {@code syncDaemonSet}: manage (the per-node diff), then the rolling update, both over the pods as
 * observed, and the status counters of that same observation.
 */
public final class Planner {

    static final Event SELECTING_ALL = new Event("Warning", "SelectingAll",
            "This daemon set is selecting all pods. A non-empty selector is required.");

    private Planner() {}

    /**
     * @param burstLimit at most this many creates and this many deletes (Kubernetes BurstReplicas); must be
     *                   positive
     */
    public static Plan plan(Snapshot snapshot, Instant now, int burstLimit) {
        if (burstLimit < 1) {
            throw new IllegalArgumentException("burstLimit must be positive: " + burstLimit);
        }
        DaemonSetView ds = snapshot.daemonSet();
        List<NodeView> nodes = byName(snapshot.nodes());
        Map<String, Eligibility.Result> eligibility = eligibility(ds, nodes);
        Map<String, List<PodView>> podsByNode = podsByNode(nodes, snapshot.pods());
        Status status = StatusCounter.count(ds, nodes, eligibility, podsByNode, now);
        Map<String, Backoff> storedBackoff = snapshot.backoffByNode() == null ? Map.of() : snapshot.backoffByNode();
        if (ds.selectorEmpty()) {
            return new Plan(List.of(), status, false, null, storedBackoff, List.of(SELECTING_ALL));
        }
        if (ds.deleting()) {
            return new Plan(List.of(), status, false, null, storedBackoff, List.of());
        }

        Draft draft = new Draft();
        FailureBackoff backoff = new FailureBackoff(storedBackoff, ds.observedGeneration());
        // Stand-in for the pod garbage collector: pods bound to nodes that no longer exist.
        for (PodView pod : snapshot.pods()) {
            if (!pod.terminating() && !podsByNode.containsKey(pod.nodeName())) {
                draft.delete(pod, DeleteReason.NODE_GONE);
            }
        }
        boolean surge = UpdateBudget.allowsSurge(ds.strategy());
        for (NodeView node : nodes) {
            NodeDiff.diff(ds, node.name(), eligibility.get(node.name()), podsByNode.get(node.name()), surge,
                    backoff, now, draft);
        }
        // Paused or held at the partition, nodes that need a pod (new nodes, failed pods) still get one of the
        // current revision, as Kruise's manage() creates them: the template is what the user asked for, and a pod
        // where none runs disrupts nothing; only replacing running pods waits.
        if (UpdateBudget.isRolling(ds.strategy()) && !ds.strategy().paused()) {
            RollingUpdate.plan(ds, nodes, eligibility, podsByNode, now, draft);
        }
        podsByNode.values().stream().flatMap(List::stream).filter(pod -> !pod.terminating())
                .forEach(pod -> Pods.untilAvailable(pod, ds.minReadySeconds(), now).ifPresent(draft::requeueAfter));
        return finish(draft, status, backoff, now, burstLimit);
    }

    /**
     * A whole pass: claim among the observed candidates (adopt, release), then plan over the claimed pods. The
     * plan's actions are the adoptions and releases, then the deletes and creates of {@link #plan(Snapshot, Instant,
     * int)}.
     */
    public static Pass plan(Observed observed, Instant now, int burstLimit) {
        Claims.Claim claim = Claims.of(observed.candidates());
        Snapshot snapshot = new Snapshot(observed.daemonSet(), observed.nodes(), claim.pods(),
                observed.backoffByNode());
        Plan plan = plan(snapshot, now, burstLimit);
        if (claim.actions().isEmpty()) {
            return new Pass(snapshot, plan);
        }
        List<Action> actions = new ArrayList<>(claim.actions());
        actions.addAll(plan.actions());
        return new Pass(snapshot, new Plan(List.copyOf(actions), plan.status(), plan.statusValid(),
                plan.requeueAfter(), plan.backoffByNode(), plan.events()));
    }

    /**
     * Foreground deletion of a DaemonSet: every pod it owns goes (removed at once when its node is gone or it has
     * ended, else marked terminating until its agent confirms); once none is left but those removed at once, the
     * DaemonSet and its revisions go too; until then look again in a second.
     *
     * @param nodeNames the nodes that exist
     */
    public static Plan finalizeDeletion(List<PodView> pods, Set<String> nodeNames) {
        List<Action> actions = new ArrayList<>();
        boolean allRemoved = true;
        for (PodView pod : pods) {
            boolean removedAtOnce = !nodeNames.contains(pod.nodeName()) || Pods.isTerminal(pod);
            if (removedAtOnce || !pod.terminating()) {
                actions.add(new Action.DeletePod(pod.name(), pod.nodeName(), DeleteReason.DAEMON_SET_DELETED));
            }
            allRemoved &= removedAtOnce;
        }
        if (allRemoved) {
            actions.add(new Action.FinalizeDeletion());
        }
        return new Plan(List.copyOf(actions), null, false, allRemoved ? null : Duration.ofSeconds(1), Map.of(),
                List.of());
    }

    /**
     * The status counters of the pods as they are once a pass's writes have committed (Kubernetes re-lists after
     * {@code manage}; we know what we wrote): {@code written} applied to the snapshot's pods.
     */
    public static Status statusAfter(Snapshot snapshot, Written written, Instant now) {
        DaemonSetView ds = snapshot.daemonSet();
        List<NodeView> nodes = byName(snapshot.nodes());
        List<PodView> pods = new ArrayList<>(snapshot.pods().size() + written.created().size());
        for (PodView pod : snapshot.pods()) {
            if (written.removed().contains(pod.name())) {
                continue;
            }
            pods.add(written.terminating().contains(pod.name()) && !pod.terminating() ? terminating(pod) : pod);
        }
        pods.addAll(written.created());
        return StatusCounter.count(ds, nodes, eligibility(ds, nodes), podsByNode(nodes, pods), now);
    }

    private static PodView terminating(PodView pod) {
        return new PodView(pod.name(), pod.nodeName(), pod.revisionHash(), pod.templateGeneration(), pod.phase(),
                pod.ready(), pod.readySince(), pod.created(), true);
    }

    private static Plan finish(Draft draft, Status status, FailureBackoff backoff, Instant now, int burstLimit) {
        List<Deletion> deletions = draft.deletions();
        List<String> creates = draft.creates();
        if (deletions.size() > burstLimit || creates.size() > burstLimit) {
            draft.requeueAfter(Duration.ZERO);
        }
        deletions = deletions.subList(0, Math.min(burstLimit, deletions.size()));
        creates = creates.subList(0, Math.min(burstLimit, creates.size()));

        List<Action> actions = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (Deletion deletion : deletions) {
            actions.add(new Action.DeletePod(deletion.pod().name(), deletion.nodeName(), deletion.reason()));
            if (deletion.event() != null) {
                events.add(deletion.event());
            }
        }
        creates.forEach(node -> actions.add(new Action.CreatePod(node)));
        Set<String> steppedNodes = deletions.stream().filter(Deletion::stepsBackoff).map(Deletion::nodeName)
                .collect(Collectors.toSet());
        return new Plan(List.copyOf(actions), status, true, draft.requeueAfter(), backoff.result(steppedNodes, now),
                List.copyOf(events));
    }

    static List<NodeView> byName(List<NodeView> nodes) {
        return nodes.stream().sorted(Comparator.comparing(NodeView::name)).toList();
    }

    /** {@code NodeShouldRunDaemonPod} for every node, in the order given. */
    static Map<String, Eligibility.Result> eligibility(DaemonSetView ds, List<NodeView> nodes) {
        Map<String, Eligibility.Result> eligibility = new LinkedHashMap<>();
        List<Model.Toleration> tolerations = Tolerations.withDefaults(ds.placement().tolerations(),
                ds.placement().hostNetwork());
        nodes.forEach(node -> eligibility.put(node.name(), Eligibility.shouldRun(ds.placement(), tolerations, node)));
        return eligibility;
    }

    /**
     * Every existing node's pods, oldest first. Terminal pods that are already terminating are left out: the
     * controller has nothing more to do with them, so their node is free for a replacement at once.
     */
    static Map<String, List<PodView>> podsByNode(List<NodeView> nodes, List<PodView> pods) {
        Map<String, List<PodView>> byNode = new HashMap<>();
        nodes.forEach(node -> byNode.put(node.name(), new ArrayList<>()));
        for (PodView pod : pods) {
            List<PodView> onNode = byNode.get(pod.nodeName());
            if (onNode != null && !(pod.terminating() && Pods.isTerminal(pod))) {
                onNode.add(pod);
            }
        }
        byNode.values().forEach(list -> list.sort(Pods.OLDEST_FIRST));
        return byNode;
    }
}
