package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The type half of Kubernetes' typed decoding: the API server unmarshals a body into its Go struct, so a value of
 * the wrong JSON type (a number as a label value, a string where a list of containers belongs, a word where an
 * integer belongs) fails the request with 400 BadRequest before any validation, with Go's
 * {@code json.UnmarshalTypeError} message, e.g. {@code json: cannot unmarshal number into Go struct field
 * ObjectMeta.metadata.labels of type string}. The types come from the same OpenAPI schemas kubectl validates
 * against; parts the schemas leave free-form (x-kubernetes-preserve-unknown-fields without properties, such as
 * volumes or probes) are not type-checked here. As Go does, null is accepted anywhere; a null value in a string
 * map (labels, annotations, nodeSelector) becomes the empty string.
 */
public final class TypedFields {

    /** The first value of the wrong type: its field path (Kubernetes style) and Go's decoding message. */
    public record Mismatch(String field, String message) {}

    private TypedFields() {}

    /**
     * Decodes an object of a served kind as Kubernetes would: 400 BadRequest {@code <Kind> in version "<v>" cannot
     * be handled as a <Kind>: json: cannot unmarshal ...} at the first value of the wrong type.
     */
    public static void check(ResourceType type, ObjectNode object) {
        JsonNode schema = ApiSchemas.root(type);
        Mismatch m = schema == null ? null : find(type.kind(), schema, object);
        if (m != null) {
            throw decodeError(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                    + type.kind() + ": ", m);
        }
    }

    /** The same for a request body that is not a Kubernetes object, typed by {@code schema} (struct {@code struct}). */
    public static void check(String struct, JsonNode schema, ObjectNode body) {
        Mismatch m = find(struct, schema, body);
        if (m != null) {
            throw decodeError("", m);
        }
    }

    /**
     * For a patch: Kubernetes decodes the patched object and refuses a type error with 422 Invalid on the field
     * {@code patch} (the patch as its value). Returns the patched object when it decodes.
     */
    public static ObjectNode patched(ResourceType type, String name, JsonNode patch, ObjectNode patched) {
        JsonNode schema = ApiSchemas.root(type);
        Mismatch m = schema == null ? null : find(type.kind(), schema, patched);
        if (m != null) {
            throw ApiException.invalid(type, name, List.of(Cause.invalid("patch", Json.write(patch), m.message())));
        }
        return patched;
    }

    /** The first value of {@code value} (an instance of Go struct {@code struct}) whose JSON type is wrong, or null. */
    public static Mismatch find(String struct, JsonNode schema, ObjectNode value) {
        return struct(value, ApiSchemas.resolve(schema), struct, "", "");
    }

    private static ApiException decodeError(String prefix, Mismatch m) {
        return new ApiException(400, "BadRequest", prefix + m.message(), null, null, null,
                List.of(new Cause("FieldValueTypeInvalid", m.field(), m.message())));
    }

    /** The fields of a struct ({@code schema} resolved, with properties). */
    private static Mismatch struct(ObjectNode value, JsonNode schema, String struct, String goPath, String path) {
        JsonNode properties = schema.get("properties");
        if (properties == null || !properties.isObject()) {
            return null;
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            JsonNode fieldSchema = properties.get(e.getKey());
            if (fieldSchema != null) {
                Mismatch m = field(e.getValue(), fieldSchema, struct, e.getKey(), join(goPath, e.getKey()),
                        join(path, e.getKey()), goType(struct, e.getKey(), fieldSchema));
                if (m != null) {
                    return m;
                }
            }
        }
        return null;
    }

    /**
     * One value of Go type {@code goType} (null: not known, not checked) in struct {@code struct}; {@code goPath}
     * is Go's field stack (no indices, no map keys), {@code path} the Kubernetes field path.
     */
    private static Mismatch field(JsonNode value, JsonNode fieldSchema, String struct, String field, String goPath,
                                  String path, String goType) {
        JsonNode schema = ApiSchemas.resolve(fieldSchema);
        if (value == null || value.isNull() || schema == null || goType == null) {
            return null;
        }
        String refused = refusedKind(value, schema);
        if (refused != null) {
            return new Mismatch(path, "json: cannot unmarshal " + refused + " into Go struct field " + struct + "."
                    + goPath + " of type " + goType);
        }
        if (value.isArray()) {
            JsonNode items = schema.get("items");
            String elementType = goType.substring(2);
            int i = 0;
            for (JsonNode item : value) {
                Mismatch m = field(item, items, struct, field, goPath, path + "[" + i++ + "]", elementType);
                if (m != null) {
                    return m;
                }
            }
            return null;
        }
        if (value instanceof ObjectNode object) {
            JsonNode additional = schema.get("additionalProperties");
            if (additional != null && additional.isObject()) {
                String elementType = goType.substring("map[string]".length());
                for (Map.Entry<String, JsonNode> e : object.properties()) {
                    if (e.getValue().isNull() && "string".equals(elementType)) {
                        object.put(e.getKey(), "");
                    }
                    // Go's message names the field, not the map key or list index.
                    Mismatch m = field(e.getValue(), additional, struct, field, goPath,
                            path + "[" + e.getKey() + "]", elementType);
                    if (m != null) {
                        return m;
                    }
                }
                return null;
            }
            return struct(object, schema, structName(goType), goPath, path);
        }
        return null;
    }

    /** Go's name for the JSON value a field of this schema cannot take ("number", "string", ...), or null. */
    private static String refusedKind(JsonNode value, JsonNode schema) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            return value.isString() ? null : integer(value, true);
        }
        return switch (schema.path("type").asString("")) {
            case "string" -> value.isString() ? null : kind(value);
            case "integer" -> integer(value, "int32".equals(schema.path("format").asString("")));
            case "number" -> value.isNumber() ? null : kind(value);
            case "boolean" -> value.isBoolean() ? null : kind(value);
            case "array" -> value.isArray() ? null : kind(value);
            case "object" -> value.isObject() ? null : kind(value);
            default -> null;
        };
    }

    /** For an integer field: null when it fits, "number 1.5" for a number that does not (as Go says), else the kind. */
    private static String integer(JsonNode value, boolean int32) {
        if (!value.isNumber()) {
            return kind(value);
        }
        boolean fits = value.isIntegralNumber() && (int32 ? value.canConvertToInt() : value.canConvertToLong());
        return fits ? null : "number " + value;
    }

    private static String kind(JsonNode value) {
        if (value.isString()) {
            return "string";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "bool";
        }
        return value.isArray() ? "array" : "object";
    }

    /** The Go type of field {@code field} of struct {@code struct}, or null when the schemas do not say. */
    private static String goType(String struct, String field, JsonNode fieldSchema) {
        String ref = ApiSchemas.refName(fieldSchema);
        JsonNode schema = ApiSchemas.resolve(fieldSchema);
        if (schema == null) {
            return null;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            // IntOrString decodes a non-string into its int32.
            return "int32";
        }
        switch (schema.path("type").asString("")) {
            case "string":
                // Also metav1.Time, which decodes a string.
                return "string";
            case "integer":
                return "int32".equals(schema.path("format").asString("")) ? "int32" : "int64";
            case "number":
                return "float64";
            case "boolean":
                return "bool";
            case "array": {
                String element = goType(struct, field, schema.path("items"));
                return element == null ? null : "[]" + element;
            }
            case "object": {
                JsonNode additional = schema.get("additionalProperties");
                if (additional != null && additional.isObject()) {
                    String element = goType(struct, field, additional);
                    return element == null ? null : "map[string]" + element;
                }
                return ref != null ? typeName(ref) : ApiSchemas.INLINE_TYPES.get(struct + "." + field);
            }
            default:
                return null;
        }
    }

    /** {@code io.k8s.api.core.v1.Container} → {@code v1.Container}, as Go prints a type of package v1. */
    private static String typeName(String definition) {
        int last = definition.lastIndexOf('.');
        int before = definition.lastIndexOf('.', last - 1);
        return definition.substring(before + 1);
    }

    /** {@code v1.Container} → {@code Container}. */
    private static String structName(String goType) {
        return goType.substring(goType.lastIndexOf('.') + 1);
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
