package dev.everynode.nodeagent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Jackson 3 helpers (the agent's and the fleet simulator's only dependency). */
public final class Js {

    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Js() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static JsonNode parse(byte[] bytes) {
        return MAPPER.readTree(bytes);
    }

    static JsonNode parse(String text) {
        return MAPPER.readTree(text);
    }

    static byte[] bytes(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }

    static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    /** The text at a path, or null when absent or not a string. */
    static String str(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            if (n == null) {
                return null;
            }
            n = n.get(p);
        }
        return n != null && n.isString() ? n.stringValue() : null;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode n : array) {
                out.add(n.isString() ? n.stringValue() : n.toString());
            }
        }
        return out;
    }

    public static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
