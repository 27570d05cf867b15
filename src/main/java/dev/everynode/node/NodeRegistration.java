package dev.everynode.node;

import dev.everynode.apimachinery.endpoint.ResourceService;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import java.time.Clock;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent (re-)registering its node: create it, or update what the host reports (labels, annotations, its own
 * taints, status) and keep what the cluster decided (cordon, taints added by people or by the server), and its
 * pods. Ready is the server's: a registration counts as a heartbeat, so it sets Ready=True whatever the body says
 * (kubelet, too, registers its node with its conditions filled in).
 */
@Component
public class NodeRegistration {

    /** The taint keys the server or kubectl manage; a re-registration never removes them. */
    private static final Set<String> MANAGED_TAINT_PREFIX = Set.of("node.kubernetes.io/");

    public record Result(StoredObject node, boolean created) {}

    private final ResourceService resources;
    private final ObjectStore store;
    private final NodeStrategy nodes;
    private final Clock clock;

    NodeRegistration(ResourceService resources, ObjectStore store, NodeStrategy nodes, Clock clock) {
        this.resources = resources;
        this.store = store;
        this.nodes = nodes;
        this.clock = clock;
    }

    /**
     * Creates the node, or updates it when it exists. Meant to run in the caller's transaction (with the
     * heartbeat row and the credential, one commit): a node created by a concurrent registration between the
     * existence check and the insert fails the transaction with 409 AlreadyExists, and the caller runs it again,
     * which then takes the update path.
     */
    public Result register(ObjectNode node) {
        String name = Json.text(node, "metadata", "name");
        if (name == null || name.isEmpty()) {
            throw ApiException.badRequest("metadata.name is required");
        }
        if (store.get("Node", "", name).isEmpty()) {
            ObjectNode fresh = node.deepCopy();
            ReadyCondition.restore(fresh, null);
            ReadyCondition.heard(fresh, clock.instant());
            return new Result(resources.create(nodes, null, fresh, false), true);
        }
        StoredObject updated = resources.write(nodes, null, name, false, current -> merge(current, node), false);
        // One status write (none when nothing changed): the reported status, with the server's Ready kept and
        // asserted (lastTransitionTime stays when the node was Ready already).
        updated = resources.write(nodes, null, name, false, current -> {
            if (node.has("status")) {
                ObjectNode ready = ReadyCondition.find(current);
                current.set("status", node.get("status").deepCopy());
                ReadyCondition.restore(current, ready);
            }
            ReadyCondition.heard(current, clock.instant());
            return current;
        }, true);
        return new Result(updated, false);
    }

    /** Conditions from a heartbeat body; Ready stays the server's (it follows heartbeats). */
    public void updateConditions(String name, ObjectNode body) {
        JsonNode conditions = body.path("conditions");
        if (!conditions.isArray()) {
            return;
        }
        resources.write(nodes, null, name, false, current -> {
            ObjectNode status = Json.child(current, "status");
            ArrayNode merged = Json.MAPPER.createArrayNode();
            for (JsonNode c : status.path("conditions")) {
                if (ReadyCondition.is(c)) {
                    merged.add(c);
                }
            }
            for (JsonNode c : conditions) {
                if (!ReadyCondition.is(c)) {
                    merged.add(c);
                }
            }
            status.set("conditions", merged);
            return current;
        }, true);
    }

    private static ObjectNode merge(ObjectNode current, ObjectNode reported) {
        ObjectNode meta = Json.child(current, "metadata");
        for (String map : new String[] {"labels", "annotations"}) {
            JsonNode given = reported.path("metadata").get(map);
            if (given != null && given.isObject()) {
                ObjectNode target = Json.child(meta, map);
                given.properties().forEach(e -> target.set(e.getKey(), e.getValue().deepCopy()));
            }
        }
        JsonNode taints = reported.path("spec").get("taints");
        if (taints != null && taints.isArray()) {
            ObjectNode spec = Json.child(current, "spec");
            ArrayNode next = Json.MAPPER.createArrayNode();
            for (JsonNode t : spec.path("taints")) {
                String key = t.path("key").asString("");
                if (MANAGED_TAINT_PREFIX.stream().anyMatch(key::startsWith)) {
                    next.add(t);
                }
            }
            for (JsonNode t : taints) {
                String key = t.path("key").asString("");
                if (MANAGED_TAINT_PREFIX.stream().noneMatch(key::startsWith)) {
                    next.add(t);
                }
            }
            spec.set("taints", next);
        }
        return current;
    }
}
