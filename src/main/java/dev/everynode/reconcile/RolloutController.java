package dev.everynode.reconcile;

import dev.everynode.apimachinery.codec.Codec;
import dev.everynode.apimachinery.endpoint.ResourceService;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.daemonset.DaemonSetLabels;
import dev.everynode.daemonset.DaemonSetResource;
import dev.everynode.daemonset.DaemonSetStrategy;
import dev.everynode.daemonset.RollbackRequest;
import dev.everynode.daemonset.RolloutAnnotations;
import dev.everynode.daemonset.RolloutStatus;
import dev.everynode.reconcile.plan.FailurePolicy;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.Progress;
import dev.everynode.reconcile.plan.RolloutCounts;
import dev.everynode.reconcile.plan.RolloutNodes;
import dev.everynode.revision.TemplateHash;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rollout status and rollback for people and agents without kubectl: what {@code kubectl rollout status} would
 * print, the reason of the Progressing condition (RolloutPaused and RolloutPartitioned among them), pods per
 * revision and which nodes are pending, updating, held or unavailable; and
 * {@code kubectl rollout undo} as one POST, with kubectl's messages.
 */
@RestController
@Tag(name = "Rollouts", description = "Rollout status and rollback of a DaemonSet")
class RolloutController {

    private static final String BASE = "/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}";

    private final ResourceService resources;
    private final ObjectStore store;
    private final DaemonSetStrategy daemonSets;
    private final java.time.Clock clock;
    private final BackoffStore backoffs;

    RolloutController(ResourceService resources, ObjectStore store, DaemonSetStrategy daemonSets,
                      java.time.Clock clock, BackoffStore backoffs) {
        this.resources = resources;
        this.store = store;
        this.daemonSets = daemonSets;
        this.clock = clock;
        this.backoffs = backoffs;
    }

    @GetMapping(BASE + "/rollout")
    @Operation(summary = "Rollout status", description = "{done, message, reason, revisions, nodes}: message is "
            + "exactly what `kubectl rollout status` prints; reason is the Progressing condition's "
            + "(RolloutProgressing, RolloutComplete, RolloutPaused, RolloutPartitioned, ProgressDeadlineExceeded); "
            + "nodes are pending, updating, held (kept on an older revision by the partition or the pause) or "
            + "unavailable. With the rollout policies of issue 17 also canary {size, updated, available, promoted, "
            + "state: Updating|Waiting|Promoted|Complete, autoPromoteSeconds}, waves {topologyKey, "
            + "maxUnavailablePerDomain, inFlight, domains: [{name, nodes, updated, available, state: "
            + "Done|InFlight|Waiting|Held}]} and failurePolicy {action, maxFailureRatio, readyTimeoutSeconds, "
            + "stableRevision, tried, failing, decision: {reason, message, generation} or null}. With "
            + "cells=true also cells: one per node, by name, {node, state, revision, hash} with state Updated, "
            + "Updating, Unavailable, Old, Held, Misscheduled or NotScheduled (the rollout view's grid).")
    ResponseEntity<byte[]> rollout(@PathVariable String namespace, @PathVariable String name,
                                   @RequestParam(defaultValue = "false") boolean cells,
                                   @RequestHeader(value = "Accept", required = false) String accept) {
        StoredObject ds = resources.get(DaemonSetResource.TYPE, namespace, name);
        ObjectNode out = RolloutStatus.of(ds.body());
        List<StoredObject> pods = store.listByOwner("Pod", ds.uid());
        List<StoredObject> revisions = store.listByOwner("ControllerRevision", ds.uid());
        Model.DaemonSetView view = SnapshotReader.daemonSet(ds, RolloutRevision.currentHash(store, ds));
        List<Model.NodeView> nodes = store.list("Node", null).stream().map(SnapshotReader::node).toList();
        List<Model.PodView> podViews = pods.stream().map(SnapshotReader::pod).toList();
        Model.Snapshot snapshot = new Model.Snapshot(view, nodes, podViews, backoffs.load(ds.uid()));
        out.set("revisions", revisions(revisions, RolloutCounts.revisions(snapshot)));
        java.time.Instant now = clock.instant();
        out.set("nodes", nodes(snapshot, now));
        if (cells) {
            out.set("cells", cells(snapshot, revisions, now));
        }
        Progress.Condition progressing = StatusConditions.progressing(ds.body().path("status"));
        if (progressing != null) {
            out.put("reason", progressing.reason());
        }
        policies(ds, snapshot, progressing, now, out);
        JsonNode conditions = ds.body().path("status").get("conditions");
        if (conditions != null) {
            out.set("conditions", conditions.deepCopy());
        }
        return Codec.respond(HttpStatus.OK, out, accept);
    }

    @PostMapping(BASE + "/rollback")
    @Operation(summary = "Roll back to a revision (kubectl rollout undo)", description = "toRevision 0 = the previous "
            + "revision. Patches the template, which the reconciler then rolls out with the DaemonSet's strategy.")
    ResponseEntity<byte[]> rollback(
            @PathVariable String namespace, @PathVariable String name,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = "{\"toRevision\": 0}")))
            @RequestBody(required = false) byte[] body,
            @RequestHeader(value = "Content-Type", required = false) String contentType,
            @RequestHeader(value = "Accept", required = false) String accept) {
        long toRevision = RollbackRequest.toRevision(body, contentType);
        StoredObject ds = resources.get(DaemonSetResource.TYPE, namespace, name);
        if (toRevision < 0) {
            throw ApiException.badRequest("unable to find specified revision " + toRevision + " in history");
        }
        List<StoredObject> history = new ArrayList<>(store.listByOwner("ControllerRevision", ds.uid()));
        history.sort(Comparator.comparingLong(r -> r.body().path("revision").asLong(0)));
        StoredObject target;
        if (toRevision == 0) {
            if (history.size() <= 1) {
                throw ApiException.badRequest("no last revision to roll back to");
            }
            target = history.get(history.size() - 2);
        } else {
            target = history.stream().filter(r -> r.body().path("revision").asLong(0) == toRevision).findFirst()
                    .orElseThrow(() -> new ApiException(404, "NotFound", "unable to find specified revision "
                            + toRevision + " in history", name, "apps", "daemonsets", null));
        }
        ObjectNode template = RolloutRevision.template(target);
        long number = target.body().path("revision").asLong();
        ObjectNode out = Json.object();
        if (template.equals(ds.body().path("spec").path("template"))) {
            out.put("message", "daemonset.apps/" + name + " skipped rollback (current template already matches "
                    + "revision " + number + ")");
        } else {
            resources.write(daemonSets, namespace, name, false, current -> {
                Json.child(current, "spec").set("template", template);
                return current;
            }, false);
            out.put("message", "daemonset.apps/" + name + " rolled back");
        }
        out.put("revision", number);
        return Codec.respond(HttpStatus.OK, out, accept);
    }

    @PostMapping(BASE + "/promote")
    @Operation(summary = "Promote the canary", description = "Lets a canary rollout (annotation "
            + "everynode.dev/rollout-canary) go on to every node: records the current template's revision hash in "
            + "everynode.dev/rollout-canary-promoted, which is what `kubectl annotate` can write too. A new template "
            + "has a new hash and needs its own promotion. 400 when the DaemonSet has no canary; the body is "
            + "ignored.")
    ResponseEntity<byte[]> promote(@PathVariable String namespace, @PathVariable String name,
                                   @RequestHeader(value = "Accept", required = false) String accept) {
        StoredObject ds = resources.get(DaemonSetResource.TYPE, namespace, name);
        if (RolloutAnnotations.intOrPercent(ds.body(), RolloutAnnotations.CANARY) == null) {
            throw ApiException.badRequest("daemon set \"" + name + "\" has no canary to promote (annotation "
                    + RolloutAnnotations.CANARY + " is not set)");
        }
        ObjectNode out = Json.object();
        String[] promoted = new String[1];
        resources.write(daemonSets, namespace, name, false, current -> {
            JsonNode status = current.path("status");
            promoted[0] = TemplateHash.compute(current.path("spec").path("template"),
                    status.path("collisionCount").isNumber() ? status.path("collisionCount").intValue() : null);
            Json.child(Json.child(current, "metadata"), "annotations").put(RolloutAnnotations.CANARY_PROMOTED,
                    promoted[0]);
            return current;
        }, false);
        boolean already = promoted[0].equals(RolloutAnnotations.text(ds.body(), RolloutAnnotations.CANARY_PROMOTED));
        out.put("message", "daemonset.apps/" + name + (already ? " already promoted" : " promoted"));
        out.put("revision", promoted[0]);
        return Codec.respond(HttpStatus.OK, out, accept);
    }

    private static ArrayNode revisions(List<StoredObject> revisions, Map<String, RolloutCounts.Revision> counts) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        revisions.stream().sorted(Comparator.comparingLong(r -> -r.body().path("revision").asLong(0))).forEach(r -> {
            String hash = DaemonSetLabels.revisionHash(r.body());
            RolloutCounts.Revision c = counts.getOrDefault(hash, new RolloutCounts.Revision(0, 0));
            out.addObject().put("revision", r.body().path("revision").asLong()).put("hash", hash)
                    .put("name", r.name()).put("pods", c.pods()).put("ready", c.ready());
        });
        return out;
    }

    /** Per node: pending, updating, held (by the partition or the pause), unavailable; see {@link RolloutNodes}. */
    private static ObjectNode nodes(Model.Snapshot snapshot, java.time.Instant now) {
        RolloutNodes.Nodes states = RolloutNodes.of(snapshot, now);
        ObjectNode out = Json.object();
        out.set("pending", names(states.pending()));
        out.set("updating", names(states.updating()));
        out.set("held", names(states.held()));
        out.set("unavailable", names(states.unavailable()));
        return out;
    }

    /** The canary, the waves and the failure policy (issue 17), each only when the DaemonSet sets it. */
    private static void policies(StoredObject ds, Model.Snapshot snapshot, Progress.Condition progressing,
                                 java.time.Instant now, ObjectNode out) {
        ObjectNode body = ds.body();
        Model.Policy policy = snapshot.daemonSet().strategy().policy();
        JsonNode status = body.path("status");
        String reason = progressing == null ? "" : progressing.reason();
        if (policy.canary() != null) {
            RolloutCounts.Canary counts = RolloutCounts.canary(snapshot, RolloutCounts.status(snapshot, now));
            String state = policy.canaryPromoted() ? "Promoted" : Progress.CANARY_WAITING.equals(reason) ? "Waiting"
                    : Progress.COMPLETE.equals(reason) ? "Complete" : "Updating";
            ObjectNode canary = out.putObject("canary");
            canary.put("size", counts.size());
            canary.put("updated", counts.updated());
            canary.put("available", counts.available());
            canary.put("promoted", policy.canaryPromoted());
            canary.put("state", state);
            Long auto = RolloutAnnotations.seconds(body, RolloutAnnotations.CANARY_AUTO_PROMOTE);
            if (auto != null) {
                canary.put("autoPromoteSeconds", auto);
            }
        }
        if (policy.waves()) {
            ObjectNode waves = out.putObject("waves");
            waves.put("topologyKey", policy.topologyKey());
            waves.put("maxUnavailablePerDomain", RolloutAnnotations.intOrPercent(body,
                    RolloutAnnotations.MAX_UNAVAILABLE_PER_DOMAIN));
            ArrayNode domains = waves.putArray("domains");
            String inFlight = null;
            for (RolloutNodes.Domain d : RolloutNodes.waves(snapshot, now)) {
                domains.addObject().put("name", d.name()).put("nodes", d.nodes()).put("updated", d.updated())
                        .put("available", d.available()).put("state", d.state());
                inFlight = "InFlight".equals(d.state()) ? d.name() : inFlight;
            }
            if (inFlight == null) {
                waves.putNull("inFlight");
            } else {
                waves.put("inFlight", inFlight);
            }
        }
        FailurePolicy.Config config = SnapshotReader.rollout(body).failure();
        if (config.action() != null) {
            java.time.Duration readyTimeout = config.readyTimeout();
            FailurePolicy.Health health = FailurePolicy.health(snapshot, readyTimeout, now);
            ObjectNode failure = out.putObject("failurePolicy");
            failure.put("action", config.action());
            Double ratio = config.maxFailureRatio();
            if (ratio == null) {
                failure.putNull("maxFailureRatio");
            } else {
                failure.put("maxFailureRatio", ratio);
            }
            failure.put("readyTimeoutSeconds", readyTimeout.toSeconds());
            failure.put("stableRevision", RolloutAnnotations.text(body, RolloutAnnotations.STABLE_REVISION));
            failure.put("tried", health.tried());
            failure.put("failing", health.failing());
            Model.RolloutFailed failed = StatusConditions.rolloutFailed(status);
            if (failed == null) {
                failure.putNull("decision");
            } else {
                failure.putObject("decision").put("reason", failed.reason()).put("message", failed.message())
                        .put("generation", failed.observedGeneration());
            }
        }
    }

    /** The grid: one cell per node with its state and the revision number of the pod it runs. */
    private static ArrayNode cells(Model.Snapshot snapshot, List<StoredObject> revisions, java.time.Instant now) {
        Map<String, Long> numbers = new HashMap<>();
        for (StoredObject r : revisions) {
            numbers.put(DaemonSetLabels.revisionHash(r.body()),
                    r.body().path("revision").asLong());
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (RolloutNodes.Cell cell : RolloutNodes.cells(snapshot, now)) {
            ObjectNode o = out.addObject().put("node", cell.node()).put("state", cell.state());
            Long number = cell.revisionHash() == null ? null : numbers.get(cell.revisionHash());
            if (number == null) {
                o.putNull("revision");
            } else {
                o.put("revision", number);
            }
            o.put("hash", cell.revisionHash());
        }
        return out;
    }

    private static ArrayNode names(List<String> names) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        names.forEach(out::add);
        return out;
    }
}
