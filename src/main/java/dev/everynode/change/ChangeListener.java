package dev.everynode.change;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * LISTENs on a dedicated connection (never a pooled one: the pool would retire it and LISTEN would silently end)
 * for the changes every replica must hear about, whichever replica wrote them, and publishes them as
 * {@link Change.Noticed}: pods of which nodes changed (everynode_pods, for the agents' long-polls), which DaemonSets
 * changed and whether any node did (everynode_reconcile, for the reconcile queue); {@link Notices} turns a burst of
 * notifications into few changes. Checks the connection every few seconds (pgjdbc does not
 * notice a dead one while waiting), reconnects with back-off, and after a reconnect publishes
 * {@link Change.NoticesLost}, since notifications sent meanwhile are lost. Whatever fails in the loop (the
 * connection, or a subscriber acting on a change) ends in the same reconnect: the thread never dies.
 */
@Component
class ChangeListener {

    private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);

    private final ApplicationEventPublisher publisher;
    private final Environment environment;
    private volatile boolean running;
    private Thread thread;

    ChangeListener(ApplicationEventPublisher publisher, Environment environment) {
        this.publisher = publisher;
        this.environment = environment;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        running = true;
        thread = new Thread(this::run, "change-listener");
        thread.setDaemon(true);
        thread.start();
    }

    @EventListener(ContextClosedEvent.class)
    void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        long backoffMs = 200;
        while (running) {
            try (Connection connection = connect()) {
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + Notices.PODS);
                    s.execute("LISTEN " + Notices.RECONCILE);
                }
                publisher.publishEvent(new Change.NoticesLost());
                backoffMs = 200;
                PGConnection pg = connection.unwrap(PGConnection.class);
                long lastCheck = System.nanoTime();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        List<Notices.Notice> batch = new ArrayList<>(notifications.length);
                        for (PGNotification n : notifications) {
                            batch.add(new Notices.Notice(n.getName(), n.getParameter()));
                        }
                        Notices.changes(batch).forEach(publisher::publishEvent);
                    }
                    if (System.nanoTime() - lastCheck > 5_000_000_000L) {
                        if (!connection.isValid(2)) {
                            throw new SQLException("listener connection is no longer valid");
                        }
                        lastCheck = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                // A RuntimeException too: what the notices start (a pass over every DaemonSet after a reconnect)
                // reads the database through the pool, which may still refuse while this connection got through.
                // Uncaught, it ended this thread for good, and the replica woke no long-poll again (FaultsIT).
                if (!running) {
                    return;
                }
                log.warn("pod change listener lost its connection, retrying in {} ms: {}", backoffMs, e.getMessage());
                sleep(backoffMs + (long) (Math.random() * backoffMs));
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", environment.getProperty("spring.datasource.username", ""));
        props.setProperty("password", environment.getProperty("spring.datasource.password", ""));
        props.setProperty("ApplicationName", "everynode-listener");
        props.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(environment.getRequiredProperty("spring.datasource.url"), props);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
