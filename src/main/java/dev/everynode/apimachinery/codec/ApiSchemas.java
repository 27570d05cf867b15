package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI schemas of the served kinds ({@code kubectl/schemas.json}, the ones kubectl also validates against)
 * and the Go types of what they describe inline, shared by the two walks of Kubernetes' typed decoding:
 * {@link UnknownFields} and {@link TypedFields}.
 */
final class ApiSchemas {

    static final ObjectNode SCHEMAS = load("/kubectl/schemas.json");

    /**
     * Go types of the objects the schemas describe inline (no definition name to derive the type from), by
     * {@code <enclosing struct>.<field>}; for a list, the type of its elements ({@code kubectl/inline-types.json}).
     */
    static final Map<String, String> INLINE_TYPES = stringMap(load("/kubectl/inline-types.json"));

    private ApiSchemas() {}

    /** The schema of a served type ({@code io.k8s.api.<group or core>.<version>.<Kind>}), or null. */
    static JsonNode root(ResourceType type) {
        return SCHEMAS.get("io.k8s.api." + (type.group().isEmpty() ? "core" : type.group()) + "." + type.version()
                + "." + type.kind());
    }

    /** The definition name a schema refers to ({@code $ref} or a one-element {@code allOf}), or null. */
    static String refName(JsonNode schema) {
        for (int depth = 0; schema != null && depth < 8; depth++) {
            if (schema.has("$ref")) {
                String ref = schema.get("$ref").asString("");
                return ref.substring(ref.lastIndexOf('/') + 1);
            }
            if (schema.has("allOf") && schema.get("allOf").size() == 1) {
                schema = schema.get("allOf").get(0);
            } else {
                return null;
            }
        }
        return null;
    }

    /** The schema itself, with {@code $ref} and one-element {@code allOf} followed. */
    static JsonNode resolve(JsonNode schema) {
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

    static boolean preservesUnknownFields(JsonNode schema) {
        return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    }

    private static Map<String, String> stringMap(ObjectNode object) {
        Map<String, String> map = new HashMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asString()));
        return Map.copyOf(map);
    }

    private static ObjectNode load(String resource) {
        try (InputStream in = ApiSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource.substring(1) + " is missing from the classpath");
            }
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
