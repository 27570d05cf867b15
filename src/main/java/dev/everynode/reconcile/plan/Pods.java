package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.Phase;
import dev.everynode.reconcile.plan.Model.PodView;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

/** Pod predicates shared by the diff, the rolling update and the status counters. */
final class Pods {

    /** {@code podByCreationTimestampAndPhase}; every pod we see is bound, so only age and name remain. */
    static final Comparator<PodView> OLDEST_FIRST = Comparator
            .comparing(PodView::created, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(PodView::name);

    private Pods() {}

    static boolean isTerminal(PodView pod) {
        return pod.phase() == Phase.Failed || pod.phase() == Phase.Succeeded;
    }

    /** {@code util.IsPodUpdated}: current revision hash, or the legacy template-generation label. */
    static boolean isNew(PodView pod, DaemonSetView ds) {
        if (pod.revisionHash() != null && pod.revisionHash().equals(ds.currentHash())) {
            return true;
        }
        return ds.templateGeneration() != null
                && String.valueOf(ds.templateGeneration()).equals(pod.templateGeneration());
    }

    /**
     * {@code podutil.IsPodAvailable}: ready, and ready for strictly longer than minReadySeconds. A missing
     * transition time behaves like Go's zero time, i.e. long ago.
     */
    static boolean isAvailable(PodView pod, int minReadySeconds, Instant now) {
        if (!pod.ready()) {
            return false;
        }
        if (minReadySeconds == 0 || pod.readySince() == null) {
            return true;
        }
        return pod.readySince().plusSeconds(minReadySeconds).isBefore(now);
    }

    /**
     * How long until a ready pod becomes available, plus the one second Kubernetes adds against clock edges;
     * empty when it is not ready or already available.
     */
    static Optional<Duration> untilAvailable(PodView pod, int minReadySeconds, Instant now) {
        if (minReadySeconds <= 0 || !pod.ready() || isAvailable(pod, minReadySeconds, now)) {
            return Optional.empty();
        }
        Instant due = pod.readySince().plusSeconds(minReadySeconds).plusSeconds(1);
        return Optional.of(Duration.between(now, due));
    }
}
