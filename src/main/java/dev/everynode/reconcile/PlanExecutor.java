package dev.everynode.reconcile;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.daemonset.DaemonSetLabels;
import dev.everynode.daemonset.DaemonSetStrategy;
import dev.everynode.daemonset.RolloutAnnotations;
import dev.everynode.pod.Termination;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.revision.RevisionHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a plan's actions, in batches: adoptions and releases in one batch update, all creates in one JDBC batch,
 * all deletions in another. A pod on a live node is deleted in two phases (deletionTimestamp now, removal when its
 * agent confirms); a pod whose node is gone, or that already ended, is removed at once. Then the pass's bookkeeping:
 * the failure backoff, the events, the revision history; and, last, the status write.
 */
@Component
class PlanExecutor {

    /**
     * What was done, for the pass's status and its log line: pods created, pods deleted in plan order (removed at
     * once or marked terminating), and what the planner's status needs of it.
     */
    record Outcome(List<StoredObject> created, List<String> deleted, Model.Written written) {}

    /**
     * Where a pass's actions land: the DaemonSet, its current revision, the pods the actions name (by name), the
     * nodes that exist, and the names generated for new pods so far.
     */
    private record Target(StoredObject ds, String hash, Map<String, PodSummaries.Summary> pods, Set<String> nodeNames,
                          Set<String> names) {
        Target(StoredObject ds, String hash, Map<String, PodSummaries.Summary> pods, Set<String> nodeNames) {
            this(ds, hash, pods, nodeNames, new HashSet<>());
        }
    }

    /**
     * The deletes to apply: pods to mark terminating and to remove at once (by uid), the names of both in plan order
     * and of those the names removed at once.
     */
    private record Deleted(List<UUID> terminatingUids, List<UUID> removedUids, List<String> names,
                           Set<String> removed) {

        Set<String> terminating() {
            Set<String> out = new HashSet<>(names);
            out.removeAll(removed);
            return out;
        }
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PlanExecutor.class);

    private final ObjectStore store;
    private final Termination termination;
    private final EventRecorder recorder;
    private final BackoffStore backoffs;
    private final RevisionHistory history;
    private final PodSummaries summaries;

    PlanExecutor(ObjectStore store, Termination termination, EventRecorder recorder, BackoffStore backoffs,
                 RevisionHistory history, PodSummaries summaries) {
        this.store = store;
        this.termination = termination;
        this.recorder = recorder;
        this.backoffs = backoffs;
        this.history = history;
        this.summaries = summaries;
    }

    /** Applies a live pass's plan: claims, deletes, creates; then stores the backoff, the events and the history. */
    Outcome apply(PassReader.Live read, Model.Pass pass, Instant now) {
        StoredObject ds = read.ds();
        Model.Plan plan = pass.plan();
        Target target = new Target(ds, read.hash(), named(read.candidates(), plan.actions()), read.nodeNames());
        claim(target, plan.actions());
        long start = System.nanoTime();
        Deleted deleted = deletes(target, plan.actions());
        List<StoredObject> creates = creates(target, plan.actions(), pass.snapshot().daemonSet().placement(), now);
        long built = System.nanoTime();
        List<StoredObject> created = insert(target, creates, pass.snapshot().daemonSet().placement(), now);
        long inserted = System.nanoTime();
        apply(deleted, now);
        if (creates.size() + deleted.names().size() >= 1000 && log.isInfoEnabled()) {
            log.info("applied daemonSet={}/{} creates={} (built in {} ms, inserted in {} ms) deletes={} ({} ms)",
                    ds.namespace(), ds.name(), created.size(), (built - start) / 1_000_000,
                    (inserted - built) / 1_000_000, deleted.names().size(), (System.nanoTime() - inserted) / 1_000_000);
        }
        Model.Written written = new Model.Written(summaries.remember(ds.uid(), created), deleted.removed(),
                deleted.terminating());
        backoffs.save(ds.uid(), pass.snapshot().backoffByNode(), plan.backoffByNode());
        recorder.record(ds, events(plan, created, deleted.names()));
        Set<String> liveHashes = new HashSet<>();
        pass.snapshot().pods().forEach(p -> liveHashes.add(p.revisionHash()));
        if (!created.isEmpty()) {
            liveHashes.add(read.hash());
        }
        history.cleanup(ds, read.hash(), liveHashes);
        return new Outcome(created, deleted.names(), written);
    }

    /** Applies a foreground deletion's plan: its pods' deletes and, once they are all gone, the DaemonSet's removal. */
    void apply(PassReader.Deleting read, Model.Plan plan, Instant now) {
        StoredObject ds = read.ds();
        apply(deletes(new Target(ds, null, read.pods(), read.nodeNames()), plan.actions()), now);
        if (plan.actions().stream().anyMatch(Action.FinalizeDeletion.class::isInstance)) {
            store.listByOwner("ControllerRevision", ds.uid())
                    .forEach(r -> store.delete("ControllerRevision", r.namespace(), r.name()));
            store.delete("DaemonSet", ds.namespace(), ds.name());
        }
    }

    /** Only the candidates the actions name: a pass over 10,000 pods that deletes three looks up three. */
    private static Map<String, PodSummaries.Summary> named(List<PodSummaries.Summary> pods, List<Action> actions) {
        Set<String> names = new HashSet<>();
        for (Action a : actions) {
            if (a instanceof Action.DeletePod d) {
                names.add(d.podName());
            } else if (a instanceof Action.AdoptPod p) {
                names.add(p.podName());
            } else if (a instanceof Action.ReleasePod p) {
                names.add(p.podName());
            }
        }
        Map<String, PodSummaries.Summary> out = new HashMap<>();
        if (!names.isEmpty()) {
            pods.forEach(p -> {
                if (names.contains(p.view().name())) {
                    out.put(p.view().name(), p);
                }
            });
        }
        return out;
    }

    /** Adoptions and releases: the controller ownerReference set to the DaemonSet or removed (ClaimPods). */
    private void claim(Target target, List<Action> actions) {
        List<UUID> release = new ArrayList<>();
        List<UUID> adopt = new ArrayList<>();
        for (Action a : actions) {
            if (a instanceof Action.ReleasePod r && target.pods().containsKey(r.podName())) {
                release.add(target.pods().get(r.podName()).uid());
            } else if (a instanceof Action.AdoptPod p && target.pods().containsKey(p.podName())) {
                adopt.add(target.pods().get(p.podName()).uid());
            }
        }
        List<StoredObject> rewritten = new ArrayList<>();
        for (StoredObject pod : store.getByUids(release)) {
            rewritten.add(PodFactory.withController(pod, null));
        }
        for (StoredObject pod : store.getByUids(adopt)) {
            rewritten.add(PodFactory.withController(pod, target.ds()));
        }
        if (!rewritten.isEmpty()) {
            store.updateBatch(rewritten);
        }
    }

    private static Deleted deletes(Target target, List<Action> actions) {
        List<UUID> terminating = new ArrayList<>();
        List<UUID> removed = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        Set<String> removedNames = new HashSet<>();
        StoredObject ds = target.ds();
        for (Action action : actions) {
            if (!(action instanceof Action.DeletePod d)) {
                continue;
            }
            PodSummaries.Summary pod = target.pods().get(d.podName());
            if (pod == null) {
                continue;
            }
            if ((d.reason() == Model.DeleteReason.UPDATE || d.reason() == Model.DeleteReason.DUPLICATE)
                    && target.hash().equals(pod.view().revisionHash())) {
                // The rolling update never retires a current pod, and a second live pod on one node is an
                // anomaly: say so, with what the pass saw.
                log.warn("deleting a pod of the current revision daemonSet={}/{} pod={} node={} reason={} view={}",
                        ds.namespace(), ds.name(), d.podName(), d.nodeName(), d.reason(), pod.view());
            }
            Model.Phase phase = pod.view().phase();
            if (!target.nodeNames().contains(d.nodeName()) || phase == Model.Phase.Failed
                    || phase == Model.Phase.Succeeded) {
                removed.add(pod.uid());
                removedNames.add(d.podName());
            } else if (!pod.view().terminating()) {
                terminating.add(pod.uid());
            } else {
                continue;
            }
            deleted.add(d.podName());
        }
        return new Deleted(terminating, removed, deleted, removedNames);
    }

    private void apply(Deleted deleted, Instant now) {
        termination.mark(deleted.terminatingUids(), now);
        store.deleteBatch(deleted.removedUids());
    }

    private static List<StoredObject> creates(Target target, List<Action> actions, Model.Placement placement,
                                              Instant now) {
        long templateGeneration = DaemonSetStrategy.templateGeneration(target.ds().body());
        List<StoredObject> creates = new ArrayList<>();
        for (Action action : actions) {
            if (action instanceof Action.CreatePod c) {
                creates.add(uniquePod(target.names(), target.ds(), c.nodeName(), target.hash(), templateGeneration,
                        placement, now));
            }
        }
        return creates;
    }

    /**
     * Generated names (5 random characters, as Kubernetes') collide: about 3 times among 10,000 pods. Like the API
     * server's generateName, retry a collision with a fresh name; a pod not inserted because the node already has a
     * live pod of this revision (another pass won) stays out.
     */
    private List<StoredObject> insert(Target target, List<StoredObject> creates, Model.Placement placement,
                                      Instant now) {
        StoredObject ds = target.ds();
        long templateGeneration = DaemonSetStrategy.templateGeneration(ds.body());
        List<StoredObject> created = new ArrayList<>();
        List<StoredObject> attempt = creates;
        for (int round = 0; round < 3 && !attempt.isEmpty(); round++) {
            Map<String, Long> inserted = store.insertMany(attempt);
            List<StoredObject> retry = new ArrayList<>();
            for (StoredObject pod : attempt) {
                Long resourceVersion = inserted.get(pod.name());
                if (resourceVersion != null) {
                    created.add(new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(), resourceVersion,
                            pod.generation(), pod.createdAt(), pod.deletionTimestamp(), pod.body()));
                } else {
                    retry.add(uniquePod(target.names(), ds, Json.text(pod.body(), "spec", "nodeName"), target.hash(),
                            templateGeneration, placement, now));
                }
            }
            attempt = retry;
        }
        return created;
    }

    /** A new pod whose generated name is not among {@code names} (which it is added to). */
    private static StoredObject uniquePod(Set<String> names, StoredObject ds, String node, String hash,
                                          long templateGeneration, Model.Placement placement, Instant now) {
        StoredObject pod;
        do {
            pod = PodFactory.newPod(ds, node, hash, templateGeneration, placement, now);
        } while (!names.add(pod.name()));
        return pod;
    }

    private static List<EventRecorder.Event> events(Model.Plan plan, List<StoredObject> created, List<String> deleted) {
        List<EventRecorder.Event> events = new ArrayList<>();
        for (Model.Event e : plan.events()) {
            events.add(new EventRecorder.Event(e.type(), e.reason(), e.message()));
        }
        for (StoredObject p : created) {
            events.add(new EventRecorder.Event("Normal", "SuccessfulCreate", "Created pod: " + p.name()));
        }
        for (String name : deleted) {
            events.add(new EventRecorder.Event("Normal", "SuccessfulDelete", "Deleted pod: " + name));
        }
        return events;
    }

    /**
     * Writes the planned status, and the rollout policies' changes of the DaemonSet with it in one update, only when
     * something changed. Returns when to look again: the plan's recheck; at once after a rollback (a new generation
     * to plan) or when the write was lost to a concurrent update of the DaemonSet (the status must still land).
     *
     * @param templates the revisions' templates by hash, for a rollback (null when the plan cannot roll back)
     */
    Duration apply(PassReader.Live read, Action.WriteStatus w, Map<String, ObjectNode> templates) {
        StoredObject ds = read.ds();
        String hash = read.hash();
        ObjectNode old = ds.body().path("status").isObject() ? (ObjectNode) ds.body().path("status") : Json.object();
        ObjectNode next = StatusConditions.next(old, w, ds.generation());
        ObjectNode body = ds.body().deepCopy();
        long generation = ds.generation();
        Supplier<ObjectNode> annotations = () -> Json.child(Json.child(body, "metadata"), "annotations");
        if (w.promoteCanary()) {
            annotations.get().put(RolloutAnnotations.CANARY_PROMOTED, hash);
        }
        if (w.markStable()) {
            annotations.get().put(RolloutAnnotations.STABLE_REVISION, hash);
        }
        if (w.rollbackTo() != null) {
            Json.child(body, "spec").set("template", templates.get(w.rollbackTo()));
            annotations.get().put(DaemonSetLabels.TEMPLATE_GENERATION_ANNOTATION,
                    Long.toString(DaemonSetStrategy.templateGeneration(ds.body()) + 1));
            generation++;
        }
        if (w.pause()) {
            annotations.get().put(RolloutAnnotations.PAUSED, "true");
        }
        if (w.rolloutFailed() != null) {
            log.warn("rollout failure policy daemonSet={}/{}: {}", ds.namespace(), ds.name(),
                    w.rolloutFailed().message());
        }
        // Compare as stored: a long written here and the same number read back as an int are one value.
        boolean statusSame = Json.MAPPER.readTree(Json.write(next)).equals(old);
        if (statusSame && generation == ds.generation() && body.path("metadata").equals(ds.metadata())
                && body.path("spec").equals(ds.body().path("spec"))) {
            return w.recheck();
        }
        body.set("status", next);
        if (store.update(ds, generation, ds.deletionTimestamp(), body).isPresent()) {
            // A transition is recorded with the state it leads to; a write lost to a concurrent update is not,
            // and the next pass, which sees the old state again, records it then: once in all.
            recorder.recordRolloutState(ds, w.transitions());
            return generation != ds.generation() ? Duration.ZERO : w.recheck();
        }
        // Lost to a concurrent write of the DaemonSet: the status this pass computed must still land.
        return Duration.ZERO;
    }
}
