package dev.everynode.pod;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.patch.PatchSchema;
import dev.everynode.apimachinery.resource.BaseResourceDefinition;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.table.Cells;
import dev.everynode.apimachinery.table.TableColumn;
import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** core/v1 Pod as the API serves it: printPod's columns, PodSpec's patch lists, the node and revision it is indexed by. */
@Component
@Order(3)
public final class PodResource extends BaseResourceDefinition {

    /**
     * The label whose value fills a pod's indexed revision_hash column (the unique index: one live pod per
     * DaemonSet, node and revision). Defined here because the row is the pod's; DaemonSetLabels names the same key.
     */
    public static final String REVISION_HASH_LABEL = "controller-revision-hash";

    public static final ResourceType TYPE = new ResourceType("", "v1", "Pod", "pods", true, true);

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.nameColumn(),
            TableColumn.string("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn.string("Status", "The aggregate status of the containers in this pod."),
            TableColumn.string("Restarts", "The number of times the containers in this pod have been restarted and "
                    + "when the last container in this pod has restarted."),
            TableColumn.ageColumn(),
            TableColumn.wide("IP", "IP address allocated to the pod. Routable at least within the cluster."),
            TableColumn.wide("Node", "NodeName is a request to schedule this pod onto a specific node."),
            TableColumn.wide("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on "
                    + "the node."),
            TableColumn.wide("Readiness Gates", "If specified, all readiness gates will be evaluated for pod "
                    + "readiness."));

    private static final PatchSchema PATCH_SCHEMA = PatchSchema.object().withAll("spec", specPatchSchema())
            .withMergeKey("status.conditions", "type")
            .withMergeKey("status.podIPs", "ip")
            .withMergeKey("status.hostIPs", "ip");

    /** {@code strategy} may be null where only printing, patching and indexing are used (tests, benchmarks). */
    public PodResource(PodStrategy strategy) {
        super(TYPE, strategy, COLUMNS);
    }

    @Override
    public List<Object> cells(ObjectNode object, Instant now) {
        return PodCells.of(object, Cells.name(object), Cells.age(object, now), now);
    }

    @Override
    public PatchSchema patchSchema() {
        return PATCH_SCHEMA;
    }

    @Override
    public Set<String> fieldSelectors() {
        return Set.of("spec.nodeName", "status.phase");
    }

    @Override
    public IndexColumns indexColumns(ObjectNode object) {
        JsonNode hash = object.path("metadata").path("labels").get(REVISION_HASH_LABEL);
        return new IndexColumns(Json.text(object, "spec", "nodeName"),
                hash != null && hash.isString() ? hash.stringValue() : null);
    }

    @Override
    public Optional<Change.Written> written(StoredObject object, boolean deleted) {
        return Optional.of(new Change.PodsWritten(object.namespace(), PodOwner.of(object.body())));
    }

    @Override
    public List<String> verbs() {
        return ALL_VERBS;
    }

    @Override
    public List<String> shortNames() {
        return List.of("po");
    }

    @Override
    public List<String> categories() {
        return List.of("all");
    }

    /**
     * core/v1 PodTemplateSpec: its own ObjectMeta plus a PodSpec (a DaemonSet's {@code spec.template}). Lists
     * marked atomic in k8s.io/api (tolerations, envFrom, args, command, ...) are deliberately absent.
     */
    public static PatchSchema templatePatchSchema() {
        return PatchSchema.empty().withAll("metadata", PatchSchema.objectMeta()).withAll("spec", specPatchSchema());
    }

    private static PatchSchema specPatchSchema() {
        PatchSchema s = PatchSchema.empty()
                .withMergeKey("containers", "name")
                .withMergeKey("initContainers", "name")
                .withMergeKey("ephemeralContainers", "name")
                .withMergeKey("volumes", "name")
                .withMergeKey("imagePullSecrets", "name")
                .withMergeKey("hostAliases", "ip")
                .withMergeKey("topologySpreadConstraints", "topologyKey")
                .withMergeKey("schedulingGates", "name")
                .withMergeKey("resourceClaims", "name");
        return s.withAll("containers[]", containerPatchSchema())
                .withAll("initContainers[]", containerPatchSchema())
                .withAll("ephemeralContainers[]", containerPatchSchema());
    }

    /** Lists inside one core/v1 Container (also used for init and ephemeral containers). */
    private static PatchSchema containerPatchSchema() {
        return PatchSchema.empty()
                .withMergeKey("ports", "containerPort")
                .withMergeKey("env", "name")
                .withMergeKey("volumeMounts", "mountPath")
                .withMergeKey("volumeDevices", "devicePath");
    }
}
