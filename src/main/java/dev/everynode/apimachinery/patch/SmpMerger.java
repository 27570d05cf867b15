package dev.everynode.apimachinery.patch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Map-level half of {@link StrategicMergePatch} (Go: mergeMap). It owns the original tree it is given and mutates
 * it; the patch is only read, and whatever is taken from it is copied.
 */
final class SmpMerger {

    static final String DIRECTIVE = "$patch";
    static final String RETAIN_KEYS = "$retainKeys";
    static final String SET_ORDER = "$setElementOrder/";
    static final String DELETE_PRIMITIVES = "$deleteFromPrimitiveList/";

    private final SmpLists lists;

    SmpMerger(PatchSchema schema) {
        this.lists = new SmpLists(this, schema);
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Merges {@code patch} into {@code original} (null means an absent map) and returns the result. */
    ObjectNode mergeMap(ObjectNode original, ObjectNode patch, String path) {
        ObjectNode result = original == null ? JsonNodeFactory.instance.objectNode() : original;
        JsonNode directive = patch.get(DIRECTIVE);
        if (directive != null) {
            String d = directive.isString() ? directive.stringValue() : directive.toString();
            ObjectNode withoutDirective = patch.deepCopy();
            withoutDirective.remove(DIRECTIVE);
            switch (d) {
                case "replace" -> {
                    return mergeMap(null, withoutDirective, path);
                }
                case "delete" -> {
                    return JsonNodeFactory.instance.objectNode();
                }
                case "merge" -> patch = withoutDirective;
                default -> throw new IllegalArgumentException("unknown patch type: " + d + " in map: " + patch);
            }
        }
        applyRetainKeys(result, patch);
        Set<String> handled = applySetElementOrder(result, patch, path);
        List<Map.Entry<String, JsonNode>> deletions = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String k = e.getKey();
            JsonNode pv = e.getValue();
            if (k.equals(RETAIN_KEYS) || k.startsWith(SET_ORDER) || handled.contains(k)) {
                continue;
            }
            if (k.startsWith(DELETE_PRIMITIVES)) {
                deletions.add(e);
                continue;
            }
            if (pv.isNull()) {
                result.remove(k);
                continue;
            }
            String childPath = child(path, k);
            JsonNode ov = result.get(k);
            if (ov == null || ov.isNull() || ov.getNodeType() != pv.getNodeType()) {
                if (isDeleteDirective(pv)) {
                    // Deleting something that is not there (or not a map) leaves it alone.
                    continue;
                }
                result.set(k, fresh(pv, childPath));
            } else if (pv.isObject()) {
                result.set(k, mergeMap((ObjectNode) ov, (ObjectNode) pv, childPath));
            } else if (pv.isArray()) {
                result.set(k, lists.merge((ArrayNode) ov, (ArrayNode) pv, childPath));
            } else {
                result.set(k, pv.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> e : deletions) {
            String field = e.getKey().substring(DELETE_PRIMITIVES.length());
            JsonNode ov = result.get(field);
            if (ov != null && ov.isArray() && e.getValue().isArray()) {
                result.set(field, SmpLists.without((ArrayNode) ov, (ArrayNode) e.getValue()));
            }
        }
        return result;
    }

    /** A patch value that has no counterpart in the original, cleaned of directives and nulls. */
    JsonNode fresh(JsonNode pv, String path) {
        if (pv.isObject()) {
            return mergeMap(null, (ObjectNode) pv, path);
        }
        if (pv.isArray()) {
            return lists.merge(JsonNodeFactory.instance.arrayNode(), (ArrayNode) pv, path);
        }
        return pv.deepCopy();
    }

    private static boolean isDeleteDirective(JsonNode pv) {
        return pv.isObject() && pv.path(DIRECTIVE).isString() && pv.path(DIRECTIVE).stringValue().equals("delete");
    }

    /** Go: applyRetainKeysDirective, run before merging so that the patch can re-add retained keys. */
    private static void applyRetainKeys(ObjectNode result, ObjectNode patch) {
        JsonNode retain = patch.get(RETAIN_KEYS);
        if (retain == null) {
            return;
        }
        if (!retain.isArray()) {
            throw new IllegalArgumentException("invalid patch format of retainKeys");
        }
        Set<String> keep = new HashSet<>();
        for (JsonNode k : retain) {
            keep.add(k.asString());
        }
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String k = e.getKey();
            if (e.getValue().isNull() || k.equals(RETAIN_KEYS) || k.startsWith(DELETE_PRIMITIVES)
                    || k.startsWith(SET_ORDER)) {
                continue;
            }
            if (!keep.contains(k)) {
                throw new IllegalArgumentException("invalid patch format of retainKeys");
            }
        }
        result.retain(keep);
    }

    /**
     * Go: mergePatchIntoOriginal. Merges every list that has a {@code $setElementOrder} directive and orders it;
     * returns the field names it consumed so that the main loop skips them.
     */
    private Set<String> applySetElementOrder(ObjectNode result, ObjectNode patch, String path) {
        Set<String> handled = new HashSet<>();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (!e.getKey().startsWith(SET_ORDER)) {
                continue;
            }
            String field = e.getKey().substring(SET_ORDER.length());
            if (!e.getValue().isArray()) {
                throw new IllegalArgumentException("invalid type for " + e.getKey() + ": expected a list");
            }
            JsonNode pl = patch.get(field);
            if (pl != null && !pl.isArray()) {
                if (pl.isNull()) {
                    continue;
                }
                throw new IllegalArgumentException("invalid type for " + field + ": expected a list");
            }
            JsonNode ol = result.get(field);
            ArrayNode original = ol != null && ol.isArray() ? (ArrayNode) ol : JsonNodeFactory.instance.arrayNode();
            if (original.isEmpty() && (pl == null || pl.isEmpty())) {
                continue;
            }
            String listPath = child(path, field);
            ArrayNode originalCopy = original.deepCopy();
            ArrayNode merged = pl == null ? original : lists.merge(original, (ArrayNode) pl, listPath);
            result.set(field, lists.order(merged, (ArrayNode) e.getValue(), originalCopy, listPath));
            handled.add(field);
        }
        return handled;
    }
}
