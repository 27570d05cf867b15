package dev.everynode.reconcile;

import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.selector.LabelSelector;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.daemonset.DaemonSetLabels;
import dev.everynode.reconcile.plan.FailurePolicy;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.StatusWrite;
import dev.everynode.revision.RevisionHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads what one pass observes, inside its transaction and under its lock: the DaemonSet, its current revision
 * (made sure of first), the pods it owns and the orphans it might adopt (as summaries), the nodes (cached until a
 * node changes), the failure backoff and the stored status. {@link SnapshotReader} maps them to the planner's
 * records.
 */
@Component
class PassReader {

    /** What a pass found. */
    sealed interface Read {}

    /** The DaemonSet is gone. */
    record Missing() implements Read {}

    /** The DaemonSet is being deleted: its pods (by name) and the nodes that exist. */
    record Deleting(StoredObject ds, Map<String, PodSummaries.Summary> pods, Set<String> nodeNames) implements Read {

        List<Model.PodView> views() {
            return pods.values().stream().map(PodSummaries.Summary::view).toList();
        }
    }

    /**
     * A live DaemonSet: its current revision's hash, what the planner reads, the candidate pods (for the executor,
     * which writes them by uid), the nodes that exist, the stored status and the rollout settings.
     */
    record Live(StoredObject ds, String hash, Model.Observed observed, List<PodSummaries.Summary> candidates,
                Set<String> nodeNames, StatusWrite.Stored stored, StatusWrite.Rollout rollout) implements Read {}

    private final ObjectStore store;
    private final RevisionHistory history;
    private final BackoffStore backoffs;
    private final NodeCache nodeCache;
    private final PodSummaries summaries;

    PassReader(ObjectStore store, RevisionHistory history, BackoffStore backoffs, NodeCache nodeCache,
               PodSummaries summaries) {
        this.store = store;
        this.history = history;
        this.backoffs = backoffs;
        this.nodeCache = nodeCache;
        this.summaries = summaries;
    }

    Read read(String namespace, String name, Phases phases) {
        StoredObject ds = store.get("DaemonSet", namespace, name).orElse(null);
        if (ds == null) {
            return new Missing();
        }
        if (ds.deletionTimestamp() != null) {
            return deleting(ds);
        }
        phases.mark("lock");
        String hash = history.sync(ds);
        phases.mark("history");
        LabelSelector selector = LabelSelector.fromJson(ds.body().path("spec").get("selector"));
        List<PodSummaries.Summary> pods = summaries.forClaim(ds.namespace(), ds.uid());
        List<Model.Candidate> candidates = new ArrayList<>(pods.size());
        for (PodSummaries.Summary pod : pods) {
            candidates.add(new Model.Candidate(pod.view(), ds.uid().equals(pod.ownerUid()),
                    !selector.isEmpty() && selector.matches(pod.labels())));
        }
        phases.mark("pods");
        NodeCache.Nodes nodes = nodeCache.snapshot();
        phases.mark("nodes");
        Model.Observed observed = new Model.Observed(SnapshotReader.daemonSet(ds, hash), nodes.list(), candidates,
                backoffs.load(ds.uid()));
        return new Live(ds, hash, observed, pods, nodes.names(), StatusConditions.stored(ds.body().path("status")),
                SnapshotReader.rollout(ds.body()));
    }

    /** Foreground deletion reads every owned pod and every node afresh. */
    private Deleting deleting(StoredObject ds) {
        Map<String, PodSummaries.Summary> pods = new HashMap<>();
        for (StoredObject pod : store.listByOwner("Pod", ds.uid())) {
            pods.put(pod.name(), new PodSummaries.Summary(pod.uid(), ds.uid(), Map.of(), SnapshotReader.pod(pod)));
        }
        Set<String> nodeNames = new HashSet<>();
        store.list("Node", null).forEach(n -> nodeNames.add(n.name()));
        return new Deleting(ds, pods, nodeNames);
    }

    /**
     * The templates of the revisions kept, by hash, which a rollback can go back to; read (after the history's
     * cleanup) only when the failure policy may roll back, else null.
     */
    Map<String, ObjectNode> rollbackTemplates(StoredObject ds, StatusWrite.Rollout rollout) {
        String action = rollout.failure().action();
        if (!rollout.rollingUpdate() || action == null || FailurePolicy.PAUSE.equals(action)) {
            return null;
        }
        Map<String, ObjectNode> templates = new HashMap<>();
        for (StoredObject r : store.listByOwner("ControllerRevision", ds.uid())) {
            templates.putIfAbsent(DaemonSetLabels.revisionHash(r.body()),
                    RolloutRevision.template(r));
        }
        return templates;
    }
}
