package dev.everynode.apimachinery.table;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side printing: the {@code meta.k8s.io/v1 Table} that {@code kubectl get} asks for. kubectl prints the
 * cells as they come, so each resource's definition supplies columns and cells that mirror the apiserver's printers.
 */
public final class Tables {

    /** What each row carries besides its cells, from the {@code includeObject} query parameter. */
    public enum RowObject { NONE, METADATA, OBJECT }

    private Tables() {}

    /** True when the Accept header asks for a Table ({@code as=Table;g=meta.k8s.io}, v1 or v1beta1). */
    public static boolean wantsTable(String acceptHeader) {
        if (acceptHeader == null || acceptHeader.isBlank()) {
            return false;
        }
        List<MediaType> types;
        try {
            types = MediaType.parseMediaTypes(acceptHeader);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (MediaType m : types) {
            if ("Table".equals(m.getParameter("as")) && "meta.k8s.io".equals(m.getParameter("g"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether rows carry an object. kubectl sends no {@code includeObject} for plain gets, and then needs the
     * metadata (namespace for {@code -A}, labels for {@code --show-labels} and {@code -L}), so only "None" says no.
     */
    public static boolean includeObject(String includeObjectParam) {
        return rowObject(includeObjectParam) != RowObject.NONE;
    }

    /** The parameter as Kubernetes reads it: None, Metadata (the default) or Object; 400 for anything else. */
    public static RowObject rowObject(String includeObjectParam) {
        if (includeObjectParam == null || includeObjectParam.isEmpty() || includeObjectParam.equals("Metadata")) {
            return RowObject.METADATA;
        }
        return switch (includeObjectParam) {
            case "None" -> RowObject.NONE;
            case "Object" -> RowObject.OBJECT;
            default -> throw ApiException.badRequest("Unsupported value: \"" + includeObjectParam
                    + "\": supported values: \"Metadata\", \"None\", \"Object\"");
        };
    }

    /** A Table of {@code objects}; rows carry PartialObjectMetadata when {@code includeObject}. */
    public static ObjectNode table(TablePrinter definition, List<ObjectNode> objects, String resourceVersion,
                                   Instant now, boolean includeObject) {
        return table(definition, objects, resourceVersion, now, includeObject ? RowObject.METADATA : RowObject.NONE);
    }

    /**
     * A Table whose rows carry nothing, PartialObjectMetadata, or the whole object ({@code includeObject=Object},
     * which kubectl sends with {@code --sort-by} so it can sort on any field).
     */
    public static ObjectNode table(TablePrinter definition, List<ObjectNode> objects, String resourceVersion,
                                   Instant now, RowObject rowObject) {
        ResourceType type = definition.type();
        ObjectNode table = Json.object();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        if (resourceVersion != null) {
            metadata.put("resourceVersion", resourceVersion);
        }
        ArrayNode columns = table.putArray("columnDefinitions");
        for (TableColumn c : definition.columns()) {
            ObjectNode def = columns.addObject();
            def.put("name", c.name());
            def.put("type", c.type());
            def.put("format", c.format());
            def.put("description", c.description());
            def.put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            definition.cells(object, now).forEach(cell -> addCell(cells, cell));
            switch (rowObject) {
                case METADATA -> row.set("object", partialMetadata(object));
                case OBJECT -> row.set("object", withTypeMeta(type, object));
                case NONE -> { }
            }
        }
        return table;
    }

    private static void addCell(ArrayNode cells, Object cell) {
        if (cell instanceof Long l) {
            cells.add(l);
        } else if (cell instanceof Integer i) {
            cells.add(i);
        } else {
            cells.add(String.valueOf(cell));
        }
    }

    private static ObjectNode partialMetadata(ObjectNode object) {
        ObjectNode partial = Json.object();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        JsonNode metadata = object.get("metadata");
        partial.set("metadata", metadata instanceof ObjectNode m ? m.deepCopy() : Json.object());
        return partial;
    }

    /** List items may lack kind and apiVersion; an embedded object must have them for kubectl to decode it. */
    private static ObjectNode withTypeMeta(ResourceType type, ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        if (!copy.hasNonNull("kind") || !copy.hasNonNull("apiVersion")) {
            ObjectNode typed = Json.object();
            typed.put("kind", type.kind());
            typed.put("apiVersion", type.apiVersion());
            for (Map.Entry<String, JsonNode> e : copy.properties()) {
                if (!e.getKey().equals("kind") && !e.getKey().equals("apiVersion")) {
                    typed.set(e.getKey(), e.getValue());
                }
            }
            return typed;
        }
        return copy;
    }
}
