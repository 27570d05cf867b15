package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.PodView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The actions one pass wants, before ordering and the burst limit. The diff and the rolling update both look
 * at the pods as observed, so they can name the same pod or node; the first decision about a pod wins and a
 * node is created on at most once.
 */
final class Draft {

    /** A delete with what it entails: the event to record and whether it steps the node's failure backoff. */
    record Deletion(PodView pod, String nodeName, DeleteReason reason, Event event, boolean stepsBackoff) {}

    static final Comparator<Deletion> BY_NODE = Comparator
            .comparing((Deletion d) -> Objects.requireNonNullElse(d.nodeName(), ""))
            .thenComparing(d -> d.pod().name());

    private final Map<String, Deletion> deletions = new LinkedHashMap<>();
    private final Set<String> creates = new TreeSet<>();
    private Duration requeueAfter;

    void delete(PodView pod, DeleteReason reason) {
        deletions.putIfAbsent(pod.name(), new Deletion(pod, pod.nodeName(), reason, null, false));
    }

    void delete(Deletion deletion) {
        deletions.putIfAbsent(deletion.pod().name(), deletion);
    }

    void create(String nodeName) {
        creates.add(nodeName);
    }

    void requeueAfter(Duration delay) {
        if (requeueAfter == null || delay.compareTo(requeueAfter) < 0) {
            requeueAfter = delay;
        }
    }

    List<Deletion> deletions() {
        List<Deletion> sorted = new ArrayList<>(deletions.values());
        sorted.sort(BY_NODE);
        return sorted;
    }

    List<String> creates() {
        return List.copyOf(creates);
    }

    Duration requeueAfter() {
        return requeueAfter;
    }
}
