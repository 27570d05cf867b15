package dev.everynode.support;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of every test that needs the service: one Spring context and one real PostgreSQL for the whole test JVM
 * (every subclass has the same configuration, so the context is cached), real HTTP on a random port. Each test
 * starts from an empty cluster (no nodes, DaemonSets, pods or events) and gets a namespace of its own,
 * {@link #namespace}: namespaced objects go there, and {@link #daemonSetsPath()}, {@link #podsPath()} and
 * {@link Fixtures#fluentd(String)} address it. The periodic resync is 10 minutes, i.e.
 * never within a test: every pass must get its follow-up from the loop itself, and a lost one fails a test
 * instead of hiding behind the resync.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "everynode.reconcile.resync-period=10m",
        "everynode.gc.period=1s",
        "everynode.metrics.min-interval=0s",
        "everynode.security.admin-token=" + IntegrationTest.ADMIN_TOKEN,
        "everynode.security.bootstrap-token=" + IntegrationTest.BOOTSTRAP_TOKEN,
        "everynode.security.auth-failures-per-minute=1000",
        "everynode.nodes.grace-period=3s",
        "everynode.nodes.heartbeat-interval=1s",
        "everynode.nodes.monitor-period=500ms",
        "everynode.nodes.termination-margin=2s"})
@org.springframework.context.annotation.Import(TestTls.class)
public abstract class IntegrationTest {

    /** The admin token of the test context; {@link ApiClient} sends it unless told otherwise. */
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    /** The bootstrap token of the test context: registers nodes, nothing else. */
    public static final String BOOTSTRAP_TOKEN = "test-bootstrap-token-0123456789";

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected io.micrometer.core.instrument.MeterRegistry meters;

    protected ApiClient api;

    private static final java.util.concurrent.atomic.AtomicInteger TESTS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * This test's own namespace, "t-" and a short hash of the test class and a per-JVM test number; created before
     * the test (the next test's cleanup deletes it). Set when the test instance is made (JUnit makes one per test
     * method), so subclass fields may build paths from it.
     */
    protected final String namespace = "t-" + String.format("%08x",
            (getClass().getName() + "#" + TESTS.incrementAndGet()).hashCode());

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.Connection db = TestDatabase.get();
        registry.add("spring.datasource.url", db::url);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
    }

    @BeforeEach
    void emptyCluster(TestInfo test) throws InterruptedException {
        // Delete, let the reconcile passes of the previous test that were in flight finish, delete again: such a
        // pass may have read a DaemonSet before the first delete and still commit pods after it. A pass that
        // starts after the first delete finds no DaemonSet and writes nothing.
        for (int i = 0; i < 2; i++) {
            deleteRetryingDeadlocks("DELETE FROM objects WHERE kind <> 'Namespace' OR name NOT IN ('default', "
                    + "'kube-system', 'kube-public', 'kube-node-lease')");
            deleteRetryingDeadlocks("DELETE FROM pod_backoff");
            deleteRetryingDeadlocks("DELETE FROM node_heartbeats");
            deleteRetryingDeadlocks("DELETE FROM api_tokens");
            awaitReconcileIdle();
        }
        api = new ApiClient("http://localhost:" + port);
        ApiClient.Response created = api.post("/api/v1/namespaces", Fixtures.namespace(namespace));
        if (created.status() != 201) {
            throw new IllegalStateException("namespace " + namespace + " not created: " + created.body());
        }
        System.out.println("namespace=" + namespace + " test=" + getClass().getSimpleName() + "#"
                + test.getDisplayName());
    }

    /** The API path of this test's DaemonSets. */
    protected String daemonSetsPath() {
        return "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";
    }

    /** The API path of this test's pods. */
    protected String podsPath() {
        return "/api/v1/namespaces/" + namespace + "/pods";
    }

    /**
     * Waits until the reconcile queue has nothing queued and no pass running (its workqueue depth and longest
     * running processor, the client-go metrics it reports), at most 10 s: a test that left a busy loop behind
     * fails here, with the name of the wait, rather than in the next test's assertions.
     */
    protected void awaitReconcileIdle() {
        Await.until("the reconcile queue idle (nothing queued, no pass running)", java.time.Duration.ofSeconds(10),
                () -> meters.get("workqueue.depth").tag("name", "daemonset").gauge().value() == 0
                        && meters.get("workqueue.longest.running.processor").tag("name", "daemonset").gauge()
                                .value() == 0);
    }

    /**
     * A whole-table DELETE locks rows in physical order, the service's batched writers in name order: while the
     * previous test's heartbeats or passes still run, the two can deadlock, and PostgreSQL aborts one. That is the
     * cleanup's to retry, not a failure of the next test (CI saw it once in RolloutPoliciesFleetTest).
     */
    private void deleteRetryingDeadlocks(String sql) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                jdbc.update(sql);
                return;
            } catch (org.springframework.dao.PessimisticLockingFailureException e) {
                if (attempt == 5) {
                    throw e;
                }
                Thread.sleep(100L * attempt); // back-off before the retry, not a wait for a condition
            }
        }
    }
}
