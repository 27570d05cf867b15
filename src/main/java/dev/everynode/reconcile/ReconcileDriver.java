package dev.everynode.reconcile;

import dev.everynode.change.NodeNotices;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Drives the paused reconcile loop ({@code everynode.reconcile.paused=true}, tests only; the bean exists only
 * then): the queued DaemonSet keys run on the caller's thread, through the same pass and requeue handling as a
 * worker's, so a driven pass is a real one, only its moment is the test's.
 *
 * <p>DaemonSet and node changes reach the queue as PostgreSQL notices, about a millisecond after their commit;
 * {@link #awaitNotices()} waits until every notice committed before the call has been queued (a marker notice sent
 * after them has come back: PostgreSQL delivers notices in commit order; the node notices this replica holds back for
 * their window are sent first). Pod changes are queued by the writer
 * before its request answers.
 */
@Component
@ConditionalOnProperty(name = "everynode.reconcile.paused", havingValue = "true")
public class ReconcileDriver {

    /** More passes than this in one {@link #runPending()} is a loop that never settles. */
    private static final int PASS_LIMIT = 1_000;
    private static final Duration NOTICE_WAIT = Duration.ofSeconds(10);

    private final ReconcileQueue queue;
    private final ReconcileTriggers triggers;
    private final JdbcTemplate jdbc;
    private final NodeNotices nodeNotices;
    private final AtomicLong markers = new AtomicLong();

    ReconcileDriver(ReconcileQueue queue, ReconcileTriggers triggers, JdbcTemplate jdbc, NodeNotices nodeNotices) {
        this.queue = queue;
        this.triggers = triggers;
        this.jdbc = jdbc;
        this.nodeNotices = nodeNotices;
    }

    /**
     * Runs what is queued now, and what those passes queue, until nothing is (delayed requeues count once their
     * time has come). Returns the number of passes.
     */
    public int runPending() {
        return queue.runPending(PASS_LIMIT);
    }

    /**
     * Waits for the notices of every change committed before this call, then runs the queue empty; again while
     * that queued anything new (a pass's writes can notify, e.g. a finalizer removed). Returns the passes run.
     */
    public int runUntilIdle() {
        int total = 0;
        while (true) {
            awaitNotices();
            int passes = runPending();
            if (passes == 0) {
                return total;
            }
            total += passes;
            if (total > PASS_LIMIT) {
                throw new IllegalStateException("the reconcile loop did not settle within " + total + " passes");
            }
        }
    }

    /** Keys queued now (changed and resyncs), waiting for a driven run. */
    public int queued() {
        return queue.queued();
    }

    /** What the periodic resync would do: queue every DaemonSet (behind the changed ones). */
    public void resync() {
        triggers.resyncNow();
    }

    /**
     * Waits until every reconcile notice committed before this call has been heard and queued (at most 10 s).
     * A notice batch with a node change carries nothing else (it plans every DaemonSet anyway), so the marker is
     * sent again after every such batch.
     */
    public void awaitNotices() {
        long deadline = System.nanoTime() + NOTICE_WAIT.toNanos();
        nodeNotices.flush();
        try {
            while (true) {
                long marker = markers.incrementAndGet();
                long queuedAll = triggers.queuedAll();
                jdbc.execute("SELECT pg_notify('everynode_reconcile', '" + ReconcileTriggers.MARKER_NAMESPACE + "/"
                        + marker + "')");
                if (triggers.awaitMarker(marker, queuedAll, deadline)) {
                    return;
                }
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException("reconcile notices not heard within " + NOTICE_WAIT
                            + " (is the change listener connected?)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for reconcile notices", e);
        }
    }
}
