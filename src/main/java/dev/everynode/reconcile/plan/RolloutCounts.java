package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Status;
import dev.everynode.reconcile.plan.Model.Written;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The rollout view's counts, with the planner's rules over one snapshot: the status counters as a pass would write
 * them now, live pods per revision, and the canary's progress as the Progressing condition measures it.
 */
public final class RolloutCounts {

    /** Live (not terminating) pods of one revision, and of those the ready ones. */
    public record Revision(int pods, int ready) {}

    /**
     * The canary: how many nodes it updates before it waits ({@code size}: its size, at most what the partition lets
     * roll), the nodes updated, and the nodes whose updated pod is available.
     */
    public record Canary(int size, int updated, int available) {}

    private RolloutCounts() {}

    /** The counters a pass would write for this snapshot at {@code now}. */
    public static Status status(Snapshot snapshot, Instant now) {
        return Planner.statusAfter(snapshot, Written.NOTHING, now);
    }

    /** Live pods per revision hash (a pod without the label counts under null). */
    public static Map<String, Revision> revisions(Snapshot snapshot) {
        Map<String, int[]> counts = new HashMap<>();
        for (PodView pod : snapshot.pods()) {
            if (pod.terminating()) {
                continue;
            }
            int[] c = counts.computeIfAbsent(pod.revisionHash(), h -> new int[2]);
            c[0]++;
            c[1] += pod.ready() ? 1 : 0;
        }
        Map<String, Revision> out = new HashMap<>();
        counts.forEach((hash, c) -> out.put(hash, new Revision(c[0], c[1])));
        return out;
    }

    /** The canary's progress, from the counters of {@link #status}. */
    public static Canary canary(Snapshot snapshot, Status status) {
        Model.Strategy strategy = snapshot.daemonSet().strategy();
        int desired = status.desiredNumberScheduled();
        int kept = Progress.keptByPartition(strategy.partition(), desired);
        return new Canary(Progress.canaryTarget(strategy.policy(), kept, desired), status.updatedNumberScheduled(),
                status.updatedNumberAvailable());
    }
}
