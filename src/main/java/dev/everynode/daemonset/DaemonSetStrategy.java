package dev.everynode.daemonset;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.DeleteOptions;
import dev.everynode.apimachinery.resource.ResourceStrategy;
import dev.everynode.apimachinery.resource.StoredObject;
import java.util.List;
import java.util.Objects;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * DaemonSets as Kubernetes' registry strategy treats them: defaults, validation, generation on spec changes,
 * the template generation annotation, and cascading deletion (Background by default, Foreground, Orphan).
 */
@Component
public class DaemonSetStrategy implements ResourceStrategy {

    public static final String FOREGROUND_DELETION = "foregroundDeletion";

    private final JdbcTemplate jdbc;

    DaemonSetStrategy(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public ResourceType type() {
        return DaemonSetResource.TYPE;
    }

    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public void prepareForCreate(ObjectNode ds) {
        DaemonSetValidation.applyDefaults(ds);
        Json.child(Json.child(ds, "metadata"), "annotations").put(DaemonSetLabels.TEMPLATE_GENERATION_ANNOTATION, "1");
    }

    @Override
    public void prepareForUpdate(ObjectNode ds, ObjectNode old) {
        DaemonSetValidation.applyDefaults(ds);
        long oldGeneration = templateGeneration(old);
        boolean templateChanged = !Objects.equals(ds.path("spec").get("template"), old.path("spec").get("template"));
        Json.child(Json.child(ds, "metadata"), "annotations")
                .put(DaemonSetLabels.TEMPLATE_GENERATION_ANNOTATION,
                        Long.toString(templateChanged ? oldGeneration + 1 : oldGeneration));
    }

    @Override
    public List<Cause> validate(ObjectNode ds) {
        List<Cause> causes = new java.util.ArrayList<>(DaemonSetValidation.validate(ds));
        causes.addAll(RolloutAnnotations.validate(ds));
        return causes;
    }

    @Override
    public List<Cause> validateUpdate(ObjectNode ds, ObjectNode old) {
        List<Cause> causes = new java.util.ArrayList<>(DaemonSetValidation.validateUpdate(ds, old));
        causes.addAll(RolloutAnnotations.validate(ds));
        return causes;
    }

    @Override
    public List<Cause> validateStatus(ObjectNode ds) {
        return DaemonSetValidation.validateStatus(ds.has("status") && ds.get("status").isObject()
                ? (ObjectNode) ds.get("status") : Json.object());
    }

    @Override
    public DeletePlan planDelete(StoredObject ds, DeleteOptions options) {
        String policy = options.propagationPolicy() == null ? "Background" : options.propagationPolicy();
        if (policy.equals("Foreground")) {
            return DeletePlan.finalizing(List.of(FOREGROUND_DELETION));
        }
        if (policy.equals("Orphan") && !options.dryRun()) {
            orphanDependents(ds);
        }
        // Background: the garbage collector removes the pods and revisions whose owner is gone.
        return DeletePlan.IMMEDIATE;
    }

    /** Removes this DaemonSet from its pods' and revisions' ownerReferences, so they outlive it untouched. */
    private void orphanDependents(StoredObject ds) {
        jdbc.update("""
                UPDATE objects SET owner_uid = NULL, resource_version = nextval('resource_version_seq'),
                    body = jsonb_set(body, '{metadata,ownerReferences}', COALESCE((
                        SELECT jsonb_agg(r) FROM jsonb_array_elements(body->'metadata'->'ownerReferences') r
                        WHERE r->>'uid' <> ?), '[]'::jsonb))
                WHERE owner_uid = ?""", ds.uid().toString(), ds.uid());
    }

    /** The template generation kept in the annotation; 1 when absent. */
    public static long templateGeneration(ObjectNode ds) {
        String value = Json.text(ds, "metadata", "annotations", DaemonSetLabels.TEMPLATE_GENERATION_ANNOTATION);
        try {
            return value == null ? 1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
