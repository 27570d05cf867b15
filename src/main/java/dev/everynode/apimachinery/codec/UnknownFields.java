package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.meta.ResourceType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Finds and drops fields the API schema does not know (the schemas kubectl also validates against), as
 * Kubernetes' typed decoding does: {@code fieldValidation=Strict} refuses them, Warn reports them, Ignore drops
 * them silently. Parts of the schema marked x-kubernetes-preserve-unknown-fields are free-form.
 */
final class UnknownFields {

    private UnknownFields() {}

    /** Paths of unknown fields ({@code spec.replicas}); with {@code prune} they are removed from the object. */
    static List<String> check(ResourceType type, ObjectNode object, boolean prune) {
        List<String> found = new ArrayList<>();
        JsonNode root = ApiSchemas.root(type);
        if (root != null) {
            walk(object, root, "", found, prune);
        }
        return found;
    }

    private static void walk(JsonNode value, JsonNode schema, String path, List<String> found, boolean prune) {
        schema = ApiSchemas.resolve(schema);
        if (schema == null || value == null || ApiSchemas.preservesUnknownFields(schema)) {
            return;
        }
        if (value.isArray()) {
            JsonNode items = schema.get("items");
            int i = 0;
            for (JsonNode item : value) {
                walk(item, items, path + "[" + i++ + "]", found, prune);
            }
            return;
        }
        if (!(value instanceof ObjectNode object)) {
            return;
        }
        JsonNode properties = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        if (properties == null || !properties.isObject()) {
            if (additional != null && additional.isObject()) {
                for (Map.Entry<String, JsonNode> e : object.properties()) {
                    walk(e.getValue(), additional, join(path, e.getKey()), found, prune);
                }
            }
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            JsonNode fieldSchema = properties.get(e.getKey());
            if (fieldSchema == null) {
                found.add(join(path, e.getKey()));
                if (prune) {
                    fields.remove();
                }
                continue;
            }
            walk(e.getValue(), fieldSchema, join(path, e.getKey()), found, prune);
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
