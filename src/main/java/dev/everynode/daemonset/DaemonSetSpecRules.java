package dev.everynode.daemonset;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import dev.everynode.apimachinery.validation.MetaValidation;
import dev.everynode.apimachinery.validation.Syntax;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The DaemonSet-specific parts of {@code ValidateDaemonSetSpec} (apps validation). */
final class DaemonSetSpecRules {

    private static final String INT_OR_PERCENT = "must be an integer or percentage (e.g '5%')";

    private DaemonSetSpecRules() {
    }

    /** Selector validity, non-emptiness and agreement with the template labels. */
    static List<Cause> selector(JsonNode spec) {
        var causes = new ArrayList<Cause>();
        JsonNode selector = spec == null ? null : spec.get("selector");
        boolean missing = selector == null || selector.isNull();
        if (missing) {
            causes.add(Cause.required("spec.selector", ""));
        }
        List<Cause> selectorErrors = MetaValidation.validateLabelSelector(selector, "spec.selector");
        causes.addAll(selectorErrors);
        JsonNode labels = Trees.obj(Trees.obj(Trees.obj(spec, "template"), "metadata"), "labels");
        // Kubernetes skips the match when the selector cannot be parsed; a nil selector selects nothing.
        if (selectorErrors.isEmpty() && !matches(selector, Trees.stringMap(labels))) {
            causes.add(Cause.invalid("spec.template.metadata.labels", Trees.renderedMap(labels),
                    "`selector` does not match template `labels`"));
        }
        if (!missing && Trees.size(selector, "matchLabels") + Trees.size(selector, "matchExpressions") == 0) {
            causes.add(Cause.invalid("spec.selector", render(selector), "empty selector is invalid for daemonset"));
        }
        return causes;
    }

    /** {@code LabelSelectorAsSelector(...).Matches(labels)} for an already validated selector. */
    static boolean matches(JsonNode selector, Map<String, String> labels) {
        if (selector == null || selector.isNull()) {
            return false;
        }
        for (var e : Trees.stringMap(selector.get("matchLabels")).entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode req : FieldChecks.items(selector, "matchExpressions")) {
            String key = Trees.str(req, "key");
            boolean has = labels.containsKey(key);
            boolean in = has && FieldChecks.items(req, "values").stream()
                    .anyMatch(v -> v.isString() && v.stringValue().equals(labels.get(key)));
            boolean ok = switch (Trees.str(req, "operator")) {
                case "In" -> in;
                case "NotIn" -> !in;
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A LabelSelector as Go marshals it: matchLabels sorted, empty parts omitted. */
    static Object render(JsonNode selector) {
        if (selector == null || selector.isNull()) {
            return null;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (Trees.size(selector, "matchLabels") > 0) {
            out.set("matchLabels", Trees.sortedCopy(selector.get("matchLabels")));
        }
        if (Trees.size(selector, "matchExpressions") > 0) {
            out.set("matchExpressions", selector.get("matchExpressions"));
        }
        return Trees.rendered(out);
    }

    /** {@code ValidateDaemonSetUpdateStrategy}; an absent strategy or type is what defaulting fills in. */
    static List<Cause> updateStrategy(JsonNode spec) {
        var causes = new ArrayList<Cause>();
        JsonNode strategy = Trees.obj(spec, "updateStrategy");
        if (strategy == null) {
            return causes;
        }
        String type = Trees.present(strategy, "type") ? Trees.str(strategy, "type") : "RollingUpdate";
        JsonNode rolling = Trees.obj(strategy, "rollingUpdate");
        switch (type) {
            case "OnDelete" -> { }
            case "RollingUpdate" -> {
                if (rolling == null && Trees.present(strategy, "type")) {
                    causes.add(Cause.required("spec.updateStrategy.rollingUpdate", ""));
                } else if (rolling != null) {
                    causes.addAll(rollingUpdate(rolling, "spec.updateStrategy.rollingUpdate"));
                }
            }
            default -> causes.add(Cause.notSupported("spec.updateStrategy", Trees.rendered(strategy),
                    "RollingUpdate", "OnDelete"));
        }
        return causes;
    }

    /** {@code ValidateRollingUpdateDaemonSet}: absent values take their defaults (maxUnavailable 1, maxSurge 0). */
    static List<Cause> rollingUpdate(JsonNode rolling, String path) {
        var causes = new ArrayList<Cause>();
        JsonNode unavailable = orDefault(rolling.get("maxUnavailable"), 1);
        JsonNode surge = orDefault(rolling.get("maxSurge"), 0);
        causes.addAll(positiveIntOrPercent(unavailable, path + ".maxUnavailable"));
        causes.addAll(positiveIntOrPercent(surge, path + ".maxSurge"));
        causes.addAll(notMoreThan100Percent(unavailable, path + ".maxUnavailable"));
        causes.addAll(notMoreThan100Percent(surge, path + ".maxSurge"));
        boolean hasUnavailable = intOrPercentValue(unavailable) != 0;
        boolean hasSurge = intOrPercentValue(surge) != 0;
        if (hasUnavailable && hasSurge) {
            causes.add(Cause.invalid(path + ".maxSurge", Trees.rendered(surge),
                    "may not be set when maxUnavailable is non-zero"));
        } else if (!hasUnavailable && !hasSurge) {
            causes.add(Cause.required(path + ".maxUnavailable", "cannot be 0 when maxSurge is 0"));
        }
        return causes;
    }

    private static JsonNode orDefault(JsonNode value, int fallback) {
        return value == null || value.isNull() ? JsonNodeFactory.instance.numberNode(fallback) : value;
    }

    private static List<Cause> positiveIntOrPercent(JsonNode value, String path) {
        if (value.isString()) {
            var causes = new ArrayList<Cause>();
            for (String msg : Syntax.isValidPercent(value.stringValue())) {
                causes.add(Cause.invalid(path, value.stringValue(), msg));
            }
            return causes;
        }
        if (value.isIntegralNumber()) {
            return MetaValidation.validateNonnegative(value.longValue(), path);
        }
        return List.of(Cause.invalid(path, Trees.rendered(value), INT_OR_PERCENT));
    }

    /** Percent value, or null when the value is not a valid percent string ({@code getPercentValue}). */
    private static Long percent(JsonNode value) {
        if (!value.isString() || !Syntax.isValidPercent(value.stringValue()).isEmpty()) {
            return null;
        }
        String digits = value.stringValue().substring(0, value.stringValue().length() - 1);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static List<Cause> notMoreThan100Percent(JsonNode value, String path) {
        Long p = percent(value);
        return p == null || p <= 100 ? List.of() : List.of(Cause.invalid(path, value.stringValue(),
                "must not be greater than 100%"));
    }

    /** {@code getIntOrPercentValue}: a non-percent string counts as its Atoi value (0 when unparsable). */
    static long intOrPercentValue(JsonNode value) {
        Long p = percent(value);
        if (p != null) {
            return p;
        }
        if (value.isIntegralNumber()) {
            return value.longValue();
        }
        if (value.isString()) {
            try {
                return Long.parseLong(value.stringValue());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** Non-negative counters of the spec. */
    static List<Cause> counters(JsonNode spec, List<Cause> causes) {
        Long minReady = FieldChecks.integer(spec, "minReadySeconds", "spec.minReadySeconds", causes);
        if (minReady != null) {
            causes.addAll(MetaValidation.validateNonnegative(minReady, "spec.minReadySeconds"));
        }
        Long limit = FieldChecks.integer(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", causes);
        if (limit != null) {
            // Zero is a valid revisionHistoryLimit: it keeps no old revisions.
            causes.addAll(MetaValidation.validateNonnegative(limit, "spec.revisionHistoryLimit"));
        }
        return causes;
    }
}
