package dev.everynode.apimachinery.patch;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON merge patch (RFC 7396, {@code application/merge-patch+json}) and JSON patch (RFC 6902,
 * {@code application/json-patch+json}) on Jackson trees. Both return new trees and leave their inputs alone.
 * Written here rather than taken from a library: the Java ones work on Jackson 2 or jakarta.json, and the
 * jakarta.json implementation (Parsson, tried) breaks RFC 6902 on two cases kubectl users can hit: {@code test}
 * compares 1 and 1.0 as different, and array indices with leading zeros are accepted.
 */
final class JsonPatches {

    private JsonPatches() {
    }

    /** RFC 7396 MergePatch: objects merge recursively, {@code null} removes a member, anything else replaces. */
    public static JsonNode applyMergePatch(JsonNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return patch == null ? null : patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), applyMergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /**
     * RFC 6902: applies add, remove, replace, move, copy and test in order; the whole patch fails if one
     * operation fails.
     *
     * @throws IllegalArgumentException for a malformed patch, a missing path or a failed {@code test}
     */
    public static JsonNode applyJsonPatch(JsonNode target, JsonNode patchArray) {
        if (patchArray == null || !patchArray.isArray()) {
            throw new IllegalArgumentException("json patch must be a JSON array of operations");
        }
        // Operations run on a holder so that the path "" (the whole document) can be replaced like any member.
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("", target == null ? JsonNodeFactory.instance.nullNode() : target.deepCopy());
        for (JsonNode op : patchArray) {
            String name = op.path("op").asString("");
            List<String> path = pointer(requireString(op, "path"));
            switch (name) {
                case "add" -> add(root, path, requireValue(op));
                case "remove" -> remove(root, path);
                case "replace" -> {
                    remove(root, path);
                    add(root, path, requireValue(op));
                }
                case "move" -> {
                    List<String> from = pointer(requireString(op, "from"));
                    if (path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
                        throw new IllegalArgumentException("json patch: cannot move " + op.path("from").asString()
                                + " into its own child " + op.path("path").asString());
                    }
                    add(root, path, remove(root, from));
                }
                case "copy" -> add(root, path, get(root, pointer(requireString(op, "from"))).deepCopy());
                case "test" -> {
                    if (!same(get(root, path), requireValue(op))) {
                        throw new IllegalArgumentException("json patch: test operation failed for path "
                                + op.path("path").asString());
                    }
                }
                default -> throw new IllegalArgumentException("json patch: unsupported operation \"" + name + "\"");
            }
        }
        return root.get("");
    }

    /** Splits a JSON pointer into unescaped tokens, prefixed by the holder's "" member. */
    private static List<String> pointer(String p) {
        List<String> tokens = new ArrayList<>();
        tokens.add("");
        if (p.isEmpty()) {
            return tokens;
        }
        if (!p.startsWith("/")) {
            throw new IllegalArgumentException("json patch: invalid JSON pointer \"" + p + "\"");
        }
        for (String raw : p.substring(1).split("/", -1)) {
            // ~1 before ~0 so that "~01" becomes "~1" and not "/".
            tokens.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static JsonNode get(JsonNode root, List<String> path) {
        JsonNode node = root;
        for (String token : path) {
            node = child(node, token);
            if (node == null) {
                throw new IllegalArgumentException("json patch: path not found: " + render(path));
            }
        }
        return node;
    }

    private static JsonNode child(JsonNode node, String token) {
        if (node.isObject()) {
            return node.get(token);
        }
        if (node.isArray()) {
            int i = index(token, node.size() - 1);
            return i < 0 ? null : node.get(i);
        }
        return null;
    }

    private static void add(ObjectNode root, List<String> path, JsonNode value) {
        JsonNode parent = get(root, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value);
        } else if (parent.isArray()) {
            ArrayNode array = (ArrayNode) parent;
            int i = last.equals("-") ? array.size() : index(last, array.size());
            if (i < 0) {
                throw new IllegalArgumentException("json patch: index out of bounds: " + render(path));
            }
            array.insert(i, value);
        } else {
            throw new IllegalArgumentException("json patch: parent is not a container: " + render(path));
        }
    }

    private static JsonNode remove(ObjectNode root, List<String> path) {
        JsonNode parent = get(root, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        JsonNode removed = null;
        if (parent.isObject()) {
            removed = ((ObjectNode) parent).remove(last);
        } else if (parent.isArray()) {
            int i = index(last, parent.size() - 1);
            removed = i < 0 ? null : ((ArrayNode) parent).remove(i);
        }
        if (removed == null) {
            throw new IllegalArgumentException("json patch: path not found: " + render(path));
        }
        return removed;
    }

    /** Array index token: decimal without leading zeros, within 0..max; -1 when invalid. */
    private static int index(String token, int max) {
        if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')
                || !token.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int i = Integer.parseInt(token);
        return i <= max ? i : -1;
    }

    /** JSON equality as RFC 6902 section 4.6 defines it: numbers compare by value, objects ignore member order. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asString()).compareTo(new BigDecimal(b.asString())) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                JsonNode other = b.get(e.getKey());
                if (other == null || !same(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            Iterator<JsonNode> ia = a.iterator();
            Iterator<JsonNode> ib = b.iterator();
            while (ia.hasNext()) {
                if (!same(ia.next(), ib.next())) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static String requireString(JsonNode op, String field) {
        JsonNode v = op.get(field);
        if (v == null || !v.isString()) {
            throw new IllegalArgumentException("json patch: operation " + op + " is missing \"" + field + "\"");
        }
        return v.stringValue();
    }

    private static JsonNode requireValue(JsonNode op) {
        JsonNode v = op.get("value");
        if (v == null) {
            throw new IllegalArgumentException("json patch: operation " + op + " is missing \"value\"");
        }
        return v.deepCopy();
    }

    private static String render(List<String> path) {
        return path.size() == 1 ? "\"\"" : String.join("/", path);
    }
}
