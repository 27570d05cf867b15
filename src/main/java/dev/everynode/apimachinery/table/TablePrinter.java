package dev.everynode.apimachinery.table;

import dev.everynode.apimachinery.meta.ResourceType;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@link Tables} prints of one resource: its type, the Table's columnDefinitions and each row's cells. Every
 * resource definition is one, so the printing stands below the definitions and knows none of them.
 */
public interface TablePrinter {

    ResourceType type();

    /** The Table's columnDefinitions, in the apiserver's order. */
    default List<TableColumn> columns() {
        return List.of(TableColumn.nameColumn(), TableColumn.ageColumn());
    }

    /** One row's cells, matching {@link #columns()}. */
    default List<Object> cells(ObjectNode object, Instant now) {
        return List.of(Cells.name(object), Cells.age(object, now));
    }
}
