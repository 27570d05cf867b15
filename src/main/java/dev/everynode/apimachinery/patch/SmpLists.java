package dev.everynode.apimachinery.patch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * List-level half of {@link StrategicMergePatch} (Go: mergeSlice, mergeSliceWithSpecialElements,
 * normalizeElementOrder, mergeSortedSlice).
 */
final class SmpLists {

    private final SmpMerger maps;
    private final PatchSchema schema;

    SmpLists(SmpMerger maps, PatchSchema schema) {
        this.maps = maps;
        this.schema = schema;
    }

    /** Merges the patch list into the original list (owned, may be reused) according to the schema. */
    ArrayNode merge(ArrayNode original, ArrayNode patch, String path) {
        PatchSchema.ListMerge meta = schema.listAt(path);
        String elementPath = path + "[]";
        if (meta == null) {
            return cleaned(patch, elementPath);
        }
        boolean objects = elementsAreObjects(original, patch, path);
        if (!objects) {
            List<JsonNode> merged = new ArrayList<>();
            for (JsonNode v : concat(original, patch)) {
                if (!merged.contains(v)) {
                    merged.add(v.deepCopy());
                }
            }
            return normalizeOrder(merged, toList(patch), toList(original), null);
        }
        String key = meta.mergeKey();
        if (key == null) {
            throw new IllegalArgumentException("cannot merge lists without merge key for " + path);
        }
        List<JsonNode> current = toList(original);
        List<JsonNode> plain = new ArrayList<>();
        boolean replace = false;
        for (JsonNode el : patch) {
            JsonNode directive = el.get(SmpMerger.DIRECTIVE);
            if (directive == null) {
                plain.add(el);
                continue;
            }
            String d = directive.asString();
            switch (d) {
                case "delete" -> {
                    JsonNode value = requireKey(el, key);
                    current.removeIf(o -> value.equals(o.get(key)));
                }
                case "replace" -> replace = true;
                // Go rejects this; an explicit "merge" is what happens anyway, so the element is merged normally.
                case "merge" -> plain.add(el);
                default -> throw new IllegalArgumentException("unknown patch type: " + d + " in map: " + el);
            }
        }
        if (replace) {
            List<JsonNode> replaced = new ArrayList<>();
            for (JsonNode el : plain) {
                replaced.add(maps.mergeMap(null, (ObjectNode) el, elementPath));
            }
            return toArray(replaced);
        }
        List<JsonNode> serverOrder = new ArrayList<>(current);
        for (JsonNode el : plain) {
            requireKey(el, key);
            int idx = indexOf(current, el, key);
            if (idx >= 0 && current.get(idx).isObject()) {
                current.set(idx, maps.mergeMap((ObjectNode) current.get(idx), (ObjectNode) el, elementPath));
            } else if (idx >= 0) {
                current.set(idx, maps.mergeMap(null, (ObjectNode) el, elementPath));
            } else {
                current.add(maps.mergeMap(null, (ObjectNode) el, elementPath));
            }
        }
        return normalizeOrder(current, plain, serverOrder, key);
    }

    /**
     * Orders a merged list by a {@code $setElementOrder} list: elements named in {@code order} follow it, the
     * others keep their live order and are interleaved by their live positions.
     */
    ArrayNode order(ArrayNode merged, ArrayNode order, ArrayNode live, String path) {
        PatchSchema.ListMerge meta = schema.listAt(path);
        String key = meta == null ? null : meta.mergeKey();
        if (key == null && containsObject(merged)) {
            // Without a merge key map elements cannot be identified, so the merged order stands.
            return merged;
        }
        return normalizeOrder(toList(merged), toList(order), toList(live), key);
    }

    /** Go: deleteFromSlice for {@code $deleteFromPrimitiveList}. */
    static ArrayNode without(ArrayNode current, ArrayNode toDelete) {
        List<JsonNode> remove = toList(toDelete);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode v : current) {
            if (!remove.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * Go: partition + normalizeElementOrder. Items present in {@code patchOrder} are sorted by it, the rest by
     * {@code serverOrder}, then both are interleaved by {@link #mergeSorted}.
     */
    private static ArrayNode normalizeOrder(List<JsonNode> merged, List<JsonNode> patchOrder,
            List<JsonNode> serverOrder, String key) {
        List<JsonNode> patchItems = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode item : merged) {
            (indexOf(patchOrder, item, key) >= 0 ? patchItems : serverOnly).add(item);
        }
        patchItems.sort(Comparator.comparingInt(item -> indexOf(patchOrder, item, key)));
        serverOnly.sort(Comparator.comparingInt(item -> indexOf(serverOrder, item, key)));
        return toArray(mergeSorted(serverOnly, patchItems, serverOrder, key));
    }

    /**
     * Go: mergeSortedSlice. Walks both lists and takes the server-only item first only when both items exist in
     * the live list and the server-only one came earlier there; relative orders within each list are kept.
     */
    private static List<JsonNode> mergeSorted(List<JsonNode> left, List<JsonNode> right, List<JsonNode> serverOrder,
            String key) {
        List<JsonNode> out = new ArrayList<>(left.size() + right.size());
        int i = 0;
        int j = 0;
        while (i < left.size() || j < right.size()) {
            if (i >= left.size()) {
                out.add(right.get(j++));
            } else if (j >= right.size()) {
                out.add(left.get(i++));
            } else {
                int li = indexOf(serverOrder, left.get(i), key);
                int ri = indexOf(serverOrder, right.get(j), key);
                if (li >= 0 && ri >= 0 && li < ri) {
                    out.add(left.get(i++));
                } else {
                    out.add(right.get(j++));
                }
            }
        }
        return out;
    }

    /** Position of {@code item} in {@code list}, by merge key for maps and by value for primitives; -1 if absent. */
    private static int indexOf(List<JsonNode> list, JsonNode item, String key) {
        JsonNode id = key == null ? item : item.get(key);
        if (id == null) {
            return -1;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode candidate = key == null ? list.get(i) : list.get(i).get(key);
            if (id.equals(candidate)) {
                return i;
            }
        }
        return -1;
    }

    private static JsonNode requireKey(JsonNode el, String key) {
        JsonNode value = el.get(key);
        if (value == null) {
            throw new IllegalArgumentException("map: " + el + " does not contain declared merge key: " + key);
        }
        return value;
    }

    /** Atomic lists are taken from the patch; map elements lose nulls and directives as new values do. */
    private ArrayNode cleaned(ArrayNode patch, String elementPath) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode el : patch) {
            out.add(el.isObject() ? maps.mergeMap(null, (ObjectNode) el, elementPath) : el.deepCopy());
        }
        return out;
    }

    private static boolean elementsAreObjects(ArrayNode original, ArrayNode patch, String path) {
        boolean objects = false;
        boolean primitives = false;
        for (JsonNode v : concat(original, patch)) {
            if (v.isObject()) {
                objects = true;
            } else {
                primitives = true;
            }
        }
        if (objects && primitives) {
            throw new IllegalArgumentException("types of list elements need to be the same for " + path);
        }
        return objects;
    }

    private static boolean containsObject(ArrayNode list) {
        for (JsonNode v : list) {
            if (v.isObject()) {
                return true;
            }
        }
        return false;
    }

    private static List<JsonNode> concat(ArrayNode a, ArrayNode b) {
        List<JsonNode> all = toList(a);
        all.addAll(toList(b));
        return all;
    }

    private static List<JsonNode> toList(ArrayNode a) {
        List<JsonNode> out = new ArrayList<>(a.size());
        a.forEach(out::add);
        return out;
    }

    private static ArrayNode toArray(List<JsonNode> items) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        items.forEach(out::add);
        return out;
    }
}
