package dev.everynode.node;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import dev.everynode.apimachinery.validation.MetaValidation;
import dev.everynode.apimachinery.validation.MetaValidation.NameRule;
import dev.everynode.apimachinery.validation.Syntax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** core/v1 Node: metadata and taint validation ({@code ValidateNode}, {@code validateNodeTaints}). */
public final class NodeValidation {

    private static final String[] EFFECTS = {"NoSchedule", "PreferNoSchedule", "NoExecute"};

    private NodeValidation() {
    }

    /** Nodes carry no API defaults we rely on; the empty objects just spare readers null checks. */
    public static void applyDefaults(ObjectNode node) {
        if (!(node.get("spec") instanceof ObjectNode)) {
            node.putObject("spec");
        }
        if (!(node.get("status") instanceof ObjectNode)) {
            node.putObject("status");
        }
    }

    public static List<Cause> validate(ObjectNode node) {
        var causes = new ArrayList<Cause>();
        ObjectNode meta = Trees.obj(node, "metadata");
        causes.addAll(MetaValidation.validateObjectMeta(meta == null ? JsonNodeFactory.instance.objectNode() : meta,
                false, NameRule.DNS1123_SUBDOMAIN));
        causes.addAll(validateTaints(Trees.obj(node, "spec")));
        return causes;
    }

    private static List<Cause> validateTaints(JsonNode spec) {
        var causes = new ArrayList<Cause>();
        JsonNode taints = spec == null ? null : spec.get("taints");
        if (taints == null || !taints.isArray()) {
            return causes;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < taints.size(); i++) {
            JsonNode taint = taints.get(i);
            String at = "spec.taints[" + i + "]";
            String key = Trees.str(taint, "key");
            String value = Trees.str(taint, "value");
            String effect = Trees.str(taint, "effect");
            causes.addAll(MetaValidation.validateLabelName(key, at + ".key"));
            List<String> errs = Syntax.isValidLabelValue(value);
            if (!errs.isEmpty()) {
                causes.add(Cause.invalid(at + ".value", value, String.join(";", errs)));
            }
            causes.addAll(validateTaintEffect(effect, false, at + ".effect"));
            // A NUL separator cannot occur in a qualified-name key, so the pair is unambiguous.
            if (!seen.add(effect + '\0' + key)) {
                Cause dup = Cause.duplicate(at, Trees.rendered(taint));
                causes.add(new Cause(dup.reason(), dup.field(),
                        dup.message() + ": taints must be unique by key and effect pair"));
            }
        }
        return causes;
    }

    /** {@code validateTaintEffect}; tolerations allow an empty effect (all effects), taints do not. */
    public static List<Cause> validateTaintEffect(String effect, boolean allowEmpty, String fieldPath) {
        if (!allowEmpty && effect.isEmpty()) {
            return List.of(Cause.required(fieldPath, ""));
        }
        if (List.of(EFFECTS).contains(effect)) {
            return List.of();
        }
        return List.of(Cause.notSupported(fieldPath, effect, EFFECTS));
    }
}
