package dev.everynode.apimachinery.patch;

import dev.everynode.apimachinery.errors.ApiException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Applies a PATCH body of one of the Kubernetes patch types to the stored object. */
@Component
public class Patches {

    public static final String APPLY = "application/apply-patch+yaml";

    public static final java.util.Set<String> SUPPORTED = java.util.Set.of("application/merge-patch+json",
            "application/json-patch+json", "application/strategic-merge-patch+json");

    public ObjectNode apply(PatchSchema schema, String patchType, ObjectNode current, JsonNode patch) {
        JsonNode result = switch (patchType) {
            case "application/merge-patch+json" -> JsonPatches.applyMergePatch(current, requireObject(patch));
            case "application/json-patch+json" -> {
                if (!patch.isArray()) {
                    throw ApiException.badRequest("a JSON patch must be an array of operations");
                }
                yield JsonPatches.applyJsonPatch(current, patch);
            }
            case "application/strategic-merge-patch+json", APPLY ->
                    StrategicMergePatch.apply(current, requireObject(patch), schema);
            default -> throw ApiException.unsupportedMediaType(patchType);
        };
        if (!(result instanceof ObjectNode object)) {
            throw ApiException.badRequest("the patch did not produce an object");
        }
        return object;
    }

    private static ObjectNode requireObject(JsonNode patch) {
        if (!(patch instanceof ObjectNode object)) {
            throw ApiException.badRequest("a merge patch must be a JSON object");
        }
        return object;
    }
}
