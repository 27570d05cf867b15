package dev.everynode.reconcile;

import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.change.Change;
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

    ReconcileTriggers(ReconcileQueue queue, DaemonSetReconciler reconciler, GarbageCollector collector,
                      ObjectStore store, NodeCache nodeCache, PodSummaries summaries,
                      io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
        this.queue = queue;
        this.nodeCache = nodeCache;
        this.summaries = summaries;
        this.reconciler = reconciler;
        this.collector = collector;
        this.store = store;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        queue.start(key -> {
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
        });
        enqueueAll();
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
        ReconcileRule.of(change).ifPresent(this::apply);
    }

    private void apply(ReconcileRule.Trigger trigger) {
        if (trigger instanceof ReconcileRule.Queue q) {
            queue.add(q.key());
        } else if (trigger instanceof ReconcileRule.QueueNamespace n) {
            store.names("DaemonSet", n.namespace()).forEach(queue::add);
        } else if (trigger instanceof ReconcileRule.QueueAll) {
            nodeCache.refreshSoon();
            enqueueAll();
        } else if (trigger instanceof ReconcileRule.CollectGarbage) {
            collector.collectSoon();
        }
    }

    @Scheduled(fixedDelayString = "#{@reconcileProperties.resyncPeriod().toMillis()}",
            initialDelayString = "#{@reconcileProperties.resyncPeriod().toMillis()}")
    void resync() {
        store.names("DaemonSet", null).forEach(queue::addResync);
        summaries.forgetDeleted();
    }


    private void enqueueAll() {
        store.names("DaemonSet", null).forEach(queue::add);
    }

}
