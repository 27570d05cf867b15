package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Backoff;
import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.Phase;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a rollout does when it fails (issue 17; Nomad {@code auto_revert}, Swarm {@code failure_action} and
 * {@code max_failure_ratio}). A rollout is in flight while the current revision is not the stable one (the last
 * whose rollout completed), or while it is a rollback this policy made. It fails when the progress deadline passes,
 * or when more than {@code maxFailureRatio} of the nodes that tried the current revision are failing: its pod
 * failed, it is backing off after a failure with no new pod yet, or its pod is not available {@code readyTimeout} after it was
 * created. The action is {@code pause} or {@code rollback} to the stable revision; a rollback that fails, or one
 * with nothing to go back to, pauses instead, so a rollout never loops between two bad revisions.
 */
public final class FailurePolicy {

    public static final String PAUSE = "pause";
    public static final String ROLLBACK = "rollback";
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(300);

    /** The condition reasons (type RolloutFailed) and event reasons of the two actions. */
    public static final String ROLLED_BACK = "RolledBack";
    public static final String PAUSED_ON_FAILURE = "PausedOnFailure";

    /**
     * @param action          {@link #PAUSE}, {@link #ROLLBACK} or null (off: the condition reports, nothing acts)
     * @param maxFailureRatio null = only the progress deadline triggers
     * @param readyTimeout    how long a new pod may take to become available
     */
    public record Config(String action, Double maxFailureRatio, Duration readyTimeout) {
        public static final Config OFF = new Config(null, null, DEFAULT_READY_TIMEOUT);

        public Config {
            readyTimeout = readyTimeout == null ? DEFAULT_READY_TIMEOUT : readyTimeout;
        }
    }

    /**
     * The nodes that tried the current revision, those failing, and when a pod not yet available reaches its
     * ready timeout (null = none pending).
     */
    public record Health(int tried, int failing, Duration recheck) {}

    /** The decision: {@code action} null = nothing to do; else {@link #PAUSE} or {@link #ROLLBACK}. */
    public record Decision(String action, String reason, String message) {
        public static final Decision NONE = new Decision(null, null, null);
    }

    /**
     * What one pass knows.
     *
     * @param currentHash   the current revision's hash
     * @param stableHash    the last revision whose rollout completed (null = none yet)
     * @param rollingBack   the current revision is a rollback this policy made, not yet changed by anyone
     * @param progressing   the Progressing condition's reason this pass stores
     * @param paused        the rollout is paused (nothing is in flight)
     */
    public record Input(Config config, Health health, String currentHash, String stableHash, boolean rollingBack,
                        String progressing, boolean paused, String deadlineMessage) {}

    private FailurePolicy() {}

    public static Decision decide(Input in) {
        Config config = in.config();
        if (config.action() == null || in.paused() || Progress.COMPLETE.equals(in.progressing())) {
            return Decision.NONE;
        }
        boolean inFlight = in.rollingBack() || in.stableHash() == null || !in.stableHash().equals(in.currentHash());
        if (!inFlight) {
            return Decision.NONE;
        }
        String why;
        Health h = in.health();
        if (Progress.DEADLINE_EXCEEDED.equals(in.progressing())) {
            why = "progress deadline exceeded (" + in.deadlineMessage() + ")";
        } else if (config.maxFailureRatio() != null && h.tried() > 0
                && h.failing() > config.maxFailureRatio() * h.tried()) {
            why = h.failing() + " of " + h.tried() + " updated pods failed or were not available within "
                    + config.readyTimeout().toSeconds() + "s (more than the failure ratio " + config.maxFailureRatio()
                    + ")";
        } else {
            return Decision.NONE;
        }
        String revision = "revision " + in.currentHash();
        if (in.rollingBack()) {
            return new Decision(PAUSE, PAUSED_ON_FAILURE, "Rollback to " + revision + " failed: " + why
                    + "; paused instead of rolling back again");
        }
        if (PAUSE.equals(config.action())) {
            return new Decision(PAUSE, PAUSED_ON_FAILURE, "Rollout of " + revision + " failed: " + why + "; paused");
        }
        if (in.stableHash() == null || in.stableHash().equals(in.currentHash())) {
            return new Decision(PAUSE, PAUSED_ON_FAILURE, "Rollout of " + revision + " failed: " + why
                    + "; no completed revision to roll back to, paused");
        }
        return new Decision(ROLLBACK, ROLLED_BACK, "Rollout of " + revision + " failed: " + why
                + "; rolled back to revision " + in.stableHash());
    }

    /**
     * The health of the current revision: nodes that run a live pod of it or back off after one failed; failing
     * among them as the class comment says.
     */
    public static Health health(Snapshot snapshot, Duration readyTimeout, Instant now) {
        DaemonSetView ds = snapshot.daemonSet();
        Set<String> tried = new HashSet<>();
        Set<String> failing = new HashSet<>();
        Duration recheck = null;
        for (PodView pod : snapshot.pods()) {
            if (pod.terminating() && !Pods.isTerminal(pod) || !Pods.isNew(pod, ds)) {
                continue;
            }
            tried.add(pod.nodeName());
            if (pod.phase() == Phase.Failed) {
                failing.add(pod.nodeName());
            } else if (!Pods.isAvailable(pod, ds.minReadySeconds(), now)) {
                Instant due = (pod.created() == null ? now : pod.created()).plus(readyTimeout);
                if (!now.isBefore(due)) {
                    failing.add(pod.nodeName());
                } else {
                    Duration left = Duration.between(now, due).plusSeconds(1);
                    recheck = recheck == null || left.compareTo(recheck) < 0 ? left : recheck;
                }
            }
        }
        // A node backing off after its pod of this generation failed, with no new pod yet, is failing too: a
        // crash loop spends most of its time there.
        Map<String, Backoff> backoff = snapshot.backoffByNode() == null ? Map.of() : snapshot.backoffByNode();
        backoff.forEach((node, b) -> {
            if (b.generation() == ds.observedGeneration() && ds.observedGeneration() == ds.generation()
                    && !tried.contains(node)) {
                tried.add(node);
                failing.add(node);
            }
        });
        return new Health(tried.size(), failing.size(), recheck);
    }

    /**
     * Since when every live pod of the current revision has been available (ready, plus minReadySeconds); null
     * when there is none or one is not available. The canary's automatic promotion counts from here.
     */
    public static Instant availableSince(Snapshot snapshot, Instant now) {
        DaemonSetView ds = snapshot.daemonSet();
        Instant since = null;
        List<PodView> pods = snapshot.pods();
        for (PodView pod : pods) {
            if (pod.terminating() || !Pods.isNew(pod, ds)) {
                continue;
            }
            if (!Pods.isAvailable(pod, ds.minReadySeconds(), now)) {
                return null;
            }
            Instant at = pod.readySince() == null ? pod.created() : pod.readySince().plusSeconds(ds.minReadySeconds());
            if (at != null && (since == null || at.isAfter(since))) {
                since = at;
            }
        }
        return since;
    }
}
