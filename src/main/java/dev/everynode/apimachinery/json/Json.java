package dev.everynode.apimachinery.json;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** The JSON and YAML mappers used for API objects, and small tree helpers. */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder().build();
    /** Block style; a string is quoted where a reader would take it for a number, boolean, null or timestamp. */
    public static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .stringQuotingChecker(YamlQuoting.INSTANCE)
                    .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
                    .enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
                    .build())
            .build();

    private static final java.util.List<String> TOP_ORDER = java.util.List.of("apiVersion", "kind", "metadata", "spec",
            "status");
    private static final java.util.List<String> META_ORDER = java.util.List.of("name", "generateName", "namespace",
            "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
            "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers");

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ObjectNode parseObject(String json) {
        JsonNode node = MAPPER.readTree(json);
        if (!(node instanceof ObjectNode o)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return o;
    }

    public static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    /** The object at {@code field}, created when absent or not an object. */
    public static ObjectNode child(ObjectNode parent, String field) {
        JsonNode existing = parent.get(field);
        if (existing instanceof ObjectNode o) {
            return o;
        }
        ObjectNode created = parent.putObject(field);
        return created;
    }

    /** The text at a path of fields, or null when any step is missing or not text. */
    public static String text(JsonNode node, String... path) {
        JsonNode at = node;
        for (String p : path) {
            if (at == null) {
                return null;
            }
            at = at.get(p);
        }
        return at != null && at.isString() ? at.stringValue() : null;
    }

    /** A string map (labels, annotations, nodeSelector) as a Java map; empty when absent. */
    public static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                map.put(e.getKey(), e.getValue().isString() ? e.getValue().stringValue() : e.getValue().toString());
            }
        }
        return map;
    }

    /**
     * Puts an object's keys in the order Kubernetes prints them (apiVersion, kind, metadata, spec, status; name,
     * namespace, uid... in metadata). jsonb keeps keys in its own order, which reads oddly in YAML and curl output.
     */
    public static ObjectNode kubernetesOrder(ObjectNode object) {
        JsonNode meta = object.get("metadata");
        if (meta instanceof ObjectNode m) {
            object.set("metadata", reorder(m, META_ORDER));
        }
        return reorder(object, TOP_ORDER);
    }

    private static ObjectNode reorder(ObjectNode node, java.util.List<String> first) {
        ObjectNode out = MAPPER.createObjectNode();
        for (String key : first) {
            if (node.has(key)) {
                out.set(key, node.get(key));
            }
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** RFC 3339 in UTC with second precision, as Kubernetes writes timestamps. */
    public static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    public static Instant parseTime(String text) {
        return text == null ? null : java.time.OffsetDateTime.parse(text).toInstant();
    }
}
