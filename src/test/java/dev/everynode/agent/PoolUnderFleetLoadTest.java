package dev.everynode.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.Observations;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.ApiClient;
import dev.everynode.support.Await;
import dev.everynode.support.IntegrationTest;
import dev.everynode.support.PodMonitor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * 1,000 simulated nodes at concurrency 64 against the shared test context (pool of 20): the fleet registers, a
 * DaemonSet is rolled out and a template change rolled out with maxUnavailable 10%. No agent may see a 5xx other
 * than a 503 with a Status body (the simulator retries those), no server error may be logged, no node may have two
 * live pods, and both rollouts must finish. Samples the Hikari pool throughout and prints what it saw.
 */
class PoolUnderFleetLoadTest extends IntegrationTest {

    private static final String NAME = "pool-agent";
    private static final String DS = "/apis/apps/v1/namespaces/kube-system/daemonsets";
    private static final String SELF = DS + "/" + NAME;
    private static final String PODS = "namespace = 'kube-system' AND name LIKE '" + NAME + "-%'";
    private static final int NODES = 1000;
    /**
     * Generous on purpose: what this test checks is the pool and the answers, not speed (the benchmark's). With the
     * shared context's 3 s grace period and 1 s heartbeats, 1,000 agents on two saturated cores let hundreds of nodes
     * look silent for a moment (their pods not Ready until the agents report again), which can make a rollout take
     * a minute here (36 s and 59 s in two runs of session 13).
     */
    private static final Duration ROLLOUT = Duration.ofSeconds(180);

    @Autowired
    DataSource dataSource;

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (api != null) {
            api.delete(SELF);
        }
    }

    @Test
    void thousandNodesRollOutTwiceWithoutServerErrors() throws Exception {
        long t0 = System.nanoTime();
        HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
        PoolSampler pool = new PoolSampler(hikari.getHikariPoolMXBean(), hikari.getMaximumPoolSize());
        if (Boolean.getBoolean("pool.diagnose")) {
            hikari.setLeakDetectionThreshold(1000);
        }
        resources.add(pool);
        ServerErrors errors = ServerErrors.attach();
        resources.add(errors);

        SimulatorConfig config = SimulatorConfig.builder("http://localhost:" + port).token(BOOTSTRAP_TOKEN)
                .prefix("pool").nodes(NODES).waitSeconds(30).startDelay(Duration.ofMillis(100))
                .reportBatch(Duration.ofMillis(100)).concurrency(64).workerThreads(4)
                .heartbeat(Duration.ofSeconds(1)).build();
        FleetSimulator sim = FleetSimulator.start(config);
        resources.add(sim);
        double registered = (System.nanoTime() - t0) / 1e9;

        PodMonitor monitor = new PodMonitor(jdbc, PODS, o -> {
            java.util.Set<String> doubled = o.doubled();
            return doubled.isEmpty() ? null : "two live pods on " + doubled;
        });
        resources.add(monitor);

        long t1 = System.nanoTime();
        ApiClient.Response created = api.post(DS, daemonSet("registry.example/pool-agent:v1"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Await.until("the first rollout on 1,000 nodes", ROLLOUT, () -> done("registry.example/pool-agent:v1"));
        double first = (System.nanoTime() - t1) / 1e9;

        long t2 = System.nanoTime();
        ObjectNode ds = (ObjectNode) api.get(SELF).json();
        ds.remove("status");
        ((ObjectNode) ds.path("spec").path("template").path("spec").path("containers").path(0))
                .put("image", "registry.example/pool-agent:v2");
        ApiClient.Response updated = api.put(SELF, ds);
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        Await.until("the template change rolled out on 1,000 nodes", ROLLOUT,
                () -> done("registry.example/pool-agent:v2"));
        double second = (System.nanoTime() - t2) / 1e9;

        Observations o = sim.observations();
        System.out.printf("pool under fleet load: registered %d nodes in %.1f s, first rollout %.1f s, update %.1f s;"
                        + " pool: %s; server errors: %s%n%s%n", NODES, registered, first, second, pool.summary(),
                errors.kinds(), o.summary());
        assertThat(monitor.violations()).isEmpty();
        assertThat(errors.kinds()).as("errors the server logged").isEmpty();
        assertThat(o.serverErrors()).as("5xx answers other than 503 with a Status: " + o.errorKinds()).isZero();
        assertThat(o.errorKinds().keySet()).as("what the agents saw go wrong: " + o.errorKinds())
                .allMatch(k -> !k.matches(".*HTTP 5\\d\\d.*")
                        || k.endsWith("HTTP 503 ServiceUnavailable with Retry-After"));
    }

    private boolean done(String image) {
        JsonNode ds = api.get(SELF).json();
        JsonNode s = ds.path("status");
        if (s.path("observedGeneration").asLong() != ds.path("metadata").path("generation").asLong()
                || s.path("desiredNumberScheduled").asInt() != NODES || s.path("updatedNumberScheduled").asInt() != NODES
                || s.path("numberAvailable").asInt() != NODES || s.path("numberReady").asInt() != NODES) {
            return false;
        }
        PodMonitor.Observation o = PodMonitor.observe(jdbc, PODS);
        return o.pods().size() == NODES && o.pods().stream().allMatch(p -> p.live() && p.ready())
                && image.equals(ds.path("spec").path("template").path("spec").path("containers").path(0)
                .path("image").asString());
    }

    private static ObjectNode daemonSet(String image) {
        return Json.parseObject("""
                {"apiVersion": "apps/v1", "kind": "DaemonSet",
                 "metadata": {"name": "%s", "namespace": "kube-system", "labels": {"app": "%s"}},
                 "spec": {"selector": {"matchLabels": {"app": "%s"}},
                          "updateStrategy": {"type": "RollingUpdate",
                                             "rollingUpdate": {"maxUnavailable": "10%%", "maxSurge": 0}},
                          "template": {"metadata": {"labels": {"app": "%s"}},
                                       "spec": {"containers": [{"name": "agent", "image": "%s"}],
                                                "terminationGracePeriodSeconds": 5}}}}
                """.formatted(NAME, NAME, NAME, NAME, image));
    }

    /** Samples the pool every 20 ms: the most connections in use, and the most threads waiting for one. */
    static final class PoolSampler implements AutoCloseable {
        private final HikariPoolMXBean pool;
        private final int max;
        private final AtomicInteger maxActive = new AtomicInteger();
        private final AtomicInteger maxWaiting = new AtomicInteger();
        private final AtomicLong samples = new AtomicLong();
        private final AtomicLong exhausted = new AtomicLong();
        private final AtomicLong cpuSamples = new AtomicLong();
        private final AtomicLong cpuBusy = new AtomicLong();
        private final AtomicLong cpuSaturated = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        PoolSampler(HikariPoolMXBean pool, int max) {
            this.pool = pool;
            this.max = max;
            this.thread = new Thread(() -> {
                com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                long lastCpu = 0;
                while (running) {
                    if (System.nanoTime() - lastCpu > 500_000_000L) {
                        lastCpu = System.nanoTime();
                        double cpu = os.getCpuLoad();
                        if (cpu >= 0) {
                            cpuSamples.incrementAndGet();
                            cpuBusy.addAndGet((long) (cpu * 100));
                            if (cpu > 0.95) {
                                cpuSaturated.incrementAndGet();
                            }
                        }
                    }
                    int active = pool.getActiveConnections();
                    int waiting = pool.getThreadsAwaitingConnection();
                    maxActive.accumulateAndGet(active, Math::max);
                    maxWaiting.accumulateAndGet(waiting, Math::max);
                    samples.incrementAndGet();
                    if (waiting > 0) {
                        exhausted.incrementAndGet();
                        if (waiting >= 10 && dumps.get() < 5 && System.nanoTime() - lastDump > 1_000_000_000L
                                && Boolean.getBoolean("pool.diagnose")) {
                            dumps.incrementAndGet();
                            lastDump = System.nanoTime();
                            dump(active, waiting);
                        }
                    }
                    try {
                        Thread.sleep(20); // pacing: the pool sampler
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "pool-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private final AtomicInteger dumps = new AtomicInteger();
        private long lastDump;

        /** Where the threads that use the database are: in getConnection (waiting) or in the driver (holding). */
        private static void dump(int active, int waiting) {
            Map<String, Integer> where = new java.util.TreeMap<>();
            Thread.getAllStackTraces().forEach((t, stack) -> {
                boolean waits = false;
                boolean sql = false;
                String ours = null;
                for (StackTraceElement e : stack) {
                    String c = e.getClassName();
                    if (c.startsWith("com.zaxxer.hikari.pool.HikariPool") && e.getMethodName().equals("getConnection")) {
                        waits = true;
                    }
                    if (c.startsWith("org.postgresql")) {
                        sql = true;
                    }
                    if (ours == null && c.startsWith("dev.everynode") && !c.contains("PoolUnderFleetLoadTest")) {
                        ours = e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1) + "." + e.getMethodName();
                    }
                }
                if (waits || sql) {
                    where.merge((waits ? "WAITS " : "IN SQL ") + t.getName().replaceAll("\\d+", "#") + " @ " + ours, 1,
                            Integer::sum);
                }
            });
            StringBuilder s = new StringBuilder("POOL DUMP active=" + active + " waiting=" + waiting);
            where.forEach((k, v) -> s.append("\n  ").append(v).append(" x ").append(k));
            System.out.println(s);
        }

        int maxWaiting() {
            return maxWaiting.get();
        }

        String summary() {
            return "max in use " + maxActive + "/" + max + ", max waiting " + maxWaiting + ", samples with waiters "
                    + exhausted + "/" + samples + "; machine CPU " + cpuBusy.get() / Math.max(1, cpuSamples.get())
                    + "% on average, >95% in " + cpuSaturated + " of " + cpuSamples + " half-second samples";
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }

    /** Counts ERROR and WARN events of the service's own loggers, by logger and exception. */
    static final class ServerErrors extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();

        static ServerErrors attach() {
            ServerErrors e = new ServerErrors();
            e.setContext((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory());
            e.start();
            ((Logger) LoggerFactory.getLogger("dev.everynode")).addAppender(e);
            return e;
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (!event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR)) {
                return;
            }
            String cause = event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName();
            String message = event.getFormattedMessage();
            kinds.computeIfAbsent(event.getLoggerName() + ": " + message.substring(0, Math.min(60, message.length()))
                    + cause, k -> new AtomicInteger()).incrementAndGet();
        }

        Map<String, Integer> kinds() {
            Map<String, Integer> out = new java.util.TreeMap<>();
            kinds.forEach((k, v) -> out.put(k, v.get()));
            return out;
        }

        @Override
        public void close() {
            ((Logger) LoggerFactory.getLogger("dev.everynode")).detachAppender(this);
            stop();
        }
    }
}
