package dev.everynode.change;

import java.util.Set;

/**
 * What changed, as one stream: published in-process (Spring application events) by this replica's writes and by
 * {@link ChangeListener} for PostgreSQL's notifications. The tables stay the truth, so a change is a hint to look
 * again: a missed one costs a resync, not data. Two families, because they are heard differently: a {@link Written}
 * change is this replica's own write (its subscribers run after the commit where there is a transaction), a
 * {@link Noticed} one comes from the database to every replica, whichever wrote it, this one included.
 */
public sealed interface Change {

    /** This replica wrote (and committed) it; the writer knows which object and, for pods, their owner. */
    sealed interface Written extends Change {}

    /**
     * PostgreSQL said so (LISTEN/NOTIFY: pod and DaemonSet notices from triggers, db/migration V2, V6, V7, V9; node
     * notices sent by the writing replica after its commit, {@link NodeNotices}): every replica hears it.
     */
    sealed interface Noticed extends Change {}

    /** Pods of {@code namespace} controlled by {@code owner} (or orphans) were written here. */
    record PodsWritten(String namespace, PodOwner owner) implements Written {}

    /** A DaemonSet was written here: created, changed or, if {@code deleted}, deleted. */
    record DaemonSetWritten(String namespace, String name, boolean deleted) implements Written {}

    /** A node was written here: created, changed (a label, its Ready condition) or, if {@code deleted}, deleted. */
    record NodeWritten(String name, boolean deleted) implements Written {}

    /** The pods bound to these nodes changed in what their agents run (everynode_pods). */
    record PodsOnNodesChanged(Set<String> nodes) implements Noticed {

        public PodsOnNodesChanged {
            nodes = Set.copyOf(nodes);
        }
    }

    /** A DaemonSet was created, deleted or changed other than its status (everynode_reconcile). */
    record DaemonSetChanged(String namespace, String name) implements Noticed {}

    /** Some node changed; the notice does not say which (everynode_reconcile, "*"). */
    record NodesChanged() implements Noticed {}

    /**
     * The notification channel was down (or just came up): notices sent meanwhile are lost, so every node, pod and
     * DaemonSet may have changed.
     */
    record NoticesLost() implements Noticed {}
}
