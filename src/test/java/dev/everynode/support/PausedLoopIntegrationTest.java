package dev.everynode.support;

import dev.everynode.reconcile.ReconcileDriver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;

/**
 * An {@link IntegrationTest} whose reconcile loop is paused ({@code everynode.reconcile.paused=true}): changes are
 * queued but nothing reconciles until the test calls {@link #reconcileNow()}, which runs every queued pass on the
 * test's thread, exactly as a worker would. Between two calls the cluster holds still (no pod appears, no rollout
 * step), so a test can assert what one pass did.
 *
 * <p>Its Spring context is a second one (cached like the first): every other property is IntegrationTest's. It
 * uses a database of its own on the same server, {@value #DATABASE}: the other context stays alive in the same
 * JVM, and its workers would otherwise reconcile this test's DaemonSets (notices are per database, too). Its HTTPS
 * connector ({@link TestTls}) takes a free port, as the first context holds {@link TestTls#PORT}; its tests use
 * plain HTTP.
 */
@TestPropertySource(properties = {"everynode.reconcile.paused=true", "test.tls.port=0"})
@ContextConfiguration(initializers = PausedLoopIntegrationTest.OwnDatabase.class)
public abstract class PausedLoopIntegrationTest extends IntegrationTest {

    /** The paused context's database, next to the shared one. */
    public static final String DATABASE = "everynode_paused";

    @Autowired
    protected ReconcileDriver driver;

    private boolean databaseChecked;

    /**
     * Points the context at {@value #DATABASE}. An initializer, not a {@code @DynamicPropertySource}: those of the
     * subclass and of {@link IntegrationTest} set the same key, and IntegrationTest's ran last and won. This one
     * runs after them (Spring Boot applies the test's context customizers first) and puts its source before theirs;
     * {@link #awaitReconcileIdle} checks the database actually used.
     */
    static final class OwnDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            String url = ownDatabase(TestDatabase.get());
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("paused-loop-database",
                    Map.of("spring.datasource.url", url)));
        }
    }

    /**
     * Runs the paused loop until it is idle: waits until the notices of every change made so far are queued, then
     * runs the queued passes (and those they queue). Returns how many passes ran.
     */
    protected int reconcileNow() {
        return driver.runUntilIdle();
    }

    /** Paused, idle is what the test makes it: drive the queue empty (the cleanup's deletions included). */
    @Override
    protected void awaitReconcileIdle() {
        if (!databaseChecked) {
            String current = jdbc.queryForObject("SELECT current_database()", String.class);
            if (!DATABASE.equals(current)) {
                throw new IllegalStateException("the paused context uses database " + current + ", not " + DATABASE
                        + ": the other context's workers would reconcile its DaemonSets");
            }
            databaseChecked = true;
        }
        driver.runUntilIdle();
    }

    /** Creates {@value #DATABASE} on the test server if missing; returns its JDBC URL. */
    private static synchronized String ownDatabase(TestDatabase.Connection db) {
        String url = db.url().replaceFirst("^(jdbc:postgresql://[^/?]+/)[^?]*", "$1" + DATABASE);
        if (url.equals(db.url()) || !url.contains(DATABASE)) {
            throw new IllegalStateException("cannot name another database in " + db.url());
        }
        try (var connection = DriverManager.getConnection(db.url(), db.username(), db.password());
             var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            boolean found;
            try (var rows = exists.executeQuery()) {
                found = rows.next();
            }
            if (!found) {
                try (var create = connection.createStatement()) {
                    create.execute("CREATE DATABASE " + DATABASE);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + DATABASE + " for the paused context", e);
        }
        return url;
    }
}
