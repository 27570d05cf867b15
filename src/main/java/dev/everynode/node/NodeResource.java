package dev.everynode.node;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.patch.PatchSchema;
import dev.everynode.apimachinery.resource.BaseResourceDefinition;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.table.Cells;
import dev.everynode.apimachinery.table.TableColumn;
import dev.everynode.change.Change;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** core/v1 Node as the API serves it: printNode's columns; spec.taints is atomic, as in k8s.io/api. */
@Component
@Order(2)
public final class NodeResource extends BaseResourceDefinition {

    public static final ResourceType TYPE = new ResourceType("", "v1", "Node", "nodes", false, true);

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.nameColumn(),
            TableColumn.string("Status", "The status of the node"),
            TableColumn.string("Roles", "The roles of the node"),
            TableColumn.ageColumn(),
            TableColumn.string("Version", "Kubelet Version reported by the node."),
            TableColumn.wide("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, "
                    + "if available."),
            TableColumn.wide("External-IP", "List of addresses reachable to the node. Queried from cloud provider, "
                    + "if available."),
            TableColumn.wide("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian "
                    + "GNU/Linux 7 (wheezy))."),
            TableColumn.wide("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. "
                    + "3.16.0-0.bpo.4-amd64)."),
            TableColumn.wide("Container-Runtime", "ContainerRuntime Version reported by the node through runtime "
                    + "remote API (e.g. containerd://1.4.2)."));

    public static final PatchSchema PATCH_SCHEMA = PatchSchema.object().withPrimitiveMerge("spec.podCIDRs")
            .withMergeKey("status.conditions", "type")
            .withMergeKey("status.addresses", "type");

    /** {@code strategy} may be null where only printing and patching are used (tests). */
    public NodeResource(NodeStrategy strategy) {
        super(TYPE, strategy, COLUMNS);
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode status = o.path("status");
        List<String> states = new ArrayList<>();
        // Only the Ready condition counts, as in the apiserver's NodeAllConditions.
        JsonNode ready = ReadyCondition.find(o);
        states.add(ready == null ? "Unknown" : ReadyCondition.isTrue(o) ? "Ready" : "NotReady");
        if (o.path("spec").path("unschedulable").asBoolean(false)) {
            states.add("SchedulingDisabled");
        }
        JsonNode info = status.path("nodeInfo");
        return List.of(Cells.name(o), String.join(",", states), roles(Json.stringMap(o.path("metadata").get("labels"))),
                Cells.age(o, now), info.path("kubeletVersion").asString(""),
                address(status, "InternalIP"), address(status, "ExternalIP"),
                Cells.orUnknown(info.path("osImage").asString("")),
                Cells.orUnknown(info.path("kernelVersion").asString("")),
                Cells.orUnknown(info.path("containerRuntimeVersion").asString("")));
    }

    @Override
    public PatchSchema patchSchema() {
        return PATCH_SCHEMA;
    }

    @Override
    public Set<String> fieldSelectors() {
        return Set.of("spec.unschedulable");
    }

    @Override
    public Optional<Change.Written> written(StoredObject object, boolean deleted) {
        return Optional.of(new Change.NodeWritten(object.name(), deleted));
    }

    @Override
    public List<String> verbs() {
        return ALL_VERBS;
    }

    @Override
    public List<String> shortNames() {
        return List.of("no");
    }

    /** {@code node-role.kubernetes.io/<role>} labels and the older {@code kubernetes.io/role=<role>}, sorted. */
    static String roles(Map<String, String> labels) {
        TreeSet<String> roles = new TreeSet<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                String role = e.getKey().substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (e.getKey().equals("kubernetes.io/role") && !e.getValue().isEmpty()) {
                roles.add(e.getValue());
            }
        }
        return roles.isEmpty() ? Cells.NONE : String.join(",", roles);
    }

    private static String address(JsonNode status, String type) {
        for (JsonNode a : status.path("addresses")) {
            if (type.equals(a.path("type").asString(""))) {
                return a.path("address").asString("");
            }
        }
        return Cells.NONE;
    }
}
