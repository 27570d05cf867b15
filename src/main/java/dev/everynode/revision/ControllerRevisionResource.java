package dev.everynode.revision;

import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.BaseResourceDefinition;
import dev.everynode.apimachinery.table.Cells;
import dev.everynode.apimachinery.table.TableColumn;
import java.time.Instant;
import java.util.List;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * apps/v1 ControllerRevision as the API serves it. Its data is a RawExtension without patch metadata, so only
 * ObjectMeta's lists merge (the default patch schema).
 */
@Component
@Order(6)
public final class ControllerRevisionResource extends BaseResourceDefinition {

    public static final ResourceType TYPE =
            new ResourceType("apps", "v1", "ControllerRevision", "controllerrevisions", true, false);

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.nameColumn(),
            TableColumn.string("Controller", "Controller of the object"),
            TableColumn.integer("Revision", "Revision indicates the revision of the state represented by Data."),
            TableColumn.ageColumn());

    /** {@code strategy} may be null where only printing is used (tests). */
    public ControllerRevisionResource(ControllerRevisionStrategy strategy) {
        super(TYPE, strategy, COLUMNS);
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Cells.controller(o), o.path("revision").asLong(0), Cells.age(o, now));
    }

    @Override
    public List<String> verbs() {
        return ALL_VERBS;
    }
}
