package dev.everynode.reconcile;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.daemonset.DaemonSetLabels;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.Tolerations;
import dev.everynode.revision.RevisionHistory;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds a daemon pod as Kubernetes' NewPod/CreatePodTemplate would: the template, the revision labels, the
 * default daemon tolerations, the required node affinity replaced by the node's name, a controller
 * ownerReference, bound to its node and Pending until the node's agent reports.
 */
final class PodFactory {

    private static final String SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private PodFactory() {}

    static StoredObject newPod(StoredObject ds, String nodeName, String hash, long templateGeneration,
                               Model.Placement placement, Instant now) {
        JsonNode template = ds.body().path("spec").path("template");
        String name = generateName(ds.name());
        UUID uid = UUID.randomUUID();
        ObjectNode pod = Json.object();
        pod.put("kind", "Pod");
        pod.put("apiVersion", "v1");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", name);
        meta.put("generateName", ds.name() + "-");
        meta.put("namespace", ds.namespace());
        ObjectNode labels = meta.putObject("labels");
        Json.stringMap(template.path("metadata").get("labels")).forEach(labels::put);
        labels.put(DaemonSetLabels.REVISION_HASH, hash);
        labels.put(DaemonSetLabels.TEMPLATE_GENERATION, Long.toString(templateGeneration));
        JsonNode annotations = template.path("metadata").get("annotations");
        if (annotations != null && annotations.isObject() && !annotations.isEmpty()) {
            meta.set("annotations", annotations.deepCopy());
        }
        meta.putArray("ownerReferences").add(RevisionHistory.ownerReference(ds));
        meta.put("uid", uid.toString());
        meta.put("creationTimestamp", Json.timestamp(now));

        ObjectNode spec = template.path("spec").isObject() ? (ObjectNode) template.path("spec").deepCopy() : Json.object();
        spec.put("nodeName", nodeName);
        ArrayNode tolerations = spec.putArray("tolerations");
        for (Model.Toleration t : Tolerations.withDefaults(placement.tolerations(), placement.hostNetwork())) {
            tolerations.add(toleration(t));
        }
        replaceNodeAffinity(spec, nodeName);
        pod.set("spec", spec);
        pod.putObject("status").put("phase", "Pending");
        // On a whole microsecond, as PostgreSQL keeps it: insertMany sends the instants as text, which PostgreSQL
        // rounds half to even, while PodSummaries.remember (and the driver, for a single insert) rounds half up; a
        // creation time 500 ns past an even microsecond was remembered 1 us later than stored.
        Instant created = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        return new StoredObject("Pod", ds.namespace(), name, uid, 0, 0, created, null, pod);
    }

    private static ObjectNode toleration(Model.Toleration t) {
        ObjectNode node = Json.object();
        if (!t.key().isEmpty()) {
            node.put("key", t.key());
        }
        if (!t.operator().isEmpty()) {
            node.put("operator", t.operator());
        }
        if (!t.value().isEmpty()) {
            node.put("value", t.value());
        }
        if (!t.effect().isEmpty()) {
            node.put("effect", t.effect());
        }
        return node;
    }

    /** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes "metadata.name In [node]". */
    private static void replaceNodeAffinity(ObjectNode spec, String nodeName) {
        ObjectNode affinity = Json.child(spec, "affinity");
        ObjectNode nodeAffinity = Json.child(affinity, "nodeAffinity");
        ObjectNode required = nodeAffinity.putObject("requiredDuringSchedulingIgnoredDuringExecution");
        ObjectNode field = required.putArray("nodeSelectorTerms").addObject().putArray("matchFields").addObject();
        field.put("key", "metadata.name");
        field.put("operator", "In");
        field.putArray("values").add(nodeName);
    }

    private static String generateName(String dsName) {
        String base = (dsName.length() > 57 ? dsName.substring(0, 57) : dsName) + "-";
        var sb = new StringBuilder(base);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            sb.append(SUFFIX_ALPHABET.charAt(r.nextInt(SUFFIX_ALPHABET.length())));
        }
        return sb.toString();
    }

    static List<String> names(List<StoredObject> pods) {
        return pods.stream().map(StoredObject::name).toList();
    }

    /** {@code pod} with its controller ownerReference set to {@code owner} (adopt) or removed (null: release). */
    static StoredObject withController(StoredObject pod, StoredObject owner) {
        ObjectNode body = pod.body().deepCopy();
        ObjectNode meta = Json.child(body, "metadata");
        ArrayNode refs = meta.putArray("ownerReferences");
        for (JsonNode ref : pod.metadata().path("ownerReferences")) {
            if (!ref.path("controller").asBoolean(false)) {
                refs.add(ref);
            }
        }
        if (owner != null) {
            refs.add(RevisionHistory.ownerReference(owner));
        }
        if (refs.isEmpty()) {
            meta.remove("ownerReferences");
        }
        return new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(), pod.resourceVersion(),
                pod.generation(), pod.createdAt(), pod.deletionTimestamp(), body);
    }
}
