package dev.everynode.change;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.IntegrationTest;
import dev.everynode.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Node changes reach every replica as one "*" notice per window, sent after the commit (db/migration V9): heard on
 * a LISTEN connection of the test's own, as another replica would hear them.
 */
class NodeNoticesTest extends IntegrationTest {

    @Autowired
    NodeNotices notices;

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    TransactionTemplate tx;

    private Connection listener;

    @BeforeEach
    void listen() throws Exception {
        TestDatabase.Connection db = TestDatabase.get();
        listener = DriverManager.getConnection(db.url(), db.username(), db.password());
        try (Statement s = listener.createStatement()) {
            s.execute("LISTEN " + Notices.RECONCILE);
        }
        heardAnyNode(300);
    }

    @AfterEach
    void close() throws Exception {
        listener.close();
    }

    @Test
    void aBurstOfNodeWritesIsOneNoticeAfterTheWindow() throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            notices.written(new Change.NodeWritten("burst-" + i, false));
        }
        long publishedMs = (System.nanoTime() - start) / 1_000_000;

        int heard = heardAnyNode(1000);

        // one per window the 200 writes spanned, however slow the machine
        assertThat(heard).isBetween(1, (int) (publishedMs / NodeNotices.WINDOW_MS) + 1);
    }

    @Test
    void aCommittedNodeWriteIsNoticedAndARolledBackOneIsNot() throws Exception {
        tx.executeWithoutResult(status -> {
            events.publishEvent(new Change.NodeWritten("rolled-back", false));
            status.setRollbackOnly();
        });
        assertThat(heardAnyNode(500)).isZero();

        tx.executeWithoutResult(status -> events.publishEvent(new Change.NodeWritten("committed", false)));
        assertThat(heardAnyNode(1000)).isEqualTo(1);
    }

    @Test
    void theTriggerNoLongerNotifiesNodeRowsButStillNotifiesDaemonSetKeys() throws Exception {
        jdbc.update("INSERT INTO objects (kind, namespace, name, uid, resource_version, generation, created_at, body) "
                + "VALUES ('Node', '', 'sql-node', ?, nextval('resource_version_seq'), 1, now(), '{}'::jsonb)",
                UUID.randomUUID());
        assertThat(heardAnyNode(500)).isZero();

        jdbc.update("INSERT INTO objects (kind, namespace, name, uid, resource_version, generation, created_at, body) "
                + "VALUES ('DaemonSet', ?, 'sql-ds', ?, nextval('resource_version_seq'), 1, now(), '{}'::jsonb)",
                namespace, UUID.randomUUID());
        assertThat(heard(1000)).contains(namespace + "/sql-ds");
    }

    @Test
    void flushSendsAPendingNoticeAtOnce() throws Exception {
        notices.written(new Change.NodeWritten("flushed", false));
        notices.flush();

        assertThat(heard(300)).containsExactly(Notices.ANY_NODE);
        assertThat(heardAnyNode(300)).isZero();
    }

    private int heardAnyNode(long forMs) throws Exception {
        return (int) heard(forMs).stream().filter(Notices.ANY_NODE::equals).count();
    }

    /** The payloads heard within {@code forMs} (at least one read, which waits up to 100 ms). */
    private List<String> heard(long forMs) throws Exception {
        PGConnection pg = listener.unwrap(PGConnection.class);
        List<String> payloads = new ArrayList<>();
        long deadline = System.nanoTime() + forMs * 1_000_000;
        do {
            PGNotification[] got = pg.getNotifications(100);
            if (got != null) {
                for (PGNotification n : got) {
                    payloads.add(n.getParameter());
                }
            }
        } while (System.nanoTime() < deadline);
        return payloads;
    }
}
