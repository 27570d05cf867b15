package dev.everynode.daemonset;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import dev.everynode.apimachinery.validation.MetaValidation;
import dev.everynode.apimachinery.validation.Syntax;
import dev.everynode.node.NodeValidation;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Node placement rules of a pod spec: required node affinity and tolerations (core validation). */
final class SchedulingValidation {

    private SchedulingValidation() {
    }

    /** {@code validateNodeAffinity}: only the required part has rules the DaemonSet controller relies on. */
    static List<Cause> affinity(JsonNode spec, String path) {
        var causes = new ArrayList<Cause>();
        JsonNode required = Trees.obj(Trees.obj(Trees.obj(spec, "affinity"), "nodeAffinity"),
                "requiredDuringSchedulingIgnoredDuringExecution");
        if (required == null) {
            return causes;
        }
        String termsPath = path + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                + ".nodeSelectorTerms";
        List<JsonNode> terms = FieldChecks.items(required, "nodeSelectorTerms");
        if (terms.isEmpty()) {
            causes.add(Cause.required(termsPath, "must have at least one node selector term"));
            return causes;
        }
        for (int i = 0; i < terms.size(); i++) {
            String at = termsPath + "[" + i + "]";
            List<JsonNode> exprs = FieldChecks.items(terms.get(i), "matchExpressions");
            for (int j = 0; j < exprs.size(); j++) {
                causes.addAll(nodeSelectorRequirement(exprs.get(j), at + ".matchExpressions[" + j + "]"));
            }
            List<JsonNode> fields = FieldChecks.items(terms.get(i), "matchFields");
            for (int j = 0; j < fields.size(); j++) {
                causes.addAll(nodeFieldSelectorRequirement(fields.get(j), at + ".matchFields[" + j + "]"));
            }
        }
        return causes;
    }

    /** {@code ValidateNodeSelectorRequirement}: label selector operators plus Gt/Lt with a single value. */
    static List<Cause> nodeSelectorRequirement(JsonNode req, String path) {
        var causes = new ArrayList<Cause>();
        String operator = Trees.str(req, "operator");
        int values = Trees.size(req, "values");
        switch (operator) {
            case "In", "NotIn" -> {
                if (values == 0) {
                    causes.add(Cause.required(path + ".values",
                            "must be specified when `operator` is 'In' or 'NotIn'"));
                }
            }
            case "Exists", "DoesNotExist" -> {
                if (values > 0) {
                    causes.add(Cause.forbidden(path + ".values",
                            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                }
            }
            case "Gt", "Lt" -> {
                if (values != 1) {
                    causes.add(Cause.required(path + ".values",
                            "must be specified single value when `operator` is 'Lt' or 'Gt'"));
                }
            }
            default -> causes.add(Cause.invalid(path + ".operator", operator, "not a valid selector operator"));
        }
        causes.addAll(MetaValidation.validateLabelName(Trees.str(req, "key"), path + ".key"));
        causes.addAll(MetaValidation.validateValues(req, path + ".values"));
        return causes;
    }

    /** {@code ValidateNodeFieldSelectorRequirement}: only metadata.name, In/NotIn with exactly one node name. */
    static List<Cause> nodeFieldSelectorRequirement(JsonNode req, String path) {
        var causes = new ArrayList<Cause>();
        String operator = Trees.str(req, "operator");
        if (operator.equals("In") || operator.equals("NotIn")) {
            if (Trees.size(req, "values") != 1) {
                causes.add(Cause.required(path + ".values",
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
            }
        } else {
            causes.add(Cause.invalid(path + ".operator", operator, "not a valid selector operator"));
        }
        String key = Trees.str(req, "key");
        if (!key.equals("metadata.name")) {
            causes.add(Cause.invalid(path + ".key", key, "not a valid field selector key"));
            return causes;
        }
        List<JsonNode> values = FieldChecks.items(req, "values");
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i).isString() ? values.get(i).stringValue() : values.get(i).toString();
            for (String msg : Syntax.isDns1123Subdomain(v)) {
                causes.add(Cause.invalid(path + ".values[" + i + "]", v, msg));
            }
        }
        return causes;
    }

    /** {@code ValidateTolerations}. */
    static List<Cause> tolerations(JsonNode spec, String path) {
        var causes = new ArrayList<Cause>();
        List<JsonNode> tolerations = FieldChecks.items(spec, "tolerations");
        for (int i = 0; i < tolerations.size(); i++) {
            JsonNode t = tolerations.get(i);
            String at = path + "[" + i + "]";
            String key = Trees.str(t, "key");
            String operator = Trees.str(t, "operator");
            String value = Trees.str(t, "value");
            String effect = Trees.str(t, "effect");
            if (!key.isEmpty()) {
                causes.addAll(MetaValidation.validateLabelName(key, at + ".key"));
            }
            if (key.isEmpty() && !operator.equals("Exists")) {
                causes.add(Cause.invalid(at + ".operator", operator,
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            if (Trees.present(t, "tolerationSeconds") && !effect.equals("NoExecute")) {
                causes.add(Cause.invalid(at + ".effect", effect,
                        "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
            FieldChecks.integer(t, "tolerationSeconds", at + ".tolerationSeconds", causes);
            switch (operator) {
                case "Equal", "" -> {
                    List<String> errs = Syntax.isValidLabelValue(value);
                    if (!errs.isEmpty()) {
                        causes.add(Cause.invalid(at + ".operator", value, String.join(";", errs)));
                    }
                }
                case "Exists" -> {
                    if (!value.isEmpty()) {
                        causes.add(Cause.invalid(at + ".operator", Trees.rendered(t),
                                "value must be empty when `operator` is 'Exists'"));
                    }
                }
                default -> causes.add(Cause.notSupported(at + ".operator", operator, "Equal", "Exists"));
            }
            if (!effect.isEmpty()) {
                causes.addAll(NodeValidation.validateTaintEffect(effect, true, at + ".effect"));
            }
        }
        return causes;
    }
}
