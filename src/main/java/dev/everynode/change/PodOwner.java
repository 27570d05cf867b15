package dev.everynode.change;

import tools.jackson.databind.JsonNode;

/** Who controls a pod, as the reconciler sees it: one DaemonSet, or none (an orphan, which any may adopt). */
public sealed interface PodOwner {

    PodOwner ORPHAN = new Orphan();

    /** Controlled by the DaemonSet {@code name} of the pod's namespace. */
    record DaemonSet(String name) implements PodOwner {}

    /** No DaemonSet controls it: any DaemonSet of its namespace whose selector matches may adopt it. */
    record Orphan() implements PodOwner {}

    /** The owner named by a pod's controlling owner reference of kind DaemonSet, or {@link #ORPHAN}. */
    static PodOwner of(JsonNode pod) {
        for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false) && "DaemonSet".equals(ref.path("kind").asString(""))) {
                String name = ref.path("name").asString(null);
                return name == null ? ORPHAN : new DaemonSet(name);
            }
        }
        return ORPHAN;
    }
}
