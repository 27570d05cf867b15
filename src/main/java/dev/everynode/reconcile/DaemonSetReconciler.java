package dev.everynode.reconcile;

import dev.everynode.apimachinery.Json;
import dev.everynode.apimachinery.LabelSelector;
import dev.everynode.apimachinery.ObjectStore;
import dev.everynode.apimachinery.StoredObject;
import dev.everynode.daemonset.DaemonSetLabels;
import dev.everynode.daemonset.DaemonSetStrategy;
import dev.everynode.platform.EverynodeProperties;
import dev.everynode.pod.Termination;
import dev.everynode.reconcile.plan.FailurePolicy;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.Planner;
import dev.everynode.reconcile.plan.Progress;
import dev.everynode.daemonset.RolloutAnnotations;
import dev.everynode.revision.RevisionHistory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One reconcile pass for one DaemonSet, in one transaction: take the DaemonSet's lock, read the full picture
 * (DaemonSet, revisions, claimed pods, nodes, backoff), let the pure planner decide, apply its actions in
 * batches, record events, write status if it changed. Level-based: every pass starts from the database.
 */
@Component
class DaemonSetReconciler {

    /** What the pass asks of the queue afterwards. */
    record Result(Duration requeueAfter) {}

    private final ObjectStore store;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final RevisionHistory history;
    private final PlanExecutor executor;
    private final EventRecorder recorder;
    private final BackoffStore backoffs;
    private final NodeCache nodeCache;
    private final PodSummaries summaries;
    private final Termination termination;
    private final Clock clock;
    private final int burstLimit;

    private static final long DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DaemonSetReconciler.class);

    DaemonSetReconciler(ObjectStore store, JdbcTemplate jdbc, TransactionTemplate tx, RevisionHistory history,
                        PlanExecutor executor, EventRecorder recorder, BackoffStore backoffs, NodeCache nodeCache,
                        PodSummaries summaries, Termination termination,
                        Clock clock,
                        EverynodeProperties.Reconcile settings) {
        this.store = store;
        this.jdbc = jdbc;
        this.tx = tx;
        this.history = history;
        this.executor = executor;
        this.recorder = recorder;
        this.backoffs = backoffs;
        this.nodeCache = nodeCache;
        this.summaries = summaries;
        this.termination = termination;
        this.clock = clock;
        this.burstLimit = settings.burstLimit();
    }

    Result reconcile(String namespace, String name) {
        long start = System.nanoTime();
        List<PlanExecutor.Outcome> done = new ArrayList<>();
        Phases phases = new Phases();
        Result result = tx.execute(status -> {
            // Lock first, then read: what another replica wrote before releasing the lock is seen.
            if (!tryLock(namespace, name)) {
                return new Result(Duration.ofMillis(500));
            }
            StoredObject ds = store.get("DaemonSet", namespace, name).orElse(null);
            if (ds == null) {
                return new Result(null);
            }
            Instant now = clock.instant();
            if (ds.deletionTimestamp() != null) {
                return finishForegroundDeletion(ds, now);
            }
            phases.mark("lock");
            String hash = history.sync(ds);
            phases.mark("history");
            List<PodSummaries.Summary> pods = claim(ds);
            phases.mark("pods");
            NodeCache.Nodes allNodes = nodeCache.snapshot();
            List<Model.NodeView> nodes = allNodes.list();
            phases.mark("nodes");
            Model.DaemonSetView view = SnapshotReader.daemonSet(ds, hash);
            Map<String, Model.Backoff> backoff = backoffs.load(ds.uid());
            Model.Snapshot snapshot = new Model.Snapshot(view, nodes,
                    pods.stream().map(PodSummaries.Summary::view).toList(), backoff);
            Model.Plan plan = Planner.plan(snapshot, now, burstLimit);
            phases.mark("plan");

            // the executor looks up only the pods the plan deletes
            Set<String> deleting = new HashSet<>();
            plan.actions().forEach(a -> {
                if (a instanceof Model.Action.DeletePod d) {
                    deleting.add(d.podName());
                }
            });
            Map<String, PodSummaries.Summary> podsByName = new HashMap<>();
            if (!deleting.isEmpty()) {
                pods.forEach(p -> {
                    if (deleting.contains(p.view().name())) {
                        podsByName.put(p.view().name(), p);
                    }
                });
            }
            PlanExecutor.Outcome outcome = executor.apply(ds, hash, plan, view.placement(), podsByName,
                    allNodes.names(), now);
            done.add(outcome);
            Model.Written written = new Model.Written(summaries.remember(ds.uid(), outcome.created()),
                    outcome.removed(), outcome.terminating());
            phases.mark("apply");
            backoffs.save(ds.uid(), backoff, plan.backoffByNode());
            recorder.record(ds, events(ds, plan, outcome));
            phases.mark("events");

            Set<String> liveHashes = new HashSet<>();
            pods.forEach(p -> liveHashes.add(p.view().revisionHash()));
            outcome.created().forEach(p -> liveHashes.add(hash));
            history.cleanup(ds, hash, liveHashes);
            Duration recheck = writeStatus(ds, hash, snapshot, plan.statusValid(),
                    Planner.statusAfter(snapshot, written, now));
            phases.mark("status");
            return new Result(earliest(earliest(plan.requeueAfter(), recheck), written.followUp()));
        });
        phases.mark("commit");
        long ms = (System.nanoTime() - start) / 1_000_000;
        int created = done.stream().mapToInt(o -> o.created().size()).sum();
        int deleted = done.stream().mapToInt(o -> o.deleted().size()).sum();
        if (ms > 500) {
            log.info("slow reconcile pass daemonSet={}/{} creates={} deletes={} ms={} phases={}", namespace, name, created,
                    deleted, ms, phases);
        } else if (log.isDebugEnabled()) {
            log.debug("reconciled daemonSet={}/{} creates={} deletes={} ms={}", namespace, name, created, deleted, ms);
        }
        return result;
    }

    /** Where a pass spent its time, for the slow-pass log line. */
    private static final class Phases {
        private final StringBuilder text = new StringBuilder();
        private long last = System.nanoTime();

        void mark(String phase) {
            long now = System.nanoTime();
            text.append(text.isEmpty() ? "" : ",").append(phase).append('=').append((now - last) / 1_000_000);
            last = now;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    private static Duration earliest(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }

    /** A per-DaemonSet transaction lock: two replicas never plan the same DaemonSet at once. */
    private boolean tryLock(String namespace, String name) {
        Boolean locked = jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))",
                Boolean.class, "daemonset:" + namespace + "/" + name);
        return Boolean.TRUE.equals(locked);
    }

    /**
     * The pods this DaemonSet controls: owned pods whose labels still match, plus adopted orphans that match.
     * Owned pods that stopped matching are released (ownerReference removed), as Kubernetes' ClaimPods does.
     */
    private List<PodSummaries.Summary> claim(StoredObject ds) {
        LabelSelector selector = LabelSelector.fromJson(ds.body().path("spec").get("selector"));
        List<PodSummaries.Summary> claimed = new ArrayList<>();
        List<java.util.UUID> release = new ArrayList<>();
        List<java.util.UUID> adopt = new ArrayList<>();
        for (PodSummaries.Summary pod : summaries.forClaim(ds.namespace(), ds.uid())) {
            boolean owned = ds.uid().equals(pod.ownerUid());
            boolean matches = !selector.isEmpty() && selector.matches(pod.labels());
            if (owned && matches) {
                claimed.add(pod);
            } else if (owned) {
                release.add(pod.uid());
            } else if (matches && !pod.view().terminating()) {
                adopt.add(pod.uid());
                claimed.add(pod);
            }
        }
        List<StoredObject> rewritten = new ArrayList<>();
        for (StoredObject pod : store.getByUids(release)) {
            rewritten.add(withOwner(pod, null));
        }
        for (StoredObject pod : store.getByUids(adopt)) {
            rewritten.add(withOwner(pod, ds));
        }
        if (!rewritten.isEmpty()) {
            store.updateBatch(rewritten);
        }
        return claimed;
    }

    private static boolean ownedBy(StoredObject pod, String uid) {
        for (JsonNode ref : pod.metadata().path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false) && uid.equals(ref.path("uid").asString(""))) {
                return true;
            }
        }
        return false;
    }

    private static StoredObject withOwner(StoredObject pod, StoredObject owner) {
        ObjectNode body = pod.body().deepCopy();
        ObjectNode meta = Json.child(body, "metadata");
        ArrayNode refs = meta.putArray("ownerReferences");
        for (JsonNode ref : pod.metadata().path("ownerReferences")) {
            if (!ref.path("controller").asBoolean(false)) {
                refs.add(ref);
            }
        }
        if (owner != null) {
            refs.add(RevisionHistory.ownerReference(owner));
        }
        if (refs.isEmpty()) {
            meta.remove("ownerReferences");
        }
        return new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(), pod.resourceVersion(),
                pod.generation(), pod.createdAt(), pod.deletionTimestamp(), body);
    }

    private List<EventRecorder.Event> events(StoredObject ds, Model.Plan plan, PlanExecutor.Outcome outcome) {
        List<EventRecorder.Event> events = new ArrayList<>();
        for (Model.Event e : plan.events()) {
            events.add(new EventRecorder.Event(e.type(), e.reason(), e.message()));
        }
        for (StoredObject p : outcome.created()) {
            events.add(new EventRecorder.Event("Normal", "SuccessfulCreate", "Created pod: " + p.name()));
        }
        for (String name : outcome.deleted()) {
            events.add(new EventRecorder.Event("Normal", "SuccessfulDelete", "Deleted pod: " + name));
        }
        return events;
    }

    /**
     * Writes status only when a counter changed or a new generation was fully processed. {@code s} counts the
     * pods as this pass left them (its creates and deletes included). The rollout policies act here too, on the
     * state this pass computed: an automatic canary promotion, the stable revision on completion, and the failure
     * policy's pause or rollback, each written with the status in one update of the DaemonSet.
     */
    private Duration writeStatus(StoredObject ds, String hash, Model.Snapshot snapshot, boolean statusValid,
                                 Model.Status s) {
        ObjectNode old = ds.body().path("status").isObject() ? (ObjectNode) ds.body().path("status") : Json.object();
        ObjectNode next = old.deepCopy();
        next.put("currentNumberScheduled", s.currentNumberScheduled());
        next.put("numberMisscheduled", s.numberMisscheduled());
        next.put("desiredNumberScheduled", s.desiredNumberScheduled());
        next.put("numberReady", s.numberReady());
        if (statusValid) {
            next.put("observedGeneration", ds.generation());
        }
        next.put("updatedNumberScheduled", s.updatedNumberScheduled());
        next.put("numberAvailable", s.numberAvailable());
        if (s.numberUnavailable() > 0) {
            next.put("numberUnavailable", s.numberUnavailable());
        } else {
            next.remove("numberUnavailable");
        }
        ObjectNode body = ds.body().deepCopy();
        Progressing progress = progressing(ds, hash, snapshot, old, next, s, body);
        // Compare as stored: a long written here and the same number read back as an int are one value.
        boolean statusSame = Json.MAPPER.readTree(Json.write(next)).equals(old);
        if (statusSame && progress.generation() == ds.generation() && body.path("metadata").equals(ds.metadata())
                && body.path("spec").equals(ds.body().path("spec"))) {
            return progress.recheck();
        }
        body.set("status", next);
        if (store.update(ds, progress.generation(), ds.deletionTimestamp(), body).isPresent()) {
            // A transition is recorded with the state it leads to; a write lost to a concurrent update is not,
            // and the next pass, which sees the old state again, records it then: once in all.
            recorder.recordRolloutState(ds, progress.transitions());
            return progress.generation() != ds.generation() ? Duration.ZERO : progress.recheck();
        }
        // Lost to a concurrent write of the DaemonSet: the status this pass computed must still land.
        return Duration.ZERO;
    }

    /**
     * When to check the progress deadline, the canary or the ready timeout again (null = no need), the rollout's
     * state transitions, and the generation the write leaves (one more when the failure policy rolls back).
     */
    private record Progressing(Duration recheck, List<Model.Event> transitions, long generation) {}

    /** Maintains the Progressing condition and applies the rollout policies (RollingUpdate only). */
    private Progressing progressing(StoredObject ds, String hash, Model.Snapshot snapshot, ObjectNode old,
                                    ObjectNode next, Model.Status counters, ObjectNode body) {
        if (!"RollingUpdate".equals(ds.body().path("spec").path("updateStrategy").path("type").asString(""))) {
            StatusConditions.remove(next, "Progressing");
            return new Progressing(null, List.of(), ds.generation());
        }
        Long seconds = RolloutAnnotations.progressDeadlineSeconds(ds.body());
        Duration deadline = Duration.ofSeconds(seconds == null ? DEFAULT_PROGRESS_DEADLINE_SECONDS : seconds);
        boolean newGeneration = old.path("observedGeneration").asLong(0) < ds.generation();
        Instant now = clock.instant();
        Model.Strategy strategy = SnapshotReader.strategy(ds.body(), hash);
        Long auto = RolloutAnnotations.seconds(ds.body(), RolloutAnnotations.CANARY_AUTO_PROMOTE);
        Progress.Canary canary = new Progress.Canary(strategy.policy(), auto == null ? null : Duration.ofSeconds(auto),
                FailurePolicy.availableSince(snapshot, now));
        Progress.Step step = Progress.next(new Progress.Input(ds.name(), StatusConditions.progressing(old),
                StatusConditions.counters(old), counters, newGeneration, strategy.paused(), strategy.partition(),
                deadline, now, canary));
        StatusConditions.putProgressing(next, step.condition());
        List<Model.Event> transitions = new ArrayList<>(step.events());
        Duration recheck = earliest(Progress.recheckAfter(step.condition(), deadline, now), step.promoteAfter());
        java.util.function.Supplier<ObjectNode> annotations = () -> Json.child(Json.child(body, "metadata"),
                "annotations");
        if (step.promote()) {
            annotations.get().put(RolloutAnnotations.CANARY_PROMOTED, hash);
        }
        String stable = RolloutAnnotations.text(ds.body(), RolloutAnnotations.STABLE_REVISION);
        if (Progress.COMPLETE.equals(step.condition().reason()) && !hash.equals(stable)) {
            annotations.get().put(RolloutAnnotations.STABLE_REVISION, hash);
        }
        StatusConditions.Failed failed = StatusConditions.rolloutFailed(old);
        if (failed != null && failed.observedGeneration() < ds.generation()) {
            StatusConditions.remove(next, StatusConditions.ROLLOUT_FAILED);
            failed = null;
        }
        FailurePolicy.Config config = new FailurePolicy.Config(RolloutAnnotations.failurePolicy(ds.body()),
                RolloutAnnotations.maxFailureRatio(ds.body()),
                Optional.ofNullable(RolloutAnnotations.seconds(ds.body(), RolloutAnnotations.READY_TIMEOUT))
                        .map(Duration::ofSeconds).orElse(null));
        if (config.action() == null) {
            return new Progressing(recheck, transitions, ds.generation());
        }
        FailurePolicy.Health health = FailurePolicy.health(snapshot, config.readyTimeout(), now);
        recheck = earliest(recheck, health.recheck());
        boolean rollingBack = failed != null && FailurePolicy.ROLLED_BACK.equals(failed.reason());
        FailurePolicy.Decision decision = FailurePolicy.decide(new FailurePolicy.Input(config, health, hash, stable,
                rollingBack, step.condition().reason(), strategy.paused(), step.condition().message()));
        long generation = ds.generation();
        if (FailurePolicy.ROLLBACK.equals(decision.action())) {
            ObjectNode template = revisionTemplate(ds, stable);
            if (template == null) {
                decision = new FailurePolicy.Decision(FailurePolicy.PAUSE, FailurePolicy.PAUSED_ON_FAILURE,
                        decision.message().replaceFirst("; rolled back to .*", "; the revision " + stable
                                + " to roll back to is gone from the history, paused"));
            } else {
                Json.child(body, "spec").set("template", template);
                annotations.get().put(DaemonSetLabels.TEMPLATE_GENERATION_ANNOTATION,
                        Long.toString(DaemonSetStrategy.templateGeneration(ds.body()) + 1));
                generation++;
            }
        }
        if (decision.action() != null) {
            if (FailurePolicy.PAUSE.equals(decision.action())) {
                annotations.get().put(RolloutAnnotations.PAUSED, "true");
            }
            StatusConditions.putRolloutFailed(next, decision.reason(), decision.message(), generation, now);
            transitions.add(new Model.Event("Warning", decision.reason(), decision.message()));
            log.warn("rollout failure policy daemonSet={}/{}: {}", ds.namespace(), ds.name(), decision.message());
        }
        return new Progressing(recheck, transitions, generation);
    }

    /** The pod template of the revision with {@code hash}, as a rollback writes it back; null when gone. */
    private ObjectNode revisionTemplate(StoredObject ds, String hash) {
        for (StoredObject r : store.listByOwner("ControllerRevision", ds.uid())) {
            if (hash.equals(DaemonSetLabels.revisionHash(r.body()))) {
                return RolloutRevision.template(r);
            }
        }
        return null;
    }

    /**
     * Foreground deletion: the DaemonSet stays, with a deletionTimestamp, until its pods are gone; then it and its
     * revisions are removed.
     */
    private Result finishForegroundDeletion(StoredObject ds, Instant now) {
        List<StoredObject> pods = store.listByOwner("Pod", ds.uid());
        Set<String> nodeNames = new HashSet<>();
        store.list("Node", null).forEach(n -> nodeNames.add(n.name()));
        List<java.util.UUID> terminate = new ArrayList<>();
        List<StoredObject> remove = new ArrayList<>();
        for (StoredObject pod : pods) {
            String node = Json.text(pod.body(), "spec", "nodeName");
            if (node == null || !nodeNames.contains(node) || PlanExecutor.isTerminal(pod)) {
                remove.add(pod);
            } else if (pod.deletionTimestamp() == null) {
                terminate.add(pod.uid());
            }
        }
        termination.mark(terminate, now);
        store.deleteBatch(PlanExecutor.uids(remove));
        if (pods.size() == remove.size()) {
            store.listByOwner("ControllerRevision", ds.uid())
                    .forEach(r -> store.delete("ControllerRevision", r.namespace(), r.name()));
            store.delete("DaemonSet", ds.namespace(), ds.name());
            return new Result(null);
        }
        return new Result(Duration.ofSeconds(1));
    }
}
