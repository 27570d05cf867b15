package dev.everynode.daemonset;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Field-error helpers the shared {@link Cause} does not provide, plus typed reads that report type mismatches. */
final class FieldChecks {

    private FieldChecks() {
    }

    /** {@code field.NotFound}: "Not found: <value>". */
    static Cause notFound(String field, Object value) {
        String base = Cause.duplicate(field, value).message().substring("Duplicate value: ".length());
        return new Cause("FieldValueNotFound", field, "Not found: " + base);
    }

    /**
     * An integer field, or null when absent. Requests never get here with a non-integer: typed decoding
     * (TypedFields) refuses it with Kubernetes' 400 first. For a tree validated directly, it is a field error.
     */
    static Long integer(JsonNode parent, String key, String path, List<Cause> causes) {
        JsonNode n = parent == null ? null : parent.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.longValue();
        }
        causes.add(Cause.invalid(path, Trees.rendered(n), "must be an integer"));
        return null;
    }

    /** Same as {@link #integer} for booleans. */
    static void bool(JsonNode parent, String key, String path, List<Cause> causes) {
        JsonNode n = parent == null ? null : parent.get(key);
        if (n != null && !n.isNull() && !n.isBoolean()) {
            causes.add(Cause.invalid(path, Trees.rendered(n), "must be a boolean"));
        }
    }

    /** Elements of an array child, or an empty list when absent or not an array. */
    static List<JsonNode> items(JsonNode parent, String key) {
        JsonNode n = parent == null ? null : parent.get(key);
        if (n == null || !n.isArray()) {
            return List.of();
        }
        var list = new java.util.ArrayList<JsonNode>(n.size());
        n.forEach(list::add);
        return list;
    }
}
