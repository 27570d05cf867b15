package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Policy;
import dev.everynode.reconcile.plan.Model.Requirement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which nodes a rolling update may work on in this pass. OpenKruise {@code filterDaemonPodsNodeToUpdate} with a
 * partition and an update selector: nodes already updated (or mid-replacement) come first, then the others in
 * reverse name order (only the selected ones when a selector is set), and the first {@code nodes - partition}
 * of that list may roll. A canary that is not promoted lowers that quota to its size. With waves the list is
 * ordered by domain first, and only the first domain that still has a node to finish is rolled.
 */
final class UpdateScope {

    /**
     * @param considered  the nodes that should run the pod or still have one, by name
     * @param rolled      those the update may work on now, by name
     * @param desired     nodes that should run the pod
     * @param wave        the domain in flight; null without waves (or when every domain is done)
     * @param domainLimit most unavailable nodes in the wave's domain ({@link Integer#MAX_VALUE} without waves)
     */
    record Scope(List<String> considered, List<String> rolled, int desired, String wave, int domainLimit,
                 Map<String, String> domainOf) {

        boolean waves() {
            return domainOf != null;
        }
    }

    private UpdateScope() {}

    static Scope of(DaemonSetView ds, List<NodeView> nodes, Map<String, Eligibility.Result> eligibility,
                    Map<String, List<PodView>> podsByNode, Instant now) {
        Policy policy = ds.strategy().policy();
        List<String> considered = new ArrayList<>();
        Map<String, NodeView> byName = new HashMap<>();
        int desired = 0;
        for (NodeView node : nodes) {
            boolean shouldRun = eligibility.get(node.name()).shouldRun();
            desired += shouldRun ? 1 : 0;
            if (shouldRun || !podsByNode.get(node.name()).isEmpty()) {
                considered.add(node.name());
                byName.put(node.name(), node);
            }
        }
        Map<String, String> domainOf = null;
        List<String> walk = new ArrayList<>(considered);
        java.util.Collections.reverse(walk);
        if (policy.waves()) {
            Map<String, String> domains = new HashMap<>();
            considered.forEach(n -> domains.put(n, byName.get(n).labels().getOrDefault(policy.topologyKey(), "")));
            walk.sort(Comparator.comparing((String n) -> domainRank(domains.get(n))));
            domainOf = domains;
        }
        Set<String> updatable = updatable(ds, policy, walk, byName, podsByNode, desired, considered.size());
        if (domainOf == null) {
            return new Scope(considered, considered.stream().filter(updatable::contains).toList(), desired, null,
                    Integer.MAX_VALUE, null);
        }
        String wave = null;
        for (String node : walk) {
            if (updatable.contains(node) && !done(ds, podsByNode.get(node), now)) {
                wave = domainOf.get(node);
                break;
            }
        }
        String current = wave;
        Map<String, String> domains = domainOf;
        List<String> rolled = current == null ? List.of() : considered.stream()
                .filter(n -> updatable.contains(n) && current.equals(domains.get(n))).toList();
        int domainSize = (int) considered.stream()
                .filter(n -> current != null && current.equals(domains.get(n)) && eligibility.get(n).shouldRun())
                .count();
        int limit = Math.max(1, IntOrPercents.scaled(policy.maxUnavailablePerDomain(), domainSize, true));
        return new Scope(considered, rolled, desired, wave, limit, domainOf);
    }

    /** Domains in name order, the nodes without the label last. */
    private static String domainRank(String domain) {
        return domain.isEmpty() ? "\uffff" : domain;
    }

    private static Set<String> updatable(DaemonSetView ds, Policy policy, List<String> walk,
                                         Map<String, NodeView> byName, Map<String, List<PodView>> podsByNode,
                                         int desired, int considered) {
        int maxUpdate = Integer.MAX_VALUE;
        IntOrPercent partition = ds.strategy().partition();
        if (partition != null) {
            maxUpdate = considered - IntOrPercents.scaled(partition, desired, false);
        }
        if (policy.canary() != null && !policy.canaryPromoted()) {
            maxUpdate = Math.min(maxUpdate, canarySize(policy.canary(), desired));
        }
        if (maxUpdate == Integer.MAX_VALUE && policy.updateSelector() == null) {
            return new HashSet<>(walk);
        }
        if (maxUpdate <= 0) {
            return Set.of();
        }
        List<String> updated = new ArrayList<>();
        List<String> updating = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String node : walk) {
            List<PodView> pods = podsByNode.getOrDefault(node, List.of());
            if (pods.stream().anyMatch(pod -> Pods.isNew(pod, ds))) {
                updated.add(node);
            } else if (pods.stream().allMatch(PodView::terminating)) {
                updating.add(node);
            } else if (selected(policy.updateSelector(), byName.get(node))) {
                rest.add(node);
            }
        }
        // Kruise puts updated and mid-replacement nodes first, so they use up the quota before any other node.
        List<String> order = new ArrayList<>(updated);
        order.addAll(updating);
        order.addAll(rest);
        return new HashSet<>(order.subList(0, Math.min(maxUpdate, order.size())));
    }

    /** The canary's number of nodes: a percent of desired rounds up, and a canary is at least one node. */
    static int canarySize(IntOrPercent canary, int desired) {
        return Math.max(1, IntOrPercents.scaled(canary, desired, true));
    }

    /** Every requirement of the selector holds (an invalid requirement selects nothing); null selects all. */
    static boolean selected(List<Requirement> selector, NodeView node) {
        if (selector == null) {
            return true;
        }
        return selector.stream().allMatch(r -> NodeAffinity.labelMatch(r, node.labels()).orElse(false));
    }

    /** The node runs exactly one live pod, of the current revision, and it is available. */
    private static boolean done(DaemonSetView ds, List<PodView> pods, Instant now) {
        List<PodView> live = pods.stream().filter(p -> !p.terminating()).toList();
        return live.size() == 1 && Pods.isNew(live.get(0), ds)
                && Pods.isAvailable(live.get(0), ds.minReadySeconds(), now);
    }
}
