package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Draft.Deletion;
import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.Phase;
import dev.everynode.reconcile.plan.Model.PodView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Kubernetes {@code podsShouldBeOnNode}: what {@code manage()} does for one node. */
final class NodeDiff {

    private NodeDiff() {}

    /**
     * @param pods the node's pods, oldest first, without the terminal pods that are already terminating
     *             (those are invisible to the controller)
     */
    static void diff(DaemonSetView ds, String nodeName, Eligibility.Result eligibility, List<PodView> pods,
                     boolean surge, FailureBackoff backoff, Instant now, Draft draft) {
        // A node whose failed pod is deleted in this pass still counts as occupied: the replacement comes in a
        // later pass, after the pod is gone, exactly as in Kubernetes.
        if (eligibility.shouldRun() && pods.isEmpty()) {
            draft.create(nodeName);
        } else if (eligibility.shouldContinueRunning()) {
            prune(ds, nodeName, eligibility.shouldRun(), pods, surge, backoff, now, draft);
        } else {
            for (PodView pod : pods) {
                if (!pod.terminating()) {
                    draft.delete(pod, DeleteReason.NOT_ELIGIBLE);
                }
            }
        }
    }

    private static void prune(DaemonSetView ds, String nodeName, boolean shouldRun, List<PodView> pods,
                              boolean surge, FailureBackoff backoff, Instant now, Draft draft) {
        List<PodView> running = new ArrayList<>();
        for (PodView pod : pods) {
            if (pod.terminating()) {
                continue;
            }
            if (pod.phase() == Phase.Failed) {
                Optional<Duration> wait = backoff.remaining(nodeName, now);
                if (wait.isPresent()) {
                    draft.requeueAfter(wait.get());
                    continue;
                }
                backoff.step(nodeName, now);
                draft.delete(new Deletion(pod, nodeName, DeleteReason.FAILED, new Event("Warning", "FailedDaemonPod",
                        "Found failed daemon pod %s/%s on node %s, will try to kill it"
                                .formatted(ds.namespace(), pod.name(), nodeName)), true));
            } else if (pod.phase() == Phase.Succeeded) {
                draft.delete(new Deletion(pod, nodeName, DeleteReason.SUCCEEDED, new Event("Normal",
                        "SucceededDaemonPod", "Found succeeded daemon pod %s/%s on node %s, will try to delete it"
                                .formatted(ds.namespace(), pod.name(), nodeName)), false));
            } else {
                running.add(pod);
            }
        }
        if (!surge) {
            for (PodView extra : running.subList(Math.min(1, running.size()), running.size())) {
                draft.delete(extra, DeleteReason.DUPLICATE);
            }
            return;
        }
        if (running.size() <= 1) {
            // While surging, a node must always have one live pod, even if an older one is still terminating.
            if (running.isEmpty() && shouldRun) {
                draft.create(nodeName);
            }
            return;
        }
        PodView oldestNew = null;
        PodView oldestOld = null;
        for (PodView pod : running) {
            if (Pods.isNew(pod, ds) && oldestNew == null) {
                oldestNew = pod;
            } else if (!Pods.isNew(pod, ds) && oldestOld == null) {
                oldestOld = pod;
            } else {
                draft.delete(pod, DeleteReason.DUPLICATE);
            }
        }
        if (oldestNew != null && oldestOld != null
                && (!oldestOld.ready() || Pods.isAvailable(oldestNew, ds.minReadySeconds(), now))) {
            draft.delete(oldestOld, DeleteReason.SURGE_RETIRE);
        }
    }
}
