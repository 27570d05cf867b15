package dev.everynode.reconcile;

import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.change.Change;
import dev.everynode.platform.EverynodeProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * When the loop runs: right after every committed write that can change a plan, and when a pass asks to run again
 * (at once after it removed a pod, whose node is then free for a replacement; later for minReadySeconds, the end
 * of a failure backoff, a progress deadline, a burst cut short, a lock held by another replica). The periodic resync
 * of every DaemonSet is a backstop, not part of the contract: the test suite runs with a 10-minute resync. What each {@link Change} queues is the
 * {@link ReconcileRule}'s: DaemonSet and node changes arrive as notices from PostgreSQL on every replica, whichever
 * replica wrote them; pod changes (agents' reports, deletions) are queued by the replica that accepted them.
 *
 * <p>With {@code everynode.reconcile.paused} (tests) the queue has no workers and there is no periodic resync: the
 * changes are queued all the same, and {@link ReconcileDriver} runs them through {@link #pass}, as a worker would.
 */
@Component
class ReconcileTriggers {

    private final ReconcileQueue queue;
    private final DaemonSetReconciler reconciler;
    private final GarbageCollector collector;
    private final ObjectStore store;
    private final NodeCache nodeCache;
    private final PodSummaries summaries;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final boolean paused;

    /**
     * The namespace of the {@link ReconcileDriver}'s marker notices, which are not DaemonSets (no namespace has a
     * "~"): one heard means every notice committed before it was sent has been queued.
     */
    static final String MARKER_NAMESPACE = "~reconcile-driver";
    private final Object noticeProgress = new Object();
    /** The highest marker heard, and how many "plan every DaemonSet" changes were applied (guarded by the above). */
    private long markerHeard;
    private long queuedAll;

    ReconcileTriggers(ReconcileQueue queue, DaemonSetReconciler reconciler, GarbageCollector collector,
                      ObjectStore store, NodeCache nodeCache, PodSummaries summaries,
                      io.micrometer.core.instrument.MeterRegistry meters, EverynodeProperties.Reconcile settings) {
        this.meters = meters;
        this.paused = settings.paused();
        this.queue = queue;
        this.nodeCache = nodeCache;
        this.summaries = summaries;
        this.reconciler = reconciler;
        this.collector = collector;
        this.store = store;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (paused) {
            org.slf4j.LoggerFactory.getLogger(ReconcileTriggers.class).warn("everynode.reconcile.paused=true: "
                    + "changes are queued but nothing reconciles until a test drives the queue (ReconcileDriver)");
        }
        queue.start(this::pass);
        enqueueAll();
    }

    /** One pass of a key, as every worker (and the {@link ReconcileDriver}) runs it, and its requeue. */
    private void pass(String key) {
        int slash = key.indexOf('/');
        long start = System.nanoTime();
        String outcome = "error";
        try {
            DaemonSetReconciler.Result result = reconciler.reconcile(key.substring(0, slash),
                    key.substring(slash + 1));
            outcome = "success";
            if (result != null && result.requeueAfter() != null) {
                outcome = "requeue";
                queue.addAfter(key, result.requeueAfter());
            }
        } finally {
            passes(outcome).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** everynode_reconcile_pass_seconds{result=success|requeue|error}: a pass, and what it asked of the queue. */
    private io.micrometer.core.instrument.Timer passes(String result) {
        return io.micrometer.core.instrument.Timer.builder("everynode.reconcile.pass").tag("result", result)
                .description("Reconcile passes of one DaemonSet: success, requeue (asked to run again later), error")
                .publishPercentileHistogram().maximumExpectedValue(java.time.Duration.ofSeconds(30)).register(meters);
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onWrite(Change.Written change) {
        ReconcileRule.of(change).ifPresent(this::apply);
    }

    @EventListener
    void onNotice(Change.Noticed change) {
        if (change instanceof Change.DaemonSetChanged marker && MARKER_NAMESPACE.equals(marker.namespace())) {
            heard(Long.parseLong(marker.name()));
            return;
        }
        ReconcileRule.of(change).ifPresent(this::apply);
    }

    private void heard(long marker) {
        synchronized (noticeProgress) {
            markerHeard = Math.max(markerHeard, marker);
            noticeProgress.notifyAll();
        }
    }

    /** For the {@link ReconcileDriver}: how many "plan every DaemonSet" changes have been applied so far. */
    long queuedAll() {
        synchronized (noticeProgress) {
            return queuedAll;
        }
    }

    /**
     * For the {@link ReconcileDriver}: waits until the marker {@code marker} has been heard (true) or a "plan every
     * DaemonSet" change was applied after {@code queuedAllBefore} (false: that notice batch may have swallowed the
     * marker, see {@code change.Notices}), at most until {@code deadlineNanos} (System.nanoTime(); false).
     */
    boolean awaitMarker(long marker, long queuedAllBefore, long deadlineNanos) throws InterruptedException {
        synchronized (noticeProgress) {
            while (markerHeard < marker && queuedAll == queuedAllBefore) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(noticeProgress, left);
            }
            return markerHeard >= marker;
        }
    }

    private void apply(ReconcileRule.Trigger trigger) {
        if (trigger instanceof ReconcileRule.Queue q) {
            queue.add(q.key());
        } else if (trigger instanceof ReconcileRule.QueueNamespace n) {
            store.names("DaemonSet", n.namespace()).forEach(queue::add);
        } else if (trigger instanceof ReconcileRule.QueueAll) {
            nodeCache.refreshSoon();
            enqueueAll();
            synchronized (noticeProgress) {
                queuedAll++;
                noticeProgress.notifyAll();
            }
        } else if (trigger instanceof ReconcileRule.CollectGarbage) {
            collector.collectSoon();
        }
    }

    @Scheduled(fixedDelayString = "#{@reconcileProperties.resyncPeriod().toMillis()}",
            initialDelayString = "#{@reconcileProperties.resyncPeriod().toMillis()}")
    void resync() {
        if (!paused) {
            resyncNow();
        }
    }

    /** The periodic resync's work: every DaemonSet queued behind the changed ones. */
    void resyncNow() {
        store.names("DaemonSet", null).forEach(queue::addResync);
        summaries.forgetDeleted();
    }


    private void enqueueAll() {
        store.names("DaemonSet", null).forEach(queue::add);
    }

}
