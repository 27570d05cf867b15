package dev.everynode.daemonset;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.patch.PatchSchema;
import dev.everynode.apimachinery.resource.BaseResourceDefinition;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.table.Cells;
import dev.everynode.apimachinery.table.TableColumn;
import dev.everynode.change.Change;
import dev.everynode.pod.PodResource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** apps/v1 DaemonSet as the API serves it: printDaemonSet's columns and the pod template's patch lists. */
@Component
@Order(5)
public final class DaemonSetResource extends BaseResourceDefinition {

    public static final ResourceType TYPE = new ResourceType("apps", "v1", "DaemonSet", "daemonsets", true, true);

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.nameColumn(),
            TableColumn.integer("Desired", "The total number of nodes that should be running the daemon pod "
                    + "(including nodes correctly running the daemon pod)."),
            TableColumn.integer("Current", "The number of nodes that are running at least 1 daemon pod and are "
                    + "supposed to run the daemon pod."),
            TableColumn.integer("Ready", "The number of nodes that should be running the daemon pod and have one "
                    + "or more of the daemon pod running with a Ready Condition."),
            TableColumn.integer("Up-to-date", "The total number of nodes that are running updated daemon pod"),
            TableColumn.integer("Available", "The number of nodes that should be running the daemon pod and have "
                    + "one or more of the daemon pod running and available (ready for at least "
                    + "spec.minReadySeconds)"),
            TableColumn.string("Node Selector", "NodeSelector is a selector which must be true for the pod to fit "
                    + "on a node."),
            TableColumn.ageColumn(),
            TableColumn.wide("Containers", "Names of each container in the template."),
            TableColumn.wide("Images", "Images referenced by each container in the template."),
            TableColumn.wide("Selector", "A label query over pods that are managed by the daemon set."));

    /** The pod template merges as a pod does; ControllerRevision data replays it, so it is the same schema. */
    public static final PatchSchema PATCH_SCHEMA = PatchSchema.object()
            .withAll("spec.template", PodResource.templatePatchSchema())
            .withMergeKey("status.conditions", "type");

    /** {@code strategy} may be null where only printing and patching are used (tests). */
    public DaemonSetResource(DaemonSetStrategy strategy) {
        super(TYPE, strategy, COLUMNS);
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode status = o.path("status");
        JsonNode podSpec = o.path("spec").path("template").path("spec");
        List<String> containers = new ArrayList<>();
        List<String> images = new ArrayList<>();
        for (JsonNode c : podSpec.path("containers")) {
            containers.add(c.path("name").asString(""));
            images.add(c.path("image").asString(""));
        }
        return List.of(Cells.name(o),
                status.path("desiredNumberScheduled").asLong(0),
                status.path("currentNumberScheduled").asLong(0),
                status.path("numberReady").asLong(0),
                status.path("updatedNumberScheduled").asLong(0),
                status.path("numberAvailable").asLong(0),
                Cells.formatLabels(Json.stringMap(podSpec.get("nodeSelector"))),
                Cells.age(o, now),
                String.join(",", containers),
                String.join(",", images),
                Cells.formatSelector(o.path("spec").get("selector")));
    }

    @Override
    public PatchSchema patchSchema() {
        return PATCH_SCHEMA;
    }

    @Override
    public Optional<Change.Written> written(StoredObject object, boolean deleted) {
        return Optional.of(new Change.DaemonSetWritten(object.namespace(), object.name(), deleted));
    }

    @Override
    public List<String> verbs() {
        return ALL_VERBS;
    }

    @Override
    public List<String> shortNames() {
        return List.of("ds");
    }

    @Override
    public List<String> categories() {
        return List.of("all");
    }
}
