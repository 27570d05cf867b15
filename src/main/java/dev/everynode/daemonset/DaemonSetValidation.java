package dev.everynode.daemonset;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import dev.everynode.apimachinery.validation.MetaValidation;
import dev.everynode.apimachinery.validation.MetaValidation.NameRule;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Defaulting and validation of apps/v1 DaemonSets with Kubernetes' field paths and messages. The API layer is
 * expected to call {@link #applyDefaults} before {@link #validate}, as the apiserver does; validation nevertheless
 * accepts absent defaultable fields so that raw manifests can be checked too.
 */
public final class DaemonSetValidation {

    /** Status counters checked by {@code ValidateDaemonSetStatus}, in Kubernetes' order. */
    private static final String[] STATUS_COUNTERS = {"currentNumberScheduled", "numberMisscheduled",
        "desiredNumberScheduled", "numberReady", "observedGeneration", "updatedNumberScheduled", "numberAvailable",
        "numberUnavailable"};

    private DaemonSetValidation() {
    }

    /** {@code SetDefaults_DaemonSet} plus the core pod-template defaults. */
    public static void applyDefaults(ObjectNode ds) {
        ObjectNode spec = Trees.obj(ds, "spec");
        if (spec == null) {
            return;
        }
        ObjectNode strategy = Trees.obj(spec, "updateStrategy");
        if (strategy == null) {
            strategy = spec.putObject("updateStrategy");
        }
        if (Trees.str(strategy, "type").isEmpty()) {
            strategy.put("type", "RollingUpdate");
        }
        if ("RollingUpdate".equals(Trees.str(strategy, "type"))) {
            ObjectNode rolling = Trees.obj(strategy, "rollingUpdate");
            if (rolling == null) {
                rolling = strategy.putObject("rollingUpdate");
            }
            if (!Trees.present(rolling, "maxUnavailable")) {
                rolling.put("maxUnavailable", 1);
            }
            if (!Trees.present(rolling, "maxSurge")) {
                rolling.put("maxSurge", 0);
            }
        }
        if (!Trees.present(spec, "revisionHistoryLimit")) {
            spec.put("revisionHistoryLimit", 10);
        }
        ObjectNode template = Trees.obj(spec, "template");
        if (template != null) {
            PodTemplateDefaults.apply(template);
        }
    }

    /** {@code ValidateDaemonSet} on create; the namespace's presence is the caller's business. */
    public static List<Cause> validate(ObjectNode ds) {
        var causes = new ArrayList<Cause>();
        ObjectNode meta = Trees.obj(ds, "metadata");
        causes.addAll(MetaValidation.validateObjectMeta(meta == null ? empty() : meta, true,
                NameRule.DNS1123_SUBDOMAIN));
        ObjectNode spec = Trees.obj(ds, "spec");
        causes.addAll(DaemonSetSpecRules.selector(spec));
        causes.addAll(PodTemplateValidation.validate(Trees.obj(spec, "template"), "spec.template"));
        DaemonSetSpecRules.counters(spec, causes);
        causes.addAll(DaemonSetSpecRules.updateStrategy(spec));
        return causes;
    }

    /** {@code ValidateDaemonSetUpdate}: full validation, immutable identity and (apps/v1) immutable selector. */
    public static List<Cause> validateUpdate(ObjectNode newDs, ObjectNode oldDs) {
        var causes = new ArrayList<Cause>();
        ObjectNode newMeta = Trees.obj(newDs, "metadata");
        ObjectNode oldMeta = Trees.obj(oldDs, "metadata");
        for (String key : new String[] {"name", "namespace", "uid"}) {
            String now = Trees.str(newMeta, key);
            if (!now.equals(Trees.str(oldMeta, key))) {
                causes.add(Cause.invalid("metadata." + key, now, "field is immutable"));
            }
        }
        causes.addAll(validate(newDs));
        JsonNode newSelector = selectorOf(newDs);
        if (!java.util.Objects.equals(normalized(newSelector), normalized(selectorOf(oldDs)))) {
            causes.add(Cause.invalid("spec.selector", DaemonSetSpecRules.render(newSelector), "field is immutable"));
        }
        return causes;
    }

    /** {@code ValidateDaemonSetStatus}: every counter and observedGeneration must be non-negative. */
    public static List<Cause> validateStatus(ObjectNode status) {
        var causes = new ArrayList<Cause>();
        for (String counter : STATUS_COUNTERS) {
            Long value = FieldChecks.integer(status, counter, "status." + counter, causes);
            if (value != null) {
                causes.addAll(MetaValidation.validateNonnegative(value, "status." + counter));
            }
        }
        Long collisions = FieldChecks.integer(status, "collisionCount", "status.collisionCount", causes);
        if (collisions != null) {
            causes.addAll(MetaValidation.validateNonnegative(collisions, "status.collisionCount"));
        }
        return causes;
    }

    /** {@code ValidateDaemonSetStatusUpdate}: status rules plus a collisionCount that never goes down. */
    public static List<Cause> validateStatusUpdate(ObjectNode newStatus, ObjectNode oldStatus) {
        var causes = new ArrayList<Cause>(validateStatus(newStatus));
        JsonNode now = newStatus == null ? null : newStatus.get("collisionCount");
        JsonNode before = oldStatus == null ? null : oldStatus.get("collisionCount");
        if (before != null && before.isIntegralNumber()) {
            long value = now != null && now.isIntegralNumber() ? now.longValue() : 0;
            if (now == null || now.isNull() || value < before.longValue()) {
                causes.add(Cause.invalid("status.collisionCount", value, "cannot be decremented"));
            }
        }
        return causes;
    }

    private static JsonNode selectorOf(ObjectNode ds) {
        ObjectNode spec = Trees.obj(ds, "spec");
        return spec == null ? null : spec.get("selector");
    }

    /** Semantic equality treats nil and empty maps/slices alike, so empty parts are dropped before comparing. */
    private static JsonNode normalized(JsonNode selector) {
        if (selector == null || selector.isNull()) {
            return null;
        }
        ObjectNode out = empty();
        if (Trees.size(selector, "matchLabels") > 0) {
            out.set("matchLabels", selector.get("matchLabels"));
        }
        if (Trees.size(selector, "matchExpressions") > 0) {
            out.set("matchExpressions", selector.get("matchExpressions"));
        }
        return out;
    }

    private static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }
}
