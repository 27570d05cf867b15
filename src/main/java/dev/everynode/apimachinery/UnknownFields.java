package dev.everynode.apimachinery;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

    private static final ObjectNode SCHEMAS = load();
    private static final Map<String, String> ROOTS = Map.of(
            "DaemonSet", "io.k8s.api.apps.v1.DaemonSet",
            "ControllerRevision", "io.k8s.api.apps.v1.ControllerRevision",
            "Pod", "io.k8s.api.core.v1.Pod",
            "Node", "io.k8s.api.core.v1.Node",
            "Namespace", "io.k8s.api.core.v1.Namespace",
            "Event", "io.k8s.api.core.v1.Event");

    private UnknownFields() {}

    /** Paths of unknown fields ({@code spec.replicas}); with {@code prune} they are removed from the object. */
    static List<String> check(String kind, ObjectNode object, boolean prune) {
        List<String> found = new ArrayList<>();
        String root = ROOTS.get(kind);
        if (root != null) {
            walk(object, SCHEMAS.get(root), "", found, prune);
        }
        return found;
    }

    private static void walk(JsonNode value, JsonNode schema, String path, List<String> found, boolean prune) {
        schema = resolve(schema);
        if (schema == null || value == null || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
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

    private static JsonNode resolve(JsonNode schema) {
        for (int depth = 0; schema != null && depth < 8; depth++) {
            if (schema.has("$ref")) {
                String ref = schema.get("$ref").asString("");
                schema = SCHEMAS.get(ref.substring(ref.lastIndexOf('/') + 1));
            } else if (schema.has("allOf") && schema.get("allOf").size() == 1) {
                schema = schema.get("allOf").get(0);
            } else {
                return schema;
            }
        }
        return schema;
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static ObjectNode load() {
        try (InputStream in = UnknownFields.class.getResourceAsStream("/kubectl/schemas.json")) {
            if (in == null) {
                throw new IllegalStateException("kubectl/schemas.json is missing from the classpath");
            }
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
