package dev.everynode.apimachinery.resource;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import tools.jackson.databind.JsonNode;

/**
 * metav1.DeleteOptions from the query string and/or the request body. {@code propagationPolicy}: Background,
 * Foreground or Orphan (null = the resource's default); {@code gracePeriodSeconds}: null = the object's own.
 */
public record DeleteOptions(String propagationPolicy, Long gracePeriodSeconds, String preconditionUid,
                            String preconditionResourceVersion, boolean dryRun) {

    public static DeleteOptions of(JsonNode body, String propagationQuery, Long graceQuery, boolean dryRunQuery) {
        String policy = propagationQuery;
        Long grace = graceQuery;
        String uid = null;
        String rv = null;
        boolean dryRun = dryRunQuery;
        if (body != null && body.isObject()) {
            if (policy == null && body.path("propagationPolicy").isString()) {
                policy = body.path("propagationPolicy").stringValue();
            }
            if (policy == null && body.path("orphanDependents").isBoolean()) {
                policy = body.path("orphanDependents").booleanValue() ? "Orphan" : "Background";
            }
            if (grace == null && body.path("gracePeriodSeconds").isNumber()) {
                grace = body.path("gracePeriodSeconds").longValue();
            }
            uid = Json.text(body, "preconditions", "uid");
            rv = Json.text(body, "preconditions", "resourceVersion");
            for (JsonNode d : body.path("dryRun")) {
                dryRun |= "All".equals(d.asString());
            }
        }
        if (policy != null && !policy.equals("Background") && !policy.equals("Foreground") && !policy.equals("Orphan")) {
            throw ApiException.badRequest("Unsupported value: \"" + policy
                    + "\": supported values: \"Background\", \"Foreground\", \"Orphan\"");
        }
        if (grace != null && grace < 0) {
            throw ApiException.badRequest("gracePeriodSeconds must be greater than or equal to 0");
        }
        return new DeleteOptions(policy, grace, uid, rv, dryRun);
    }

}
