package dev.everynode.reconcile;

import dev.everynode.apimachinery.Json;
import dev.everynode.apimachinery.ObjectStore;
import dev.everynode.apimachinery.StoredObject;
import dev.everynode.pod.Termination;
import dev.everynode.reconcile.plan.Model;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Applies a plan's actions in batches: all creates in one JDBC batch, all deletions in another. A pod on a live
 * node is deleted in two phases (deletionTimestamp now, removal when its agent confirms); a pod whose node is
 * gone, or that already ended, is removed at once.
 */
@Component
class PlanExecutor {

    /**
     * What was done, for events and the pass's status: pods created, pods deleted in plan order (removed at once
     * or marked terminating), and of those the names removed at once.
     */
    record Outcome(List<StoredObject> created, List<String> deleted, Set<String> removed) {

        /** Pods marked terminating: deleted but not removed. */
        Set<String> terminating() {
            Set<String> out = new java.util.HashSet<>(deleted);
            out.removeAll(removed);
            return out;
        }
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PlanExecutor.class);

    private final ObjectStore store;
    private final Termination termination;

    PlanExecutor(ObjectStore store, Termination termination) {
        this.store = store;
        this.termination = termination;
    }

    Outcome apply(StoredObject ds, String hash, Model.Plan plan, Model.Placement placement,
                  Map<String, PodSummaries.Summary> podsByName, Set<String> nodeNames, Instant now) {
        long start = System.nanoTime();
        List<StoredObject> creates = new ArrayList<>();
        List<UUID> terminating = new ArrayList<>();
        List<UUID> removed = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        Set<String> removedNames = new java.util.HashSet<>();
        long templateGeneration = dev.everynode.daemonset.DaemonSetStrategy.templateGeneration(ds.body());
        Set<String> names = new java.util.HashSet<>();
        for (Model.Action action : plan.actions()) {
            if (action instanceof Model.Action.CreatePod c) {
                creates.add(uniquePod(names, ds, c.nodeName(), hash, templateGeneration, placement, now));
            } else if (action instanceof Model.Action.DeletePod d) {
                PodSummaries.Summary pod = podsByName.get(d.podName());
                if (pod == null) {
                    continue;
                }
                if (hash.equals(pod.view().revisionHash()) && (d.reason() == Model.DeleteReason.UPDATE
                        || d.reason() == Model.DeleteReason.DUPLICATE)) {
                    // The rolling update never retires a current pod, and a second live pod on one node is an
                    // anomaly: say so, with what the pass saw.
                    log.warn("deleting a pod of the current revision daemonSet={}/{} pod={} node={} reason={} view={}",
                            ds.namespace(), ds.name(), d.podName(), d.nodeName(), d.reason(), pod.view());
                }
                Model.Phase phase = pod.view().phase();
                if (!nodeNames.contains(d.nodeName()) || phase == Model.Phase.Failed || phase == Model.Phase.Succeeded) {
                    removed.add(pod.uid());
                    removedNames.add(d.podName());
                } else if (!pod.view().terminating()) {
                    terminating.add(pod.uid());
                } else {
                    continue;
                }
                deleted.add(d.podName());
            }
        }
        // Generated names (5 random characters, as Kubernetes') collide: about 3 times among 10,000 pods. Like the
        // API server's generateName, retry a collision with a fresh name; a pod not inserted because the node
        // already has a live pod of this revision (another pass won) stays out.
        long built = System.nanoTime();
        List<StoredObject> created = new ArrayList<>();
        List<StoredObject> attempt = creates;
        for (int round = 0; round < 3 && !attempt.isEmpty(); round++) {
            Map<String, Long> inserted = store.insertPods(attempt);
            List<StoredObject> retry = new ArrayList<>();
            for (StoredObject pod : attempt) {
                Long resourceVersion = inserted.get(pod.name());
                if (resourceVersion != null) {
                    created.add(new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(), resourceVersion,
                            pod.generation(), pod.createdAt(), pod.deletionTimestamp(), pod.body()));
                } else {
                    retry.add(uniquePod(names, ds, Json.text(pod.body(), "spec", "nodeName"), hash, templateGeneration,
                            placement, now));
                }
            }
            attempt = retry;
        }
        long inserted = System.nanoTime();
        termination.mark(terminating, now);
        if (!removed.isEmpty()) {
            store.deleteBatch(removed);
        }
        if (creates.size() + deleted.size() >= 1000 && log.isInfoEnabled()) {
            log.info("applied daemonSet={}/{} creates={} (built in {} ms, inserted in {} ms) deletes={} ({} ms)",
                    ds.namespace(), ds.name(), created.size(), (built - start) / 1_000_000,
                    (inserted - built) / 1_000_000, deleted.size(), (System.nanoTime() - inserted) / 1_000_000);
        }
        return new Outcome(created, deleted, removedNames);
    }

    /** A new pod whose generated name is not among {@code names} (which it is added to). */
    private static StoredObject uniquePod(Set<String> names, StoredObject ds, String node, String hash,
                                          long templateGeneration, Model.Placement placement, Instant now) {
        StoredObject pod;
        do {
            pod = PodFactory.newPod(ds, node, hash, templateGeneration, placement, now);
        } while (!names.add(pod.name()));
        return pod;
    }

    static boolean isTerminal(StoredObject pod) {
        String phase = Json.text(pod.body(), "status", "phase");
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    static List<UUID> uids(List<StoredObject> objects) {
        return objects.stream().map(StoredObject::uid).toList();
    }
}
