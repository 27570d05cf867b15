package dev.everynode.apimachinery.errors;

import dev.everynode.apimachinery.meta.ResourceType;
import java.util.List;

/**
 * A request that fails with a Kubernetes {@code metav1.Status}: HTTP code, reason, message and details. The
 * single exception handler renders it; nothing else in the code writes error bodies.
 */
public class ApiException extends RuntimeException {

    private final int code;
    private final String reason;
    private final String detailsName;
    private final String detailsGroup;
    private final String detailsKind;
    private final List<Cause> causes;
    /** Seconds a client should wait before trying again (Retry-After, details.retryAfterSeconds); 0 = none. */
    private final int retryAfterSeconds;

    public ApiException(int code, String reason, String message, String detailsName, String detailsGroup,
                        String detailsKind, List<Cause> causes) {
        this(code, reason, message, detailsName, detailsGroup, detailsKind, causes, 0, null);
    }

    private ApiException(int code, String reason, String message, String detailsName, String detailsGroup,
                         String detailsKind, List<Cause> causes, int retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.retryAfterSeconds = Math.max(0, retryAfterSeconds);
        this.code = code;
        this.reason = reason;
        this.detailsName = detailsName;
        this.detailsGroup = detailsGroup;
        this.detailsKind = detailsKind;
        this.causes = causes == null ? List.of() : List.copyOf(causes);
    }

    public static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.qualifiedPlural() + " \"" + name + "\" not found", name,
                type.group(), type.plural(), null);
    }

    public static ApiException namespaceNotFound(String namespace) {
        return new ApiException(404, "NotFound", "namespaces \"" + namespace + "\" not found", namespace, "",
                "namespaces", null);
    }

    public static ApiException pathNotFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource", null, null,
                null, null);
    }

    public static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.qualifiedPlural() + " \"" + name + "\" already exists",
                name, type.group(), type.plural(), null);
    }

    public static ApiException conflict(ResourceType type, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedPlural() + " \""
                + name + "\": " + why, name, type.group(), type.plural(), null);
    }

    public static ApiException staleResourceVersion(ResourceType type, String name) {
        return conflict(type, name, "the object has been modified; please apply your changes to the latest version "
                + "and try again");
    }

    /** 422 Invalid: kubectl prints {@code The <Kind> "<name>" is invalid: <field>: <message>}. */
    public static ApiException invalid(ResourceType type, String name, List<Cause> causes) {
        var sb = new StringBuilder(type.kind()).append(" \"").append(name).append("\" is invalid: ");
        if (causes.size() == 1) {
            sb.append(causes.get(0).field()).append(": ").append(causes.get(0).message());
        } else {
            sb.append('[');
            for (int i = 0; i < causes.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(causes.get(i).field()).append(": ").append(causes.get(i).message());
            }
            sb.append(']');
        }
        return new ApiException(422, "Invalid", sb.toString(), name, type.group(), type.kind(), causes);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null, null, null, null);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "Forbidden", message, null, null, null, null);
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message, null, null, null, null);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "RequestEntityTooLarge", message, null, null, null, null);
    }

    /**
     * 503 ServiceUnavailable with a Retry-After: the server cannot serve the request right now (no database
     * connection within the pool's timeout, the database unreachable, too much database work queued) and nothing
     * was changed; the same request can simply be sent again after {@code retryAfterSeconds}.
     */
    public static ApiException serviceUnavailable(String message, int retryAfterSeconds, Throwable cause) {
        return new ApiException(503, "ServiceUnavailable", message, null, null, null, null, retryAfterSeconds, cause);
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                + "accepted media types include: application/json, application/yaml (got " + contentType + ")",
                null, null, null, null);
    }

    /**
     * 406 NotAcceptable: none of the media types the request's Accept header names can be produced, as the API
     * server answers ("only the following media types are accepted: ...").
     */
    public static ApiException notAcceptable(List<String> produced) {
        return new ApiException(406, "NotAcceptable", "only the following media types are accepted: "
                + String.join(", ", produced), null, null, null, null);
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public String detailsName() {
        return detailsName;
    }

    public String detailsGroup() {
        return detailsGroup;
    }

    public String detailsKind() {
        return detailsKind;
    }

    public List<Cause> causes() {
        return causes;
    }
}
