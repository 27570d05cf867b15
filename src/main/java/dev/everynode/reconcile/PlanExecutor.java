package dev.everynode.reconcile;

import dev.everynode.apimachinery.Json;
import dev.everynode.apimachinery.ObjectStore;
import dev.everynode.apimachinery.StoredObject;
import dev.everynode.reconcile.plan.Model;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a plan's actions in batches: all creates in one JDBC batch, all deletions in another. A pod on a live
 * node is deleted in two phases (deletionTimestamp now, removal when its agent confirms); a pod whose node is
 * gone, or that already ended, is removed at once.
 */
@Component
class PlanExecutor {

    /** What was done, for events and for waking the agents of the nodes concerned. */
    record Outcome(List<StoredObject> created, List<StoredObject> deleted, Set<String> nodes) {}

    private final ObjectStore store;

    PlanExecutor(ObjectStore store) {
        this.store = store;
    }

    Outcome apply(StoredObject ds, String hash, Model.Plan plan, Model.Placement placement,
                  Map<String, StoredObject> podsByName, Set<String> nodeNames, Instant now) {
        List<StoredObject> creates = new ArrayList<>();
        List<StoredObject> terminating = new ArrayList<>();
        List<StoredObject> removed = new ArrayList<>();
        Set<String> nodes = new java.util.TreeSet<>();
        long templateGeneration = dev.everynode.daemonset.DaemonSetStrategy.templateGeneration(ds.body());
        for (Model.Action action : plan.actions()) {
            if (action instanceof Model.Action.CreatePod c) {
                creates.add(PodFactory.newPod(ds, c.nodeName(), hash, templateGeneration, placement, now));
                nodes.add(c.nodeName());
            } else if (action instanceof Model.Action.DeletePod d) {
                StoredObject pod = podsByName.get(d.podName());
                if (pod == null) {
                    continue;
                }
                nodes.add(d.nodeName());
                if (!nodeNames.contains(d.nodeName()) || isTerminal(pod)) {
                    removed.add(pod);
                } else if (pod.deletionTimestamp() == null) {
                    terminating.add(markTerminating(pod, now));
                }
            }
        }
        if (!creates.isEmpty()) {
            store.insertBatch(creates);
        }
        if (!terminating.isEmpty()) {
            store.updateBatch(terminating);
        }
        if (!removed.isEmpty()) {
            store.deleteBatch(removed.stream().map(StoredObject::uid).toList());
        }
        List<StoredObject> deleted = new ArrayList<>(terminating);
        deleted.addAll(removed);
        return new Outcome(creates, deleted, nodes);
    }

    /** Starts the graceful deletion of a pod: deletionTimestamp = now + its grace period, as the API server does. */
    static StoredObject markTerminating(StoredObject pod, Instant now) {
        JsonNode own = pod.body().path("spec").path("terminationGracePeriodSeconds");
        long grace = own.isNumber() ? own.longValue() : 30L;
        Instant at = now.plusSeconds(grace);
        ObjectNode body = pod.body().deepCopy();
        ObjectNode meta = Json.child(body, "metadata");
        meta.put("deletionTimestamp", Json.timestamp(at));
        meta.put("deletionGracePeriodSeconds", grace);
        return new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(), pod.resourceVersion(),
                pod.generation(), pod.createdAt(), at, body);
    }

    static boolean isTerminal(StoredObject pod) {
        String phase = Json.text(pod.body(), "status", "phase");
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    static List<UUID> uids(List<StoredObject> objects) {
        return objects.stream().map(StoredObject::uid).toList();
    }
}
