package dev.everynode.apimachinery.errors;

/**
 * One field-level cause of a Kubernetes Status error ({@code details.causes[]}): reason such as
 * FieldValueInvalid, field path such as {@code spec.template.spec.restartPolicy}, and the message kubectl prints
 * after the field ("Invalid value: ...").
 */
public record Cause(String reason, String field, String message) {

    /** {@code Invalid value: <value>: <detail>} (FieldValueInvalid); value rendered as Kubernetes does. */
    public static Cause invalid(String field, Object value, String detail) {
        return new Cause("FieldValueInvalid", field, "Invalid value: " + render(value) + ": " + detail);
    }

    /** {@code Required value[: <detail>]} (FieldValueRequired). */
    public static Cause required(String field, String detail) {
        return new Cause("FieldValueRequired", field,
                detail == null || detail.isEmpty() ? "Required value" : "Required value: " + detail);
    }

    /** {@code Forbidden: <detail>} (FieldValueForbidden). */
    public static Cause forbidden(String field, String detail) {
        return new Cause("FieldValueForbidden", field, "Forbidden: " + detail);
    }

    /** {@code Unsupported value: "x": supported values: "a", "b"} (FieldValueNotSupported). */
    public static Cause notSupported(String field, Object value, String... supported) {
        var sb = new StringBuilder("Unsupported value: ").append(render(value));
        if (supported.length > 0) {
            sb.append(": supported values: ");
            for (int i = 0; i < supported.length; i++) {
                sb.append(i == 0 ? "" : ", ").append('"').append(supported[i]).append('"');
            }
        }
        return new Cause("FieldValueNotSupported", field, sb.toString());
    }

    /** {@code Duplicate value: <value>} (FieldValueDuplicate). */
    public static Cause duplicate(String field, Object value) {
        return new Cause("FieldValueDuplicate", field, "Duplicate value: " + render(value));
    }

    /** {@code Too long: may not be more than <max> bytes} (FieldValueTooLong). */
    public static Cause tooLong(String field, int max) {
        return new Cause("FieldValueTooLong", field, "Too long: may not be more than " + max + " bytes");
    }

    /** Renders a value the way Kubernetes field errors do: strings quoted, numbers and booleans bare. */
    static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        return String.valueOf(value);
    }
}
