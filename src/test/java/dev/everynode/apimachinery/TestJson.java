package dev.everynode.apimachinery;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Test fixtures written as JSON with single quotes, which keeps the tables readable. */
public final class TestJson {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private TestJson() {
    }

    public static JsonNode json(String singleQuoted) {
        return MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    public static ObjectNode obj(String singleQuoted) {
        return (ObjectNode) json(singleQuoted);
    }
}
