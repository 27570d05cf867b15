package dev.everynode.apimachinery.json;

import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Small tree accessors shared by the validators; absent and JSON null are treated alike, as Go's zero values are. */
public final class Trees {

    private Trees() {
    }

    /** The child object, or null when absent, null or not an object. */
    public static ObjectNode obj(JsonNode parent, String key) {
        JsonNode n = parent == null ? null : parent.get(key);
        return n instanceof ObjectNode o ? o : null;
    }

    /** The string child, or "" when absent/null (Go's zero value); non-strings render as their JSON text. */
    public static String str(JsonNode parent, String key) {
        JsonNode n = parent == null ? null : parent.get(key);
        if (n == null || n.isNull()) {
            return "";
        }
        return n.isString() ? n.stringValue() : n.toString();
    }

    /** True when the key carries a non-null value. */
    public static boolean present(JsonNode parent, String key) {
        JsonNode n = parent == null ? null : parent.get(key);
        return n != null && !n.isNull();
    }

    /** Number of elements of an array child (0 when absent or not an array). */
    public static int size(JsonNode parent, String key) {
        JsonNode n = parent == null ? null : parent.get(key);
        return n != null && (n.isArray() || n.isObject()) ? n.size() : 0;
    }

    /** JSON text that {@code Cause} prints bare (its render uses toString for non-strings). */
    public record Raw(String json) {
        @Override
        public String toString() {
            return json;
        }
    }

    /**
     * A value as Kubernetes field errors print it: strings quoted, everything else as JSON. Struct-shaped values keep
     * document order (Go marshals struct fields in declaration order, which manifests normally follow).
     */
    public static Object rendered(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isString() ? node.stringValue() : new Raw(node.toString());
    }

    /** A map-shaped value (labels, matchLabels): Go's json.Marshal sorts map keys. */
    public static Object renderedMap(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return new Raw(sortedCopy(node).toString());
    }

    /** Like {@link #renderedMap} for a string-to-string map. */
    public static Object rendered(Map<String, String> map) {
        if (map == null) {
            return null;
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(map).forEach(o::put);
        return new Raw(o.toString());
    }

    /** A deep copy with object keys sorted, as Go marshals maps. */
    public static JsonNode sortedCopy(JsonNode node) {
        if (node.isObject()) {
            var keys = new TreeMap<String, JsonNode>();
            for (var e : node.properties()) {
                keys.put(e.getKey(), sortedCopy(e.getValue()));
            }
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            keys.forEach(o::set);
            return o;
        }
        if (node.isArray()) {
            var a = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> a.add(sortedCopy(e)));
            return a;
        }
        return node;
    }

    /** String entries of a JSON object (non-string values rendered as JSON text), in document order. */
    public static Map<String, String> stringMap(JsonNode node) {
        var map = new java.util.LinkedHashMap<String, String>();
        if (node != null && node.isObject()) {
            for (var e : node.properties()) {
                JsonNode v = e.getValue();
                map.put(e.getKey(), v == null || v.isNull() ? "" : v.isString() ? v.stringValue() : v.toString());
            }
        }
        return map;
    }
}
