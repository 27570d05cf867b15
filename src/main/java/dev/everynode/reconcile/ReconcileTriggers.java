package dev.everynode.reconcile;

import dev.everynode.apimachinery.ObjectChanged;
import dev.everynode.apimachinery.ObjectStore;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * When the loop runs: right after every committed write that can change a plan (a DaemonSet, any node, a pod
 * of a DaemonSet), on a periodic resync of every DaemonSet, and when a pass asks to run again later
 * (minReadySeconds, the end of a failure backoff, a burst cut short).
 */
@Component
class ReconcileTriggers {

    private final ReconcileQueue queue;
    private final DaemonSetReconciler reconciler;
    private final GarbageCollector collector;
    private final ObjectStore store;

    ReconcileTriggers(ReconcileQueue queue, DaemonSetReconciler reconciler, GarbageCollector collector,
                      ObjectStore store) {
        this.queue = queue;
        this.reconciler = reconciler;
        this.collector = collector;
        this.store = store;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        queue.start(key -> {
            int slash = key.indexOf('/');
            DaemonSetReconciler.Result result = reconciler.reconcile(key.substring(0, slash), key.substring(slash + 1));
            if (result != null && result.requeueAfter() != null) {
                queue.addAfter(key, result.requeueAfter());
            }
        });
        resync();
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onChange(ObjectChanged change) {
        switch (change.kind()) {
            case "DaemonSet" -> {
                queue.add(change.namespace() + "/" + change.name());
                if ("DELETED".equals(change.type())) {
                    collector.collectSoon();
                }
            }
            case "Node" -> enqueueAll();
            case "Pod" -> {
                if (!change.name().isEmpty()) {
                    enqueueNamespace(change.namespace());
                }
            }
            default -> { }
        }
    }

    @Scheduled(fixedDelayString = "${everynode.reconcile.resync-period:5s}", initialDelayString = "${everynode.reconcile.resync-period:5s}")
    void resync() {
        enqueueAll();
    }

    int depth() {
        return queue.depth();
    }

    private void enqueueAll() {
        store.list("DaemonSet", null).forEach(ds -> queue.add(ds.namespace() + "/" + ds.name()));
    }

    private void enqueueNamespace(String namespace) {
        store.list("DaemonSet", namespace).forEach(ds -> queue.add(ds.namespace() + "/" + ds.name()));
    }

}
