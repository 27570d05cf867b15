package dev.everynode.agent;

import dev.everynode.apimachinery.ReconcileNotice;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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
 * for the changes every replica must hear about, whichever replica wrote them: pods of which nodes changed
 * (everynode_pods: {@link Assignments} wakes those nodes' long-polls) and which DaemonSets need a pass
 * (everynode_reconcile: published as {@link ReconcileNotice}s for the reconcile queue). Checks the connection every
 * few seconds (pgjdbc does not notice a dead one while waiting), reconnects with back-off, and after a reconnect
 * treats every node and every DaemonSet as changed, since notifications sent meanwhile are lost. Whatever fails
 * in the loop (the connection, or acting on a notice) ends in the same reconnect: the thread never dies.
 */
@Component
class ChangeListener {

    private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);

    private final Assignments assignments;
    private final ApplicationEventPublisher publisher;
    private final Environment environment;
    private volatile boolean running;
    private Thread thread;

    ChangeListener(Assignments assignments, ApplicationEventPublisher publisher, Environment environment) {
        this.assignments = assignments;
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
                    s.execute("LISTEN everynode_pods");
                    s.execute("LISTEN everynode_reconcile");
                }
                assignments.changedAll();
                publisher.publishEvent(new ReconcileNotice(ReconcileNotice.ALL));
                backoffMs = 200;
                PGConnection pg = connection.unwrap(PGConnection.class);
                long lastCheck = System.nanoTime();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        // A burst (10,000 node registrations) arrives as many notices: act on each key once.
                        java.util.Set<String> reconcile = new java.util.LinkedHashSet<>();
                        for (PGNotification n : notifications) {
                            boolean pods = "everynode_pods".equals(n.getName());
                            for (String item : n.getParameter().split(",")) {
                                if (pods) {
                                    assignments.changed(item);
                                } else {
                                    reconcile.add(item);
                                }
                            }
                        }
                        if (reconcile.contains(ReconcileNotice.ALL)) {
                            publisher.publishEvent(new ReconcileNotice(ReconcileNotice.ALL));
                        } else {
                            reconcile.forEach(key -> publisher.publishEvent(new ReconcileNotice(key)));
                        }
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
