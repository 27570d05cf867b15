package dev.everynode.apimachinery.validation;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ObjectMeta, label and label-selector validation as in {@code apimachinery/pkg/api/validation} and
 * {@code apimachinery/pkg/apis/meta/v1/validation}, with Kubernetes' field paths and messages.
 */
public final class MetaValidation {

    /** Which name syntax a resource uses ({@code NameIsDNSSubdomain} or {@code NameIsDNSLabel}). */
    public enum NameRule { DNS1123_SUBDOMAIN, DNS1123_LABEL }

    /** {@code TotalAnnotationSizeLimitB}: 256 KiB summed over keys and values. */
    public static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

    private MetaValidation() {
    }

    /**
     * {@code ValidateObjectMeta} minus namespace presence (the caller knows the request namespace). A namespace that
     * is present is still checked: DNS-1123 label when namespaced, forbidden on cluster-scoped kinds.
     */
    public static List<Cause> validateObjectMeta(ObjectNode meta, boolean namespaced, NameRule rule) {
        var causes = new ArrayList<Cause>();
        String generateName = Trees.str(meta, "generateName");
        if (!generateName.isEmpty()) {
            for (String msg : checkName(rule, maskTrailingDash(generateName))) {
                causes.add(Cause.invalid("metadata.generateName", generateName, msg));
            }
        }
        String name = Trees.str(meta, "name");
        if (name.isEmpty()) {
            causes.add(Cause.required("metadata.name", "name or generateName is required"));
        } else {
            for (String msg : checkName(rule, name)) {
                causes.add(Cause.invalid("metadata.name", name, msg));
            }
        }
        String namespace = Trees.str(meta, "namespace");
        if (!namespace.isEmpty()) {
            if (namespaced) {
                for (String msg : Syntax.isDns1123Label(namespace)) {
                    causes.add(Cause.invalid("metadata.namespace", namespace, msg));
                }
            } else {
                causes.add(Cause.forbidden("metadata.namespace", "not allowed on this type"));
            }
        }
        JsonNode generation = meta == null ? null : meta.get("generation");
        if (generation != null && generation.isNumber() && generation.longValue() < 0) {
            causes.add(Cause.invalid("metadata.generation", generation.longValue(), Syntax.NON_NEGATIVE));
        }
        causes.addAll(validateLabels(Trees.obj(meta, "labels"), "metadata.labels"));
        causes.addAll(validateAnnotations(Trees.obj(meta, "annotations"), "metadata.annotations"));
        return causes;
    }

    private static List<String> checkName(NameRule rule, String name) {
        return rule == NameRule.DNS1123_LABEL ? Syntax.isDns1123Label(name) : Syntax.isDns1123Subdomain(name);
    }

    /** Generated names get a random suffix, so a trailing '-' in the prefix is fine ({@code maskTrailingDash}). */
    private static String maskTrailingDash(String name) {
        return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 1) + "a" : name;
    }

    /** {@code ValidateLabels}: every error is reported on the map's own path, not on the key. */
    public static List<Cause> validateLabels(ObjectNode labels, String fieldPath) {
        return validateLabels(Trees.stringMap(labels), fieldPath);
    }

    public static List<Cause> validateLabels(Map<String, String> labels, String fieldPath) {
        var causes = new ArrayList<Cause>();
        if (labels == null) {
            return causes;
        }
        labels.forEach((k, v) -> {
            causes.addAll(validateLabelName(k, fieldPath));
            for (String msg : Syntax.isValidLabelValue(v)) {
                causes.add(Cause.invalid(fieldPath, v, msg));
            }
        });
        return causes;
    }

    /** {@code ValidateLabelName}: the key must be a qualified name. */
    public static List<Cause> validateLabelName(String key, String fieldPath) {
        var causes = new ArrayList<Cause>();
        for (String msg : Syntax.isQualifiedName(key)) {
            causes.add(Cause.invalid(fieldPath, key, msg));
        }
        return causes;
    }

    /** {@code ValidateAnnotations}: keys are case-insensitive qualified names; total size is capped. */
    public static List<Cause> validateAnnotations(ObjectNode annotations, String fieldPath) {
        var causes = new ArrayList<Cause>();
        long total = 0;
        for (var e : Trees.stringMap(annotations).entrySet()) {
            for (String msg : Syntax.isQualifiedName(e.getKey().toLowerCase(Locale.ROOT))) {
                causes.add(Cause.invalid(fieldPath, e.getKey(), msg));
            }
            // Go's len() counts UTF-8 bytes.
            total += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
            causes.add(Cause.tooLong(fieldPath, TOTAL_ANNOTATION_SIZE_LIMIT));
        }
        return causes;
    }

    /** {@code ValidateLabelSelector} for a metav1.LabelSelector; a null/absent selector has nothing to check. */
    public static List<Cause> validateLabelSelector(JsonNode selector, String fieldPath) {
        var causes = new ArrayList<Cause>();
        if (selector == null || selector.isNull()) {
            return causes;
        }
        causes.addAll(validateLabels(Trees.obj(selector, "matchLabels"), fieldPath + ".matchLabels"));
        JsonNode exprs = selector.get("matchExpressions");
        if (exprs != null && exprs.isArray()) {
            for (int i = 0; i < exprs.size(); i++) {
                causes.addAll(validateLabelSelectorRequirement(exprs.get(i), fieldPath + ".matchExpressions[" + i + "]"));
            }
        }
        return causes;
    }

    /** {@code ValidateLabelSelectorRequirement}: Gt/Lt are not label-selector operators. */
    public static List<Cause> validateLabelSelectorRequirement(JsonNode req, String fieldPath) {
        var causes = new ArrayList<Cause>();
        String operator = Trees.str(req, "operator");
        int values = Trees.size(req, "values");
        switch (operator) {
            case "In", "NotIn" -> {
                if (values == 0) {
                    causes.add(Cause.required(fieldPath + ".values",
                            "must be specified when `operator` is 'In' or 'NotIn'"));
                }
            }
            case "Exists", "DoesNotExist" -> {
                if (values > 0) {
                    causes.add(Cause.forbidden(fieldPath + ".values",
                            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                }
            }
            default -> causes.add(Cause.invalid(fieldPath + ".operator", operator, "not a valid selector operator"));
        }
        causes.addAll(validateLabelName(Trees.str(req, "key"), fieldPath + ".key"));
        causes.addAll(validateValues(req, fieldPath + ".values"));
        return causes;
    }

    /** Every element of {@code values} must be a valid label value, reported per index. */
    public static List<Cause> validateValues(JsonNode req, String valuesPath) {
        var causes = new ArrayList<Cause>();
        JsonNode values = req == null ? null : req.get("values");
        if (values != null && values.isArray()) {
            for (int i = 0; i < values.size(); i++) {
                String v = values.get(i).isString() ? values.get(i).stringValue() : values.get(i).toString();
                for (String msg : Syntax.isValidLabelValue(v)) {
                    causes.add(Cause.invalid(valuesPath + "[" + i + "]", v, msg));
                }
            }
        }
        return causes;
    }

    /** {@code ValidateNonnegativeField}. */
    public static List<Cause> validateNonnegative(long value, String fieldPath) {
        return value < 0 ? List.of(Cause.invalid(fieldPath, value, Syntax.NON_NEGATIVE)) : List.of();
    }

    public static List<String> isQualifiedName(String value) {
        return Syntax.isQualifiedName(value);
    }

    public static List<String> isValidLabelValue(String value) {
        return Syntax.isValidLabelValue(value);
    }

    public static List<String> isDns1123Label(String value) {
        return Syntax.isDns1123Label(value);
    }

    public static List<String> isDns1123Subdomain(String value) {
        return Syntax.isDns1123Subdomain(value);
    }
}
