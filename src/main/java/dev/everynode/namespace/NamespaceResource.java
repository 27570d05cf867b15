package dev.everynode.namespace;

import dev.everynode.apimachinery.codec.Protobuf;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.patch.PatchSchema;
import dev.everynode.apimachinery.resource.BaseResourceDefinition;
import dev.everynode.apimachinery.table.Cells;
import dev.everynode.apimachinery.table.TableColumn;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * core/v1 Namespace as the API serves it. Served without deletecollection and without a /status endpoint, so
 * discovery names neither (kubectl trusts discovery).
 */
@Component
@Order(1)
public final class NamespaceResource extends BaseResourceDefinition {

    public static final ResourceType TYPE = new ResourceType("", "v1", "Namespace", "namespaces", false, true);

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.nameColumn(),
            TableColumn.string("Status", "The status of the namespace"),
            TableColumn.ageColumn());
    private static final PatchSchema PATCH_SCHEMA = PatchSchema.object().withMergeKey("status.conditions", "type");

    /** {@code strategy} may be null where only printing and patching are used (tests). */
    public NamespaceResource(NamespaceStrategy strategy) {
        super(TYPE, strategy, COLUMNS);
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Cells.orEmpty(Json.text(o, "status", "phase")), Cells.age(o, now));
    }

    @Override
    public PatchSchema patchSchema() {
        return PATCH_SCHEMA;
    }

    @Override
    public Set<String> fieldSelectors() {
        return Set.of("status.phase");
    }

    @Override
    public boolean holdsNamespaces() {
        return true;
    }

    @Override
    public boolean acceptsProtobuf() {
        return true;
    }

    @Override
    public ObjectNode decodeProtobuf(Protobuf.Reader message) {
        return NamespaceProtobuf.decode(message);
    }

    @Override
    public List<String> verbs() {
        return List.of("create", "delete", "get", "list", "patch", "update", "watch");
    }

    @Override
    public List<String> shortNames() {
        return List.of("ns");
    }

    @Override
    public boolean statusSubresource() {
        return false;
    }
}
