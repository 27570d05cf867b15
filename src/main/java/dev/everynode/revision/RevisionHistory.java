package dev.everynode.revision;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.daemonset.DaemonSetLabels;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ControllerRevisions of a DaemonSet, as Kubernetes' constructHistory and cleanupHistory keep them: one
 * revision per distinct template, named {@code <ds>-<hash>}, numbered max+1; a template that comes back
 * reuses its revision and is renumbered to the top; old revisions beyond revisionHistoryLimit go unless a pod
 * still runs them. Runs inside the reconciler's transaction for that DaemonSet.
 */
@Component
public class RevisionHistory {

    private final ObjectStore store;
    private final Clock clock;

    public RevisionHistory(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The current revision's hash, after making sure that revision exists and is numbered highest. */
    public String sync(StoredObject ds) {
        ObjectNode data = dataOf(ds.body());
        List<StoredObject> revisions = store.listByOwner("ControllerRevision", ds.uid());
        StoredObject current = null;
        long maxOther = 0;
        for (StoredObject r : revisions) {
            if (current == null && r.body().path("data").equals(data)) {
                current = r;
            }
        }
        for (StoredObject r : revisions) {
            if (r != current) {
                maxOther = Math.max(maxOther, r.body().path("revision").asLong(0));
            }
        }
        if (current != null) {
            if (current.body().path("revision").asLong(0) <= maxOther) {
                ObjectNode body = current.body().deepCopy();
                body.put("revision", maxOther + 1);
                store.update(current, current.generation(), null, body);
            }
            return DaemonSetLabels.revisionHash(current.body());
        }
        Integer collisionCount = ds.body().path("status").path("collisionCount").isNumber()
                ? ds.body().path("status").path("collisionCount").intValue() : null;
        JsonNode template = ds.body().path("spec").path("template");
        for (int attempt = 0; attempt < 5; attempt++) {
            String hash = TemplateHash.compute(template, collisionCount);
            String name = ds.name() + "-" + hash;
            var existing = store.get("ControllerRevision", ds.namespace(), name);
            if (existing.isEmpty()) {
                store.insert("ControllerRevision", ds.namespace(), name, UUID.randomUUID(), 0, clock.instant(),
                        revision(ds, name, hash, data, maxOther + 1));
                return hash;
            }
            // A different template (or another owner) holds this name: Kubernetes bumps collisionCount.
            collisionCount = collisionCount == null ? 1 : collisionCount + 1;
        }
        throw new IllegalStateException("could not name a ControllerRevision for " + ds.namespace() + "/" + ds.name());
    }

    /** Deletes old revisions beyond revisionHistoryLimit that no pod runs. */
    public void cleanup(StoredObject ds, String currentHash, Set<String> liveHashes) {
        int limit = ds.body().path("spec").path("revisionHistoryLimit").asInt(10);
        List<StoredObject> old = new ArrayList<>();
        for (StoredObject r : store.listByOwner("ControllerRevision", ds.uid())) {
            if (!currentHash.equals(DaemonSetLabels.revisionHash(r.body()))) {
                old.add(r);
            }
        }
        int toKill = old.size() - limit;
        old.sort(Comparator.comparingLong(r -> r.body().path("revision").asLong(0)));
        for (StoredObject r : old) {
            if (toKill <= 0) {
                break;
            }
            if (liveHashes.contains(DaemonSetLabels.revisionHash(r.body()))) {
                continue;
            }
            store.delete("ControllerRevision", r.namespace(), r.name());
            toKill--;
        }
    }

    /** The revision's data: the template as a strategic merge patch that replaces it (Kubernetes' getPatch). */
    static ObjectNode dataOf(ObjectNode ds) {
        ObjectNode template = ds.path("spec").path("template").isObject()
                ? (ObjectNode) ds.path("spec").path("template").deepCopy() : Json.object();
        template.put("$patch", "replace");
        ObjectNode data = Json.object();
        data.putObject("spec").set("template", template);
        return data;
    }

    private static ObjectNode revision(StoredObject ds, String name, String hash, ObjectNode data, long number) {
        ObjectNode cr = Json.object();
        cr.put("kind", "ControllerRevision");
        cr.put("apiVersion", "apps/v1");
        ObjectNode meta = cr.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", ds.namespace());
        ObjectNode labels = meta.putObject("labels");
        Json.stringMap(ds.body().path("spec").path("template").path("metadata").get("labels")).forEach(labels::put);
        labels.put(DaemonSetLabels.REVISION_HASH, hash);
        JsonNode annotations = ds.body().path("metadata").get("annotations");
        if (annotations != null && annotations.isObject()) {
            meta.set("annotations", annotations.deepCopy());
        }
        meta.putArray("ownerReferences").add(ownerReference(ds));
        cr.set("data", data);
        cr.put("revision", number);
        return cr;
    }

    /** The controller ownerReference Kubernetes puts on a DaemonSet's pods and revisions. */
    public static ObjectNode ownerReference(StoredObject ds) {
        ObjectNode ref = Json.object();
        ref.put("apiVersion", "apps/v1");
        ref.put("kind", "DaemonSet");
        ref.put("name", ds.name());
        ref.put("uid", ds.uid().toString());
        ref.put("controller", true);
        ref.put("blockOwnerDeletion", true);
        return ref;
    }
}
