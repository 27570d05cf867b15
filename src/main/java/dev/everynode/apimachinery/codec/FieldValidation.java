package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.meta.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code fieldValidation} query parameter: Strict (400 on unknown fields), Warn (the default, as in
 * Kubernetes: a {@code Warning: 299} header per unknown field) or Ignore. Unknown fields are never stored.
 */
public final class FieldValidation {

    private final String mode;
    private final List<String> warnings = new ArrayList<>();

    private FieldValidation(String mode) {
        this.mode = mode;
    }

    public static FieldValidation of(String param) {
        String mode = param == null || param.isEmpty() ? "Warn" : param;
        if (!mode.equals("Strict") && !mode.equals("Warn") && !mode.equals("Ignore")) {
            throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + param
                    + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }
        return new FieldValidation(mode);
    }

    /**
     * Decodes an object about to be stored as Kubernetes does: 400 for a value of the wrong type (before the object
     * is looked up, and trumping unknown fields), then drops unknown fields or refuses them under Strict.
     */
    public ObjectNode apply(ResourceType type, ObjectNode object) {
        TypedFields.check(type, object);
        List<String> unknown = UnknownFields.check(type, object, !mode.equals("Strict"));
        if (unknown.isEmpty()) {
            return object;
        }
        if (mode.equals("Strict")) {
            throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                    + type.kind() + ": strict decoding error: " + unknown.stream()
                    .map(f -> "unknown field \"" + f + "\"").collect(Collectors.joining(", ")));
        }
        if (mode.equals("Warn")) {
            unknown.forEach(f -> warnings.add("299 - \"unknown field \\\"" + f + "\\\"\""));
        }
        return object;
    }

    public ResponseEntity<byte[]> decorate(ResponseEntity<byte[]> response) {
        if (warnings.isEmpty()) {
            return response;
        }
        var headers = new org.springframework.http.HttpHeaders();
        headers.putAll(response.getHeaders());
        warnings.forEach(w -> headers.add("Warning", w));
        return new ResponseEntity<>(response.getBody(), headers, response.getStatusCode());
    }
}
