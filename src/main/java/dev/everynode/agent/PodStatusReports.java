package dev.everynode.agent;

import dev.everynode.apimachinery.ApiException;
import dev.everynode.apimachinery.Json;
import dev.everynode.apimachinery.ObjectChanged;
import dev.everynode.apimachinery.ObjectStore;
import dev.everynode.apimachinery.StoredObject;
import dev.everynode.pod.PodConditions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a batch of pod status reports from one node in one transaction and answers per item. A report for a
 * pod bound to another node refuses the whole batch (403) and changes nothing; a report for an older
 * incarnation of a pod (uid mismatch) is ignored; a replay changes nothing.
 */
@Component
class PodStatusReports {

    private final ObjectStore store;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    PodStatusReports(ObjectStore store, TransactionTemplate tx, ApplicationEventPublisher events, Clock clock) {
        this.store = store;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
    }

    ObjectNode apply(String node, JsonNode body) {
        JsonNode statuses = body.path("statuses");
        if (!statuses.isArray()) {
            throw ApiException.badRequest("the body must be {\"statuses\": [{\"namespace\", \"name\", \"uid\", \"status\"}]}");
        }
        for (int i = 0; i < statuses.size(); i++) {
            JsonNode item = statuses.get(i);
            if (!item.path("namespace").isString() || !item.path("name").isString() || !item.path("status").isObject()) {
                throw ApiException.badRequest("statuses[" + i + "]: namespace, name and status (an object) are required");
            }
            String phase = Json.text(item, "status", "phase");
            if (phase != null && !List.of("Pending", "Running", "Succeeded", "Failed", "Unknown").contains(phase)) {
                throw ApiException.badRequest("statuses[" + i + "].status.phase: Unsupported value: \"" + phase + "\"");
            }
        }
        List<StoredObject> written = new ArrayList<>();
        ObjectNode answer = tx.execute(status -> {
            ObjectNode out = Json.object();
            ArrayNode results = out.putArray("results");
            List<String> namespaces = new ArrayList<>();
            List<String> names = new ArrayList<>();
            statuses.forEach(item -> {
                namespaces.add(item.path("namespace").asString());
                names.add(item.path("name").asString());
            });
            java.util.Map<String, StoredObject> locked = new java.util.HashMap<>();
            store.getManyForUpdate("Pod", namespaces, names).forEach(p -> locked.put(p.namespace() + "/" + p.name(), p));
            java.util.Map<String, StoredObject> pending = new java.util.LinkedHashMap<>();
            for (JsonNode item : statuses) {
                String ns = item.path("namespace").asString();
                String name = item.path("name").asString();
                ObjectNode result = results.addObject().put("namespace", ns).put("name", name);
                StoredObject pod = pending.getOrDefault(ns + "/" + name, locked.get(ns + "/" + name));
                if (pod == null) {
                    result.put("result", "notFound").put("message", "pods \"" + name + "\" not found");
                    continue;
                }
                String boundTo = Json.text(pod.body(), "spec", "nodeName");
                if (!node.equals(boundTo)) {
                    throw ApiException.forbidden("pods \"" + name + "\" is forbidden: node \"" + node
                            + "\" can only update pods bound to it (the pod is bound to \"" + boundTo + "\")");
                }
                String uid = Json.text(item, "uid");
                if (uid != null && !uid.equals(pod.uid().toString())) {
                    result.put("result", "ignored").put("message", "the report is for an older incarnation of the pod");
                    continue;
                }
                ObjectNode next = pod.body().deepCopy();
                next.set("status", item.get("status").deepCopy());
                PodConditions.stampReadyTransition(next, pod.body(), clock.instant());
                if (next.path("status").equals(pod.body().path("status"))) {
                    result.put("result", "unchanged");
                    continue;
                }
                pending.put(ns + "/" + name, new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(),
                        pod.resourceVersion(), pod.generation(), pod.createdAt(), pod.deletionTimestamp(), next));
                result.put("result", "applied");
            }
            written.addAll(pending.values());
            store.updateBatch(written);
            return out;
        });
        // One nudge per owning DaemonSet: only its pass can be affected by these reports.
        written.stream().map(p -> new ObjectChanged("Pod", p.namespace(), p.name(), "MODIFIED", node,
                        ObjectChanged.controller(p.body(), "DaemonSet")))
                .filter(c -> c.ownerName() != null).map(c -> c.namespace() + "/" + c.ownerName()).distinct()
                .forEach(key -> {
                    int slash = key.indexOf('/');
                    events.publishEvent(new ObjectChanged("Pod", key.substring(0, slash), "status-report", "MODIFIED",
                            node, key.substring(slash + 1)));
                });
        return answer;
    }
}
