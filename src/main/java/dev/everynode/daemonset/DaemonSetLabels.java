package dev.everynode.daemonset;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.pod.PodResource;
import tools.jackson.databind.JsonNode;

/**
 * The label and annotation keys a DaemonSet puts on itself, its pods and its ControllerRevisions, spelled as
 * Kubernetes' apps API spells them, so that kubectl and client libraries read them unchanged. The pure planner
 * gets their values, never the keys.
 */
public final class DaemonSetLabels {

    /** Label of daemon pods and ControllerRevisions: the hash of the pod template (apps/v1 ControllerRevisionHashLabelKey). */
    public static final String REVISION_HASH = PodResource.REVISION_HASH_LABEL;
    /** Label of daemon pods: the template generation they were made from (the legacy way to tell updated pods). */
    public static final String TEMPLATE_GENERATION = "pod-template-generation";
    /** Annotation of the DaemonSet: its template generation, raised when spec.template changes. */
    public static final String TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

    private DaemonSetLabels() {}

    /** The controller-revision-hash label of a pod or ControllerRevision body; null when absent. */
    public static String revisionHash(JsonNode object) {
        return Json.text(object, "metadata", "labels", REVISION_HASH);
    }
}
