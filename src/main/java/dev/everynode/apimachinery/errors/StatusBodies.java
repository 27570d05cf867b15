package dev.everynode.apimachinery.errors;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** metav1.Status bodies, for errors and for deletes that complete at once. */
public final class StatusBodies {

    private StatusBodies() {}

    public static ObjectNode failure(ApiException e) {
        ObjectNode status = base("Failure");
        status.put("message", e.getMessage());
        status.put("reason", e.reason());
        if (e.detailsName() != null || e.detailsKind() != null || !e.causes().isEmpty() || e.retryAfterSeconds() > 0) {
            ObjectNode details = status.putObject("details");
            if (e.detailsName() != null) {
                details.put("name", e.detailsName());
            }
            if (e.detailsGroup() != null) {
                details.put("group", e.detailsGroup());
            }
            if (e.detailsKind() != null) {
                details.put("kind", e.detailsKind());
            }
            if (!e.causes().isEmpty()) {
                ArrayNode causes = details.putArray("causes");
                for (Cause c : e.causes()) {
                    causes.addObject().put("reason", c.reason()).put("message", c.message()).put("field", c.field());
                }
            }
            if (e.retryAfterSeconds() > 0) {
                details.put("retryAfterSeconds", e.retryAfterSeconds());
            }
        }
        status.put("code", e.code());
        return status;
    }

    public static ObjectNode success(ResourceType type, String name, String uid) {
        ObjectNode status = base("Success");
        ObjectNode details = status.putObject("details");
        details.put("name", name);
        details.put("group", type.group());
        details.put("kind", type.plural());
        details.put("uid", uid);
        return status;
    }

    private static ObjectNode base(String outcome) {
        ObjectNode status = Json.object();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", outcome);
        return status;
    }
}
