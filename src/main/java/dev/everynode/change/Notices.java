package dev.everynode.change;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL's notifications as changes. A burst (10,000 node registrations, a fleet-wide rollout) arrives as many
 * notifications: it becomes one {@link Change.PodsOnNodesChanged} for all its nodes, then one
 * {@link Change.DaemonSetChanged} per DaemonSet, or a single {@link Change.NodesChanged} when a node changed (which
 * plans every DaemonSet anyway).
 */
final class Notices {

    static final String PODS = "everynode_pods";
    static final String RECONCILE = "everynode_reconcile";
    /** The everynode_reconcile payload for "a node changed" (db/migration V7). */
    static final String ANY_NODE = "*";

    /** One notification: its channel and payload (comma-separated node names or "namespace/name" keys). */
    record Notice(String channel, String payload) {}

    private Notices() {
    }

    static List<Change> changes(List<Notice> notices) {
        Set<String> nodes = new LinkedHashSet<>();
        Set<String> keys = new LinkedHashSet<>();
        for (Notice n : notices) {
            (PODS.equals(n.channel()) ? nodes : keys).addAll(Arrays.asList(n.payload().split(",")));
        }
        List<Change> changes = new ArrayList<>();
        if (!nodes.isEmpty()) {
            changes.add(new Change.PodsOnNodesChanged(nodes));
        }
        if (keys.contains(ANY_NODE)) {
            changes.add(new Change.NodesChanged());
            return changes;
        }
        for (String key : keys) {
            int slash = key.indexOf('/');
            if (slash > 0) {
                changes.add(new Change.DaemonSetChanged(key.substring(0, slash), key.substring(slash + 1)));
            }
        }
        return changes;
    }
}
