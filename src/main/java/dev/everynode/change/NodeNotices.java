package dev.everynode.change;

import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Tells every replica, this one included, that nodes changed: one everynode_reconcile "*" notice for all the node
 * writes this replica committed in the last {@value #WINDOW_MS} ms, sent after their commits in a statement of its
 * own. A trigger used to notify inside each writing transaction, but a NOTIFY holds a database-wide lock from its
 * commit until the commit is flushed, so notifying transactions commit one at a time: on the development machine
 * (pgbench, 64 clients, one INSERT per transaction) about 7,000 commits/s without a pg_notify and 1,900/s with one.
 * Each node registration, node PATCH and lifecycle mark paid for it (db/migration V9).
 *
 * <p>A notice is a hint (the tables stay the truth). The cost of sending it after the commit: a replica that dies
 * in the window between its commit and the notice leaves that change to the other replicas' periodic resync
 * (everynode.reconcile.resync-period); a failed send is retried every second.
 */
@Component
public class NodeNotices {

    static final long WINDOW_MS = 50;
    private static final Logger log = LoggerFactory.getLogger(NodeNotices.class);

    private final JdbcTemplate jdbc;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-notices");
        t.setDaemon(true);
        return t;
    });

    NodeNotices(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** After the commit of a node write (at once without a transaction; never for a rolled-back one). */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void written(Change.NodeWritten change) {
        if (pending.compareAndSet(false, true)) {
            sender.schedule(this::sendPending, WINDOW_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends the pending notice now, on the caller's thread, if there is one: after this returns, every node write
     * committed before the call has been notified (for a test that then waits for the notices it caused).
     */
    public void flush() {
        if (pending.compareAndSet(true, false)) {
            send();
        }
    }

    private void sendPending() {
        if (pending.compareAndSet(true, false)) {
            try {
                send();
            } catch (RuntimeException e) {
                log.warn("sending the node change notice failed, retrying in 1 s: {}", e.toString());
                if (pending.compareAndSet(false, true) && !sender.isShutdown()) {
                    sender.schedule(this::sendPending, 1, TimeUnit.SECONDS);
                }
            }
        }
    }

    private void send() {
        jdbc.execute("SELECT pg_notify('" + Notices.RECONCILE + "', '" + Notices.ANY_NODE + "')");
    }

    @PreDestroy
    void stop() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.debug("the last node change notice was not sent: {}", e.toString());
        }
        sender.shutdownNow();
    }
}
