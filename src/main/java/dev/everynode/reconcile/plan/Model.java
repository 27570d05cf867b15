package dev.everynode.reconcile.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plain-data inputs and outputs of the planner. Nothing here knows about Spring, JPA or JSON: the snapshot
 * reader maps stored objects to these records, the executor applies the resulting {@link Plan}.
 */
public final class Model {

    private Model() {}

    public enum TaintEffect { NoSchedule, PreferNoSchedule, NoExecute }

    /** A node taint. {@code effect} is one of NoSchedule, PreferNoSchedule, NoExecute. */
    public record Taint(String key, String value, String effect) {}

    /** A pod toleration; {@code operator} is "Equal", "Exists" or "" (= Equal); {@code effect} "" means all. */
    public record Toleration(String key, String operator, String value, String effect) {}

    /** A node selector requirement: operators In, NotIn, Exists, DoesNotExist, Gt, Lt. */
    public record Requirement(String key, String operator, List<String> values) {}

    /** One required node affinity term; expressions and fields are ANDed. */
    public record NodeSelectorTerm(List<Requirement> matchExpressions, List<Requirement> matchFields) {}

    /**
     * Where the pod template may run: {@code nodeName} ("" or null = any), {@code nodeSelector},
     * {@code requiredTerms} (null = no required node affinity; terms are ORed), the template's own tolerations
     * (the planner adds the default daemon tolerations itself) and hostNetwork.
     */
    public record Placement(String nodeName, Map<String, String> nodeSelector, List<NodeSelectorTerm> requiredTerms,
                            List<Toleration> tolerations, boolean hostNetwork) {}

    /** An int-or-percent value as written in the spec: exactly one of the two is non-null. */
    public record IntOrPercent(Integer intValue, String percent) {
        public static IntOrPercent of(int v) { return new IntOrPercent(v, null); }
        public static IntOrPercent percent(String p) { return new IntOrPercent(null, p); }
    }

    /**
     * Update strategy. {@code type} is "RollingUpdate" or "OnDelete". {@code maxUnavailable}/{@code maxSurge}
     * may be null (treated as 0 by the arithmetic of semantics §5.2; defaulting has filled them already).
     * Extras beyond Kubernetes: {@code partition} (null = 0; OpenKruise semantics: that many nodes stay on the
     * old revision) and {@code paused} (no rolling replacement; creates on new nodes and failed-pod
     * replacement still happen).
     */
    public record Strategy(String type, IntOrPercent maxUnavailable, IntOrPercent maxSurge, IntOrPercent partition,
                           boolean paused, Policy policy) {

        public Strategy {
            policy = policy == null ? Policy.NONE : policy;
        }

        public Strategy(String type, IntOrPercent maxUnavailable, IntOrPercent maxSurge, IntOrPercent partition,
                        boolean paused) {
            this(type, maxUnavailable, maxSurge, partition, paused, Policy.NONE);
        }
    }

    /**
     * Rollout policies beyond Kubernetes and OpenKruise (issue 17), all off in {@link #NONE}:
     * {@code canary} (null = none): that many nodes (or percent of desired, rounded up, at least one) take the new
     * revision first, and the rest wait until {@code canaryPromoted}; {@code updateSelector} (null = every node):
     * only matching nodes take the new revision (OpenKruise {@code rollingUpdate.selector}); waves when
     * {@code maxUnavailablePerDomain} is set: nodes are grouped by the value of their {@code topologyKey} label,
     * domains go one after the other in name order (nodes without the label last) and at most that many nodes
     * (or percent of the domain, rounded up) of the domain in flight are unavailable at once.
     */
    public record Policy(IntOrPercent canary, boolean canaryPromoted, List<Requirement> updateSelector,
                         String topologyKey, IntOrPercent maxUnavailablePerDomain) {

        public static final String DEFAULT_TOPOLOGY_KEY = "topology.kubernetes.io/zone";
        public static final Policy NONE = new Policy(null, false, null, DEFAULT_TOPOLOGY_KEY, null);

        public boolean waves() {
            return maxUnavailablePerDomain != null;
        }
    }

    /**
     * The DaemonSet as the planner needs it. {@code currentHash} is the controller-revision-hash of the current
     * template; {@code templateGeneration} the value of the annotation deprecated.daemonset.template.generation
     * (null when absent). {@code selectorEmpty}: spec.selector is {} (plan nothing, emit SelectingAll).
     * {@code deleting}: the DaemonSet has a deletionTimestamp (plan nothing).
     */
    public record DaemonSetView(String namespace, String name, String uid, long generation,
                                long observedGeneration, String currentHash, Long templateGeneration,
                                Placement placement, Strategy strategy, int minReadySeconds,
                                boolean selectorEmpty, boolean deleting) {}

    /** A node: name, labels, taints, and whether its Ready condition is True (for extra status counters only). */
    public record NodeView(String name, Map<String, String> labels, List<Taint> taints, boolean ready) {}

    /** Pod phases as Kubernetes reports them. */
    public enum Phase {
        Pending, Running, Succeeded, Failed, Unknown;

        /** A phase as written: none yet is Pending, one Kubernetes does not know is Unknown. */
        public static Phase of(String text) {
            if (text == null) {
                return Pending;
            }
            try {
                return valueOf(text);
            } catch (IllegalArgumentException e) {
                return Unknown;
            }
        }
    }

    /**
     * A pod owned by this DaemonSet. {@code nodeName} is the bound node. {@code ready}: condition Ready=True;
     * {@code readySince}: lastTransitionTime of that condition (null when not ready). {@code terminating}: it
     * has a deletionTimestamp (two-phase deletion: the node's agent has not confirmed yet).
     * {@code templateGeneration}: the pod-template-generation label (null when absent).
     */
    public record PodView(String name, String nodeName, String revisionHash, String templateGeneration, Phase phase,
                          boolean ready, Instant readySince, Instant created, boolean terminating) {

        /** A pod as read: {@code nodeName} null when unbound, {@code phase} as written (see {@link Phase#of}). */
        public static PodView of(String name, String nodeName, String revisionHash, String templateGeneration,
                                 String phase, boolean ready, Instant readySince, Instant created,
                                 boolean terminating) {
            return new PodView(name, nodeName == null ? "" : nodeName, revisionHash, templateGeneration,
                    Phase.of(phase), ready, readySince, created, terminating);
        }
    }

    /**
     * Failed-pod backoff for one node (Kubernetes flowcontrol.Backoff with 1 s initial, 15 min max):
     * {@code generation} is the DaemonSet observedGeneration that the key was made under (a spec change resets
     * the backoff), {@code lastUpdate} when the backoff was last stepped, {@code delay} its current length.
     */
    public record Backoff(long generation, Instant lastUpdate, Duration delay) {}

    /** Everything the planner reads for one DaemonSet. */
    public record Snapshot(DaemonSetView daemonSet, List<NodeView> nodes, List<PodView> pods,
                           Map<String, Backoff> backoffByNode) {}

    /**
     * A pod the DaemonSet may claim (Kubernetes ClaimPods): one it owns through its controller ownerReference, or an
     * orphan of its namespace. {@code matchesSelector}: its labels match the DaemonSet's selector (never when the
     * selector is empty).
     */
    public record Candidate(PodView view, boolean owned, boolean matchesSelector) {}

    /** Everything a pass observes: the planner claims among the candidates, then plans over the claimed pods. */
    public record Observed(DaemonSetView daemonSet, List<NodeView> nodes, List<Candidate> candidates,
                           Map<String, Backoff> backoffByNode) {}

    /**
     * A planned pass: the snapshot the planner planned over (the claimed pods), and the plan, whose actions start with
     * the adoptions and releases.
     */
    public record Pass(Snapshot snapshot, Plan plan) {}

    /**
     * Why a pod is deleted; it decides the event the executor records. {@code DAEMON_SET_DELETED}: foreground
     * deletion of the DaemonSet (no event: Kubernetes' garbage collector, not the controller, deletes those).
     */
    public enum DeleteReason { FAILED, SUCCEEDED, DUPLICATE, NOT_ELIGIBLE, UPDATE, SURGE_RETIRE, NODE_GONE,
        DAEMON_SET_DELETED }

    /** The RolloutFailed condition: its reason, message and the generation it applies to. */
    public record RolloutFailed(String reason, String message, long observedGeneration) {}

    /** What the executor must do. */
    public sealed interface Action {
        /** Create a pod of the current revision bound to {@code nodeName}. */
        record CreatePod(String nodeName) implements Action {}
        /** Delete (start two-phase deletion of) pod {@code podName} on {@code nodeName}. */
        record DeletePod(String podName, String nodeName, DeleteReason reason) implements Action {}
        /** Adopt the orphan {@code podName}: give it the DaemonSet's controller ownerReference. */
        record AdoptPod(String podName) implements Action {}
        /** Release {@code podName}, owned but no longer selected: remove its controller ownerReference. */
        record ReleasePod(String podName) implements Action {}
        /** Foreground deletion is done, every pod is gone: remove the DaemonSet's revisions and the DaemonSet. */
        record FinalizeDeletion() implements Action {}

        /**
         * Write the status: the {@code counters}, observedGeneration when {@code observeGeneration}, the Progressing
         * condition ({@code progressing}; null = remove it), RolloutFailed (first removed when
         * {@code clearRolloutFailed}, then set to {@code rolloutFailed} at {@code now} unless null), and the rollout
         * policies' writes of the DaemonSet in the same update: record the current revision as the promoted canary
         * ({@code promoteCanary}) or as the stable one ({@code markStable}), pause it ({@code pause}), roll the
         * template back to the revision {@code rollbackTo} (null = no). {@code transitions}: the events of the
         * rollout's state changes, recorded once the write lands; {@code recheck}: when to look again (the progress
         * deadline, the canary, the ready timeout; null = no need).
         */
        record WriteStatus(Status counters, boolean observeGeneration, Progress.Condition progressing,
                           boolean clearRolloutFailed, RolloutFailed rolloutFailed, boolean promoteCanary,
                           boolean markStable, boolean pause, String rollbackTo, List<Event> transitions,
                           Duration recheck, Instant now) implements Action {}
    }

    /** A Kubernetes event the executor records on the DaemonSet: type Normal/Warning, reason, message. */
    public record Event(String type, String reason, String message) {}

    /**
     * DaemonSet status counters (semantics §4) plus extras that explain stalls and partitions, which are not
     * written to the stored status: {@code unavailableOnNotReadyNodes}, and {@code updatedNumberAvailable}, the
     * nodes whose updated pod is available (Kruise's {@code updatedAvailableReplicas} of a CloneSet).
     */
    public record Status(int desiredNumberScheduled, int currentNumberScheduled, int numberMisscheduled,
                         int numberReady, int numberAvailable, int numberUnavailable, int updatedNumberScheduled,
                         int unavailableOnNotReadyNodes, int updatedNumberAvailable) {}

    /**
     * The planner's result. {@code statusValid}: false when the pass must not raise observedGeneration (only
     * the empty-selector case). {@code requeueAfter}: when the planner wants to run again without any new input
     * (availability after minReadySeconds, end of a failure backoff); null = no need.
     * {@code backoffByNode}: the complete new backoff map to store (replaces the old one). A foreground deletion's
     * plan ({@link Planner#finalizeDeletion}) has no {@code status}: the DaemonSet's status is not written then.
     */
    public record Plan(List<Action> actions, Status status, boolean statusValid, Duration requeueAfter,
                       Map<String, Backoff> backoffByNode, List<Event> events) {}

    /**
     * What a pass wrote: pods created, pods removed at once (names), pods marked terminating (names).
     * {@link #followUp()} is the pass Kubernetes runs on seeing its own writes: a pod removed at once (failed,
     * succeeded, on a gone node) frees its node for a replacement, so the next pass comes right away; a created
     * pod and a terminating one bring their own next change (the agent's report, its confirmation, the user's
     * delete or the node lifecycle monitor), and the pass's status already counts them.
     */
    public record Written(List<PodView> created, Set<String> removed, Set<String> terminating) {
        public static final Written NOTHING = new Written(List.of(), Set.of(), Set.of());

        public Duration followUp() {
            return removed.isEmpty() ? null : Duration.ZERO;
        }

        /** No pod created, removed or marked terminating. */
        public boolean isEmpty() {
            return created.isEmpty() && removed.isEmpty() && terminating.isEmpty();
        }
    }
}
