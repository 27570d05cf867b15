package dev.everynode.reconcile;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.selector.LabelSelector;
import dev.everynode.daemonset.DaemonSetLabels;
import dev.everynode.daemonset.DaemonSetStrategy;
import dev.everynode.daemonset.RolloutAnnotations;
import dev.everynode.node.ReadyCondition;
import dev.everynode.pod.PodConditions;
import dev.everynode.reconcile.plan.FailurePolicy;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.StatusWrite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Maps stored objects to the planner's plain records. Pure mapping; the reads happen in the reconciler. */
final class SnapshotReader {

    private SnapshotReader() {}

    static Model.DaemonSetView daemonSet(StoredObject ds, String currentHash) {
        ObjectNode body = ds.body();
        JsonNode spec = body.path("spec");
        JsonNode podSpec = spec.path("template").path("spec");
        JsonNode selector = spec.get("selector");
        boolean selectorEmpty = selector != null && selector.isObject()
                && selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty();
        JsonNode status = body.path("status");
        return new Model.DaemonSetView(ds.namespace(), ds.name(), ds.uid().toString(), ds.generation(),
                status.path("observedGeneration").asLong(0), currentHash,
                DaemonSetStrategy.templateGeneration(body), placement(podSpec), strategy(body, currentHash),
                spec.path("minReadySeconds").asInt(0), selectorEmpty, ds.deletionTimestamp() != null);
    }

    static Model.Placement placement(JsonNode podSpec) {
        List<Model.NodeSelectorTerm> terms = null;
        JsonNode required = podSpec.path("affinity").path("nodeAffinity")
                .path("requiredDuringSchedulingIgnoredDuringExecution");
        if (required.isObject()) {
            terms = new ArrayList<>();
            for (JsonNode term : required.path("nodeSelectorTerms")) {
                terms.add(new Model.NodeSelectorTerm(requirements(term.path("matchExpressions")),
                        requirements(term.path("matchFields"))));
            }
        }
        List<Model.Toleration> tolerations = new ArrayList<>();
        for (JsonNode t : podSpec.path("tolerations")) {
            tolerations.add(new Model.Toleration(t.path("key").asString(""), t.path("operator").asString(""),
                    t.path("value").asString(""), t.path("effect").asString("")));
        }
        return new Model.Placement(podSpec.path("nodeName").asString(""), Json.stringMap(podSpec.get("nodeSelector")),
                terms, tolerations, podSpec.path("hostNetwork").asBoolean(false));
    }

    private static List<Model.Requirement> requirements(JsonNode list) {
        List<Model.Requirement> out = new ArrayList<>();
        for (JsonNode r : list) {
            List<String> values = new ArrayList<>();
            r.path("values").forEach(v -> values.add(v.asString()));
            out.add(new Model.Requirement(r.path("key").asString(""), r.path("operator").asString(""), values));
        }
        return out;
    }

    static Model.Strategy strategy(ObjectNode ds, String currentHash) {
        JsonNode strategy = ds.path("spec").path("updateStrategy");
        JsonNode rolling = strategy.path("rollingUpdate");
        return new Model.Strategy(strategy.path("type").asString("RollingUpdate"), intOrPercent(rolling.get("maxUnavailable")),
                intOrPercent(rolling.get("maxSurge")), partition(RolloutAnnotations.partition(ds)),
                RolloutAnnotations.paused(ds), policy(ds, currentHash));
    }

    /** The rollout policies of the annotations (issue 17); validation has refused malformed values. */
    static Model.Policy policy(ObjectNode ds, String currentHash) {
        String canary = RolloutAnnotations.intOrPercent(ds, RolloutAnnotations.CANARY);
        String perDomain = RolloutAnnotations.intOrPercent(ds, RolloutAnnotations.MAX_UNAVAILABLE_PER_DOMAIN);
        String selector = RolloutAnnotations.text(ds, RolloutAnnotations.NODE_SELECTOR);
        String key = RolloutAnnotations.text(ds, RolloutAnnotations.TOPOLOGY_KEY);
        String promoted = RolloutAnnotations.text(ds, RolloutAnnotations.CANARY_PROMOTED);
        if (canary == null && perDomain == null && selector == null) {
            return Model.Policy.NONE;
        }
        return new Model.Policy(partition(canary), promoted != null && promoted.equals(currentHash),
                selector == null ? null : selectorRequirements(selector),
                key == null ? Model.Policy.DEFAULT_TOPOLOGY_KEY : key, partition(perDomain));
    }

    /** A label selector string as the planner's node selector requirements; a malformed one selects nothing. */
    static List<Model.Requirement> selectorRequirements(String selector) {
        List<Model.Requirement> out = new ArrayList<>();
        try {
            for (LabelSelector.Requirement r : LabelSelector.parse(selector).requirements()) {
                String op = switch (r.operator()) {
                    case EQUALS, DOUBLE_EQUALS, IN -> "In";
                    case NOT_EQUALS, NOT_IN -> "NotIn";
                    case EXISTS -> "Exists";
                    case DOES_NOT_EXIST -> "DoesNotExist";
                    case GT -> "Gt";
                    case LT -> "Lt";
                };
                out.add(new Model.Requirement(r.key(), op, r.values()));
            }
        } catch (IllegalArgumentException e) {
            return List.of(new Model.Requirement("", "In", List.of()));
        }
        return out;
    }

    private static Model.IntOrPercent partition(String value) {
        if (value == null) {
            return null;
        }
        return value.endsWith("%") ? Model.IntOrPercent.percent(value) : Model.IntOrPercent.of(Integer.parseInt(value));
    }

    static Model.IntOrPercent intOrPercent(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isNumber()) {
            return Model.IntOrPercent.of(value.intValue());
        }
        String s = value.asString();
        if (s.endsWith("%")) {
            return Model.IntOrPercent.percent(s);
        }
        try {
            return Model.IntOrPercent.of(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The rollout settings of the annotations, for the status write and the rollout view. */
    static StatusWrite.Rollout rollout(ObjectNode ds) {
        boolean rolling = "RollingUpdate".equals(ds.path("spec").path("updateStrategy").path("type").asString(""));
        Long deadline = RolloutAnnotations.progressDeadlineSeconds(ds);
        Long auto = RolloutAnnotations.seconds(ds, RolloutAnnotations.CANARY_AUTO_PROMOTE);
        Long readyTimeout = RolloutAnnotations.seconds(ds, RolloutAnnotations.READY_TIMEOUT);
        return new StatusWrite.Rollout(rolling, deadline == null ? StatusWrite.DEFAULT_PROGRESS_DEADLINE
                : Duration.ofSeconds(deadline), auto == null ? null : Duration.ofSeconds(auto),
                RolloutAnnotations.text(ds, RolloutAnnotations.STABLE_REVISION),
                new FailurePolicy.Config(RolloutAnnotations.failurePolicy(ds), RolloutAnnotations.maxFailureRatio(ds),
                        readyTimeout == null ? null : Duration.ofSeconds(readyTimeout)));
    }

    static Model.NodeView node(StoredObject node) {
        ObjectNode body = node.body();
        List<Model.Taint> taints = new ArrayList<>();
        for (JsonNode t : body.path("spec").path("taints")) {
            taints.add(new Model.Taint(t.path("key").asString(""), t.path("value").asString(""),
                    t.path("effect").asString("")));
        }
        return new Model.NodeView(node.name(), Json.stringMap(body.path("metadata").get("labels")), taints,
                ReadyCondition.isTrue(body));
    }

    static Model.PodView pod(StoredObject pod) {
        ObjectNode body = pod.body();
        PodConditions.Readiness readiness = PodConditions.readiness(body, pod.createdAt());
        return Model.PodView.of(pod.name(), Json.text(body, "spec", "nodeName"), DaemonSetLabels.revisionHash(body),
                Json.text(body, "metadata", "labels", DaemonSetLabels.TEMPLATE_GENERATION),
                Json.text(body, "status", "phase"), readiness.ready(), readiness.since(), pod.createdAt(),
                pod.deletionTimestamp() != null);
    }
}
