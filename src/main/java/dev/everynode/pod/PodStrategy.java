package dev.everynode.pod;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.DeleteOptions;
import dev.everynode.apimachinery.resource.ResourceStrategy;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.validation.MetaValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pods. The reconciler makes daemon pods; users may also create pods directly (they are orphans a DaemonSet
 * with a matching selector adopts). Deleting a pod that runs on a live node is two-phase, as with kubelet: it
 * gets a deletionTimestamp and goes when the node's agent confirms (DELETE with gracePeriodSeconds=0).
 */
@Component
public class PodStrategy implements ResourceStrategy {

    private static final Set<String> PHASES = Set.of("Pending", "Running", "Succeeded", "Failed", "Unknown");

    private final JdbcTemplate jdbc;
    private final java.time.Clock clock;

    PodStrategy(JdbcTemplate jdbc, java.time.Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public ResourceType type() {
        return PodResource.TYPE;
    }

    @Override
    public void prepareForCreate(ObjectNode pod) {
        Json.child(pod, "spec");
        Json.child(pod, "status").put("phase", "Pending");
    }

    @Override
    public List<Cause> validate(ObjectNode pod) {
        List<Cause> causes = new ArrayList<>(MetaValidation.validateObjectMeta(Json.child(pod, "metadata"), true,
                MetaValidation.NameRule.DNS1123_SUBDOMAIN));
        JsonNode containers = pod.path("spec").path("containers");
        if (!containers.isArray() || containers.isEmpty()) {
            causes.add(Cause.required("spec.containers", ""));
        } else {
            for (int i = 0; i < containers.size(); i++) {
                JsonNode c = containers.get(i);
                if (Json.text(c, "name") == null || Json.text(c, "name").isEmpty()) {
                    causes.add(Cause.required("spec.containers[" + i + "].name", ""));
                }
                if (Json.text(c, "image") == null || Json.text(c, "image").isEmpty()) {
                    causes.add(Cause.required("spec.containers[" + i + "].image", ""));
                }
            }
        }
        return causes;
    }

    @Override
    public List<Cause> validateUpdate(ObjectNode pod, ObjectNode old) {
        List<Cause> causes = new ArrayList<>(validate(pod));
        String oldNode = Json.text(old, "spec", "nodeName");
        if (oldNode != null && !oldNode.equals(Json.text(pod, "spec", "nodeName"))) {
            causes.add(Cause.invalid("spec.nodeName", Json.text(pod, "spec", "nodeName"), "field is immutable"));
        }
        return causes;
    }

    @Override
    public void prepareForStatusUpdate(ObjectNode pod, ObjectNode old) {
        PodConditions.stampReadyTransition(pod, old, clock.instant());
    }

    @Override
    public List<Cause> validateStatus(ObjectNode pod) {
        String phase = Json.text(pod, "status", "phase");
        if (phase != null && !PHASES.contains(phase)) {
            return List.of(Cause.notSupported("status.phase", phase, "Failed", "Pending", "Running", "Succeeded",
                    "Unknown"));
        }
        return List.of();
    }

    @Override
    public DeletePlan planDelete(StoredObject pod, DeleteOptions options) {
        String node = Json.text(pod.body(), "spec", "nodeName");
        String phase = Json.text(pod.body(), "status", "phase");
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        Long grace = options.gracePeriodSeconds();
        if ((grace != null && grace == 0) || node == null || terminal || !nodeExists(node)) {
            return DeletePlan.IMMEDIATE;
        }
        long seconds = Termination.gracePeriodSeconds(pod.body(), grace);
        return DeletePlan.graceful(Termination.deletionTimestamp(clock.instant(), seconds), seconds, List.of());
    }

    private boolean nodeExists(String node) {
        Boolean exists = jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM objects WHERE kind = 'Node' AND namespace = '' AND name = ?)",
                Boolean.class, node);
        return Boolean.TRUE.equals(exists);
    }
}
