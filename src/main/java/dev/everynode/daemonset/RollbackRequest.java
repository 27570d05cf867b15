package dev.everynode.daemonset;

import dev.everynode.apimachinery.codec.Codec;
import dev.everynode.apimachinery.codec.TypedFields;
import dev.everynode.apimachinery.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST .../daemonsets/{name}/rollback}: {@code {"toRevision": N}} (0 or no body: the previous
 * revision), decoded like a Kubernetes request body: a toRevision that is not an integer is a 400 BadRequest
 * ({@code json: cannot unmarshal string into Go struct field DaemonSetRollback.toRevision of type int64}, cause
 * {@code toRevision}), never a silent 0.
 */
public final class RollbackRequest {

    private static final JsonNode SCHEMA = Json.parseObject(
            "{\"type\": \"object\", \"properties\": {\"toRevision\": {\"type\": \"integer\", \"format\": \"int64\"}}}");

    private RollbackRequest() {}

    public static long toRevision(byte[] body, String contentType) {
        if (body == null || body.length == 0) {
            return 0;
        }
        ObjectNode request = Codec.readObject(body, contentType);
        TypedFields.check("DaemonSetRollback", SCHEMA, request);
        JsonNode n = request.get("toRevision");
        return n == null || n.isNull() ? 0 : n.longValue();
    }
}
