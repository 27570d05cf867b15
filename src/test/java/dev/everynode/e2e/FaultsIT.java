package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.FaultProxy;
import dev.everynode.support.PodMonitor;
import dev.everynode.support.PodMonitor.Observation;
import dev.everynode.support.PodMonitor.PodRow;
import dev.everynode.support.RestartablePostgres;
import dev.everynode.support.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Faults survived, measured (issue 16). Two replicas of the packaged jar, A and B, reach PostgreSQL through a TCP
 * proxy (so the database can be blackholed) and are reached by 1,000 simulated agents and by the test's API client
 * through a balancing proxy (a load balancer that checks {@code /livez}); PostgreSQL's data directory is a
 * size-limited tmpfs (so its disk can fill). Each step starts a rolling update (maxUnavailable 20 %, maxSurge 0),
 * injects one fault in the middle of it, removes the fault and measures how long the rollout takes to finish.
 *
 * <p>Checked throughout, from the database directly (every ~50 ms) and from the outside:
 * <ul>
 *   <li>never two live pods of the DaemonSet on one node (maxSurge 0);</li>
 *   <li>never more than maxUnavailable nodes without an available pod (except while the agents are partitioned:
 *       then the node lifecycle marks their pods not Ready, which is the fault's doing, not the controller's);</li>
 *   <li>no pod of the revision being rolled out is deleted (the simulator never fails one: a deletion could only
 *       come from the fault);</li>
 *   <li>every write the API accepted (a ledger of namespaces created every 200 ms) is there at the end;</li>
 *   <li>no answer is a 5xx other than 503 with a {@code Status} body (the ledger and the agents);</li>
 *   <li>readiness goes down while the database is gone, liveness stays up.</li>
 * </ul>
 * Results go to stdout and to {@code target/faults-report.md}: one row per fault.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    private static final int NODES = Integer.getInteger("faults.nodes", 1000);
    private static final int MAX_UNAVAILABLE = Math.max(1, NODES / 5);
    private static final String NS = "kube-system";
    private static final String NAME = "faults";
    private static final String DS = "/apis/apps/v1/namespaces/" + NS + "/daemonsets/" + NAME;
    private static final Duration GRACE = Duration.ofSeconds(20);
    private static final Duration ROLLOUT = Duration.ofSeconds(180);
    private static final String PODS = "namespace = 'kube-system' AND body->'metadata'->'labels'->>'name' = 'faults'";

    private final String adminToken = "faults-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final String bootstrapToken = "boot-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    private Path target;
    private Path jar;
    private Path mount;
    private RestartablePostgres pg;
    private FaultProxy dbProxy;
    /** The agents' load balancer. */
    private FaultProxy lb;
    /** The API clients' load balancer (the test's requests and the ledger). */
    private FaultProxy api;
    private final Replica[] replicas = new Replica[2];
    private final int[] ports = new int[2];
    private HttpClient http;
    private FleetSimulator simulator;
    private JdbcTemplate direct;
    private PodMonitor monitor;
    private Ledger ledger;
    private Probes probes;
    private Set<String> nodes;
    private int version = 1;

    /** Set while a fault makes nodes unavailable by itself (agents partitioned): availability is not checked. */
    private volatile boolean availabilityExcused;
    /**
     * The revision hash being rolled out: its live pods must never be deleted. Null from a step's PATCH until the
     * new revision's pods are seen (the pods of the previous target are then being replaced, as they should be).
     */
    private volatile String targetHash;
    /** The step's version and when its PATCH was sent (System.nanoTime), for the violation messages. */
    private volatile int targetVersion;
    private volatile long patchedAt;
    /** "hash/pod name" → node of the target's pods seen live. */
    private final Map<String, String> targetPodsSeen = new ConcurrentHashMap<>();
    private final AtomicInteger maxUnavailableSeen = new AtomicInteger();
    /** Nodes without an available pod at the monitor's last observation. */
    private final AtomicInteger lastUnavailable = new AtomicInteger();
    private final List<String> report = Collections.synchronizedList(new ArrayList<>());

    private record Replica(String name, int port, Process process, Path log) {
        String url(String path) {
            return "http://localhost:" + port + path;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the cluster

    @BeforeAll
    void startCluster() throws Exception {
        target = Path.of("target").toAbsolutePath();
        jar = PackagedService.jar(target);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        mount = Files.createTempDirectory("everynode-faults-disk");
        run("mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", mount.toString());
        pg = new RestartablePostgres(mount.resolve("pgdata"), PackagedService.freePort());
        direct = new JdbcTemplate(new SimpleDriverDataSource(new org.postgresql.Driver(), pg.url(), "postgres",
                "postgres"));
        dbProxy = FaultProxy.to("pg", pg.port());

        long t0 = System.nanoTime();
        ports[0] = PackagedService.freePort();
        ports[1] = PackagedService.freePort();
        replicas[0] = startReplica(0);
        replicas[1] = startReplica(1);
        awaitReady(replicas[0]);
        awaitReady(replicas[1]);
        lb = FaultProxy.balancing("lb", List.of(ports[0], ports[1]));
        api = FaultProxy.balancing("api", List.of(ports[0], ports[1]));
        System.out.printf("[faults] replicas ready after %.1f s; PostgreSQL on a 1 GiB tmpfs at %s%n",
                (System.nanoTime() - t0) / 1e9, mount);

        long t1 = System.nanoTime();
        simulator = FleetSimulator.start(SimulatorConfig.builder("http://localhost:" + lb.port())
                .token(bootstrapToken).nodes(NODES).prefix("node").heartbeat(Duration.ofSeconds(5)).waitSeconds(20)
                .startDelay(Duration.ofMillis(1000)).concurrency(32).workerThreads(4).build());
        nodes = Set.copyOf(simulator.nodeNames());
        System.out.printf("[faults] %d simulated nodes registered in %.1f s%n", NODES, (System.nanoTime() - t1) / 1e9);


        JsonNode created = send("POST", "/apis/apps/v1/namespaces/" + NS + "/daemonsets", daemonSet(image(1)),
                "application/json");
        assertThat(created.path("kind").asString()).as(created.toString()).isEqualTo("DaemonSet");
        long t2 = System.nanoTime();
        awaitRolledOut(1);
        System.out.printf("[faults] %d pods Ready %.1f s after the DaemonSet was created%n", NODES,
                (System.nanoTime() - t2) / 1e9);
        // Watching starts once every node has its pod: before, every node is legitimately unavailable.
        monitor = new PodMonitor(direct, PODS, this::check).toleratingDatabaseOutages();
        ledger = new Ledger();
        probes = new Probes();
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            if (ledger != null) {
                ledger.close();
            }
            if (probes != null) {
                probes.close();
            }
            if (monitor != null) {
                monitor.close();
            }
            if (simulator != null) {
                System.out.println("[faults] simulator: " + simulator.observations().summary());
                simulator.close();
            }
            for (Replica r : replicas) {
                if (r != null) {
                    resume(r);
                    r.process().destroy();
                }
            }
            for (Replica r : replicas) {
                if (r != null && !r.process().waitFor(20, TimeUnit.SECONDS)) {
                    r.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (lb != null) {
                lb.close();
            }
            if (api != null) {
                api.close();
            }
            if (dbProxy != null) {
                dbProxy.close();
            }
            if (pg != null) {
                pg.close();
            }
        } finally {
            if (mount != null) {
                run("umount", "-l", mount.toString());
            }
            String table = "| Fault | Injected | Invariants | Recovery |\n|---|---|---|---|\n" + String.join("\n", report);
            Files.writeString(target.resolve("faults-report.md"), table + "\n");
            System.out.println("[faults] report:\n" + table);
        }
    }

    private Replica startReplica(int i) throws IOException {
        String name = i == 0 ? "a" : "b";
        Path log = target.resolve("faults-" + name + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString())
                .directory(Files.createTempDirectory("everynode-faults-" + name).toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        PackagedService.environment(env, new TestDatabase.Connection(
                "jdbc:postgresql://127.0.0.1:" + dbProxy.port() + "/postgres", "postgres", "postgres", "proxy"),
                ports[i], adminToken, bootstrapToken);
        env.put("EVERYNODE_NODES_HEARTBEAT_INTERVAL", "5s");
        env.put("EVERYNODE_NODES_GRACE_PERIOD", GRACE.toSeconds() + "s");
        return new Replica(name, ports[i], pb.start(), log);
    }

    private void awaitReady(Replica r) throws IOException, InterruptedException {
        PackagedService.awaitReady("replica " + r.name(), r.process(), r.log(), http,
                URI.create(r.url("/readyz")), adminToken, Duration.ofSeconds(120));
    }

    // ---------------------------------------------------------------------------------------------------------
    // the faults

    @Test
    @Order(1)
    void postgresStoppedFastAndStarted() throws Exception {
        postgresStoppedAndStarted("PostgreSQL stopped (`pg_ctl stop -m fast`) for 10 s", pg::stopFast);
    }

    @Test
    @Order(2)
    void postgresStoppedImmediateAndStarted() throws Exception {
        postgresStoppedAndStarted("PostgreSQL stopped (`-m immediate`: SIGQUIT, crash recovery) for 10 s",
                pg::stopImmediate);
    }

    private interface Action {
        void run() throws Exception;
    }

    private void postgresStoppedAndStarted(String what, Action stop) throws Exception {
        Fault f = begin(what);
        stop.run();
        f.injected();
        f.hold(Duration.ofSeconds(10));
        pg.start();
        f.removed();
        f.expectReadinessDown();
        f.finish();
    }

    @Test
    @Order(3)
    void databaseBlackholed() throws Exception {
        Fault f = begin("PostgreSQL unreachable without a reset (TCP proxy holds every byte) for 30 s");
        dbProxy.blackhole();
        f.injected();
        f.hold(Duration.ofSeconds(30));
        dbProxy.restore();
        f.removed();
        f.expectReadinessDown();
        f.finish();
    }

    @Test
    @Order(4)
    void replicaKilledAndRestarted() throws Exception {
        Fault f = begin("replica A SIGKILLed, restarted after 5 s");
        replicas[0].process().destroyForcibly();
        assertThat(replicas[0].process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        f.injected();
        f.hold(Duration.ofSeconds(5));
        replicas[0] = startReplica(0);
        awaitReady(replicas[0]);
        f.removed();
        f.finish();
    }

    @Test
    @Order(5)
    void replicaFrozenAndContinued() throws Exception {
        Fault f = begin("replica B SIGSTOPped for 60 s, then SIGCONT");
        run("kill", "-STOP", Long.toString(replicas[1].process().pid()));
        f.injected();
        // The rollout goes on through A while B is frozen (B may have been in the middle of a pass).
        long doneWhileFrozen = f.awaitRolledOutWithin(Duration.ofSeconds(60));
        f.holdUntil(Duration.ofSeconds(60));
        resume(replicas[1]);
        f.removed();
        f.note(doneWhileFrozen >= 0 ? "rollout finished by A %.1f s after B froze".formatted(doneWhileFrozen / 1e9)
                : "rollout not finished while B was frozen");
        f.finish();
        // B woke up believing whatever it believed: nothing it does afterwards may break the invariants.
        Thread.sleep(5000);
        f.assertClean();
    }

    @Test
    @Order(6)
    void agentsPartitionedLongerThanTheGracePeriod() throws Exception {
        Fault f = begin("all agents partitioned for 30 s (grace period 20 s), then back at once");
        availabilityExcused = true;
        lb.blackhole();
        f.injected();
        f.hold(GRACE.plusSeconds(10));
        lb.restore();
        f.removed();
        // The node lifecycle monitor may still mark nodes unreachable after the partition ended: those whose agents
        // have not got through yet (requests held by the partition wait for their own timeout), and all of them if
        // it started watching less than a grace period before (a replica that has just woken up, as in the step
        // before). That is the fault's doing too, so availability stays excused until every node has been Ready and
        // no more than maxUnavailable nodes without an available pod for a whole grace period.
        long readyAt = awaitStable("every node Ready again", ROLLOUT, GRACE, () -> notReadyNodes() == 0);
        f.note("all nodes Ready again %.1f s after the partition ended".formatted((readyAt - f.removedAt) / 1e9));
        // Their pods were marked not Ready with the nodes (the fault's doing); they count again once the agents
        // have reported them again, i.e. once no more than maxUnavailable nodes are without an available pod.
        long availableAt = awaitStable("the agents' pods reported Ready again", ROLLOUT, GRACE,
                () -> notReadyNodes() == 0 && lastUnavailable.get() <= MAX_UNAVAILABLE);
        f.note("pods available again %.1f s after the partition ended".formatted((availableAt - f.removedAt) / 1e9));
        availabilityExcused = false;
        f.finish();
    }

    @Test
    @Order(7)
    void postgresDiskFull() throws Exception {
        Fault f = begin("PostgreSQL's disk full (tmpfs filled) for 20 s during pod creation, then space freed");
        Path filler = mount.resolve("filler");
        long filled = fill(filler);
        f.injected();
        f.hold(Duration.ofSeconds(20));
        Files.delete(filler);
        boolean restarted = pg.ensureRunning();
        f.removed();
        f.note("filled %d MiB%s".formatted(filled >> 20, restarted ? "; PostgreSQL had stopped and was started" : ""));
        f.finish();
    }

    // ---------------------------------------------------------------------------------------------------------
    // one fault

    private Fault begin(String what) throws Exception {
        int v = ++version;
        targetHash = null;
        targetPodsSeen.clear();
        targetVersion = v;
        patchedAt = System.nanoTime();
        JsonNode patched = send("PATCH", DS, Json.parseObject("{\"spec\": {\"template\": {\"spec\": {\"containers\": "
                + "[{\"name\": \"app\", \"image\": \"" + image(v) + "\"}]}}}}"), "application/merge-patch+json");
        long generation = patched.path("metadata").path("generation").asLong();
        assertThat(generation).as(patched.toString()).isGreaterThan(1);
        long t0 = System.nanoTime();
        awaitTrue("the rollout to v" + v + " under way", ROLLOUT, () -> {
            List<String> hashes = direct.queryForList("SELECT DISTINCT body->'metadata'->'labels'->>"
                    + "'controller-revision-hash' FROM objects WHERE kind = 'Pod' AND " + PODS
                    + " AND body->'spec'->'containers'->0->>'image' = ?", String.class, image(v));
            if (hashes.size() == 1) {
                targetHash = hashes.get(0);
            } else if (hashes.size() > 1) {
                // One template, one revision: two hashes would leave the target unknown (nothing protected).
                throw new AssertionError("pods of " + image(v) + " carry more than one revision hash: " + hashes);
            }
            long updated = countPods(image(v));
            return updated >= MAX_UNAVAILABLE / 2 && updated < NODES - MAX_UNAVAILABLE;
        });
        System.out.printf("[faults] %s: injected %.1f s into the rollout to v%d (%d pods updated)%n", what,
                (System.nanoTime() - t0) / 1e9, v, countPods(image(v)));
        return new Fault(what, generation, v);
    }

    private final class Fault {
        final String what;
        final long generation;
        final int v;
        final long violationsBefore = monitor.violationCount();
        final int messagesBefore = monitor.violations().size();
        final int ledgerBadBefore = ledger.bad.size();
        final long agentServerErrorsBefore = simulator.observations().serverErrors();
        final long agent503Before = simulator.observations().unavailable();
        final long ledgerOkBefore = ledger.accepted.get();
        final long ledger503Before = ledger.unavailable.get();
        long injectedAt;
        long removedAt;
        final List<String> notes = new ArrayList<>();

        Fault(String what, long generation, int v) {
            this.what = what;
            this.generation = generation;
            this.v = v;
            maxUnavailableSeen.set(0);
        }

        void injected() {
            injectedAt = System.nanoTime();
        }

        void hold(Duration d) throws InterruptedException {
            Thread.sleep(d.toMillis());
        }

        /** Sleeps until {@code d} after the injection. */
        void holdUntil(Duration d) throws InterruptedException {
            long left = injectedAt + d.toNanos() - System.nanoTime();
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
        }

        void removed() {
            removedAt = System.nanoTime();
        }

        long sinceRemoved() {
            return System.nanoTime() - removedAt;
        }

        void note(String s) {
            notes.add(s);
        }

        /** Nanoseconds from the injection to the rollout finished, or -1 if not within {@code d}. */
        long awaitRolledOutWithin(Duration d) throws InterruptedException {
            long deadline = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < deadline) {
                if (rolledOut(generation)) {
                    return System.nanoTime() - injectedAt;
                }
                Thread.sleep(200);
            }
            return -1;
        }

        /** Readiness of the replicas went down within the fault, liveness never did. */
        void expectReadinessDown() {
            long window = removedAt;
            for (Replica r : replicas) {
                long firstDown = probes.firstNotReady(r.name(), injectedAt, window);
                assertThat(firstDown).as("replica %s reported not ready while the database was gone", r.name())
                        .isGreaterThanOrEqualTo(0);
                notes.add("readiness of %s down after %.1f s".formatted(r.name(), firstDown / 1e9));
                double failing = probes.longestFailingSeconds(r.name(), injectedAt, window);
                notes.add("longest liveness gap of %s %.1f s".formatted(r.name(), failing));
                assertThat(probes.kubeletWouldRestart(r.name(), injectedAt, window))
                        .as("replica %s stayed live: a kubelet with the default liveness probe (every 10 s, 1 s "
                                + "timeout, 3 failures) would have restarted it; liveness failed for up to %.1f s",
                                r.name(), failing).isFalse();
            }
        }

        void finish() throws Exception {
            awaitRolledOut(generation);
            long recovered = System.nanoTime() - removedAt;
            awaitTrue("both replicas ready", Duration.ofSeconds(60), () -> {
                for (Replica r : replicas) {
                    if (probe(r, "/readyz") != 200) {
                        return false;
                    }
                }
                return true;
            });
            long agentErrors = simulator.observations().serverErrors() - agentServerErrorsBefore;
            long agent503 = simulator.observations().unavailable() - agent503Before;
            String invariants = "%d violations, at most %d of %d nodes unavailable (maxUnavailable %d), ledger %d "
                    .formatted(monitor.violationCount() - violationsBefore, maxUnavailableSeen.get(), NODES,
                            MAX_UNAVAILABLE, ledger.accepted.get() - ledgerOkBefore)
                    + "accepted / %d answered 503 Status / %d bad answers, agents: %d 503 Status, %d other 5xx"
                    .formatted(ledger.unavailable.get() - ledger503Before, ledger.bad.size() - ledgerBadBefore,
                            agent503, agentErrors);
            String row = "| %s | %s | %s | rollout finished %.1f s after the fault ended%s |".formatted(what,
                    "v%d rollout of %d nodes".formatted(v, NODES), invariants, recovered / 1e9,
                    notes.isEmpty() ? "" : "; " + String.join("; ", notes));
            report.add(row);
            System.out.println("[faults] " + row);
            assertClean();
            assertThat(agentErrors).as("agents saw 5xx other than 503 Status: %s",
                    simulator.observations().errorKinds()).isZero();
        }

        void assertClean() {
            assertThat(monitor.violationCount() - violationsBefore).as("invariant violations: %s",
                    monitor.violations().subList(messagesBefore, monitor.violations().size())).isZero();
            assertThat(ledger.bad.subList(ledgerBadBefore, ledger.bad.size())).as("bad API answers").isEmpty();
            assertThat(ledger.missing()).as("accepted writes lost").isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // invariants

    /** The monitor's check of one observation; null = fine. */
    private String check(Observation o) {
        Set<String> doubled = o.doubled();
        if (!doubled.isEmpty()) {
            return "two live pods on a node without surge: " + doubled;
        }
        Set<String> down = o.unavailable(nodes);
        maxUnavailableSeen.accumulateAndGet(down.size(), Math::max);
        lastUnavailable.set(down.size());
        if (!availabilityExcused && down.size() > MAX_UNAVAILABLE) {
            return "more than maxUnavailable=" + MAX_UNAVAILABLE + " nodes without an available pod: " + down.size();
        }
        String hash = targetHash;
        if (hash != null) {
            // entries are "hash/pod name": a pod of an earlier target may be replaced now
            Map<String, String> liveNow = new java.util.HashMap<>();
            Map<String, PodRow> byName = new java.util.HashMap<>();
            for (PodRow p : o.pods()) {
                byName.put(p.name(), p);
                if (hash.equals(p.hash()) && p.live()) {
                    liveNow.put(hash + "/" + p.name(), p.node());
                }
            }
            for (Map.Entry<String, String> seen : targetPodsSeen.entrySet()) {
                if (seen.getKey().startsWith(hash + "/") && !liveNow.containsKey(seen.getKey())) {
                    // reported once, with what is known of it
                    targetPodsSeen.remove(seen.getKey());
                    PodRow now = byName.get(seen.getKey().substring(hash.length() + 1));
                    return "pod %s of the revision being rolled out (v%d) was %s on node %s, %.1f s after the PATCH"
                            .formatted(seen.getKey(), targetVersion, now == null ? "removed" : "marked terminating",
                                    seen.getValue(), (System.nanoTime() - patchedAt) / 1e9);
                }
            }
            targetPodsSeen.putAll(liveNow);
        }
        return null;
    }

    /** Creates a namespace every 200 ms through the load balancer; remembers what was accepted. */
    private final class Ledger implements AutoCloseable {
        final Set<String> acceptedNames = ConcurrentHashMap.newKeySet();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong unavailable = new AtomicLong();
        final AtomicLong failedToAnswer = new AtomicLong();
        final List<String> bad = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean running = true;

        Ledger() {
            thread = new Thread(this::loop, "ledger");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            int i = 0;
            while (running) {
                String name = "ledger-" + (++i);
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                                    + api.port() + "/api/v1/namespaces"))
                            .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\": {\"name\": \"" + name + "\"}}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 201) {
                        accepted.incrementAndGet();
                        acceptedNames.add(name);
                    } else if (r.statusCode() == 503 && r.body().contains("\"kind\":\"Status\"")) {
                        unavailable.incrementAndGet();
                    } else if (r.statusCode() >= 500) {
                        bad.add(name + ": " + r.statusCode() + " " + r.body());
                    } else if (r.statusCode() != 409) {
                        bad.add(name + ": " + r.statusCode() + " " + r.body());
                    }
                    Thread.sleep(200);
                } catch (IOException e) {
                    failedToAnswer.incrementAndGet(); // timed out or reset (a frozen or killed replica): not accepted
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Accepted names not in the database (read directly). */
        List<String> missing() {
            // The names accepted so far, taken before the read: one accepted while the read runs is not missing.
            List<String> accepted = List.copyOf(acceptedNames);
            Set<String> stored;
            try {
                stored = Set.copyOf(direct.queryForList(
                        "SELECT name FROM objects WHERE kind = 'Namespace' AND name LIKE 'ledger-%'", String.class));
            } catch (RuntimeException e) {
                return List.of("could not read the ledger back: " + e);
            }
            return accepted.stream().filter(n -> !stored.contains(n)).sorted().toList();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(15000);
        }
    }

    /**
     * GET /readyz and /livez of each replica every 250 ms (1 s timeout), each path of each replica on its own thread
     * and client, so a slow readiness answer never delays a liveness sample.
     */
    private final class Probes implements AutoCloseable {
        record Sample(String replica, long at, int ready, int live) {}

        /** Kubelet's defaults for a liveness probe: periodSeconds 10, failureThreshold 3 (timeoutSeconds 1). */
        static final long PERIOD = Duration.ofSeconds(10).toNanos();
        static final int THRESHOLD = 3;

        final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;
        /** Replicas already thread-dumped during a run of failed liveness samples (one dump per run). */
        private final Set<String> dumping = ConcurrentHashMap.newKeySet();

        Probes() {
            for (int i = 0; i < replicas.length; i++) {
                int index = i;
                for (boolean live : new boolean[] {false, true}) {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(1)).build();
                    Thread t = new Thread(() -> sample(index, live, client), "probes-" + i + (live ? "-live" : "-ready"));
                    t.setDaemon(true);
                    t.start();
                    threads.add(t);
                }
            }
        }

        private void sample(int index, boolean live, HttpClient client) {
            int failedInARow = 0;
            while (running) {
                Replica r = replicas[index];
                int code = probe(client, r, live ? "/livez" : "/readyz");
                samples.add(new Sample(r.name(), System.nanoTime(), live ? 0 : code, live ? code : 0));
                if (live) {
                    failedInARow = code == 200 ? 0 : failedInARow + 1;
                    if (failedInARow == 0) {
                        dumping.remove(r.name());
                    } else if (failedInARow >= 3 && dumping.add(r.name())) {
                        threadDump(r);
                    }
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** What the replica's threads were doing while its liveness answers failed: for the failure's diagnosis. */
        private void threadDump(Replica r) {
            try {
                Path out = target.resolve("faults-%s-threads-%d.txt".formatted(r.name(), System.currentTimeMillis()));
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(r.process().pid()), "Thread.print").redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start(); // not waited for: a frozen replica answers later
                System.out.printf("[faults] replica %s: 3 failed liveness samples in a row, threads in %s%n", r.name(),
                        out);
            } catch (IOException e) {
                System.out.println("[faults] no thread dump of " + r.name() + ": " + e);
            }
        }

        /** Nanoseconds from {@code from} to the first not-ready answer before {@code to}, or -1. */
        long firstNotReady(String replica, long from, long to) {
            synchronized (samples) {
                for (Sample s : samples) {
                    if (s.replica().equals(replica) && s.at() >= from && s.at() <= to && s.live() == 0
                            && s.ready() != 200) {
                        return s.at() - from;
                    }
                }
            }
            return -1;
        }

        private List<Sample> liveness(String replica, long from, long to) {
            synchronized (samples) {
                return samples.stream().filter(s -> s.replica().equals(replica) && s.live() != 0 && s.at() >= from
                        && s.at() <= to).toList();
            }
        }

        /** The longest run of consecutive failed liveness samples (every 250 ms), in seconds: reported. */
        double longestFailingSeconds(String replica, long from, long to) {
            long longest = 0;
            long runStart = -1;
            for (Sample s : liveness(replica, from, to)) {
                if (s.live() == 200) {
                    runStart = -1;
                } else {
                    runStart = runStart < 0 ? s.at() : runStart;
                    longest = Math.max(longest, s.at() - runStart + Duration.ofSeconds(1).toNanos());
                }
            }
            return longest / 1e9;
        }

        /**
         * Whether a kubelet probing {@code /livez} with the defaults (every 10 s, 1 s timeout, restart after 3
         * failures in a row) would have restarted the replica, whatever the phase of its probes: some failed sample
         * whose nearest samples 10 s and 20 s later failed too. Sampling every 250 ms with a 1 s timeout and
         * counting 3 failures in a row would instead restart a replica for any 2 s without an answer on two
         * saturated cores, which no kubelet does.
         */
        boolean kubeletWouldRestart(String replica, long from, long to) {
            List<Sample> live = liveness(replica, from, to);
            for (int i = 0; i < live.size(); i++) {
                boolean failed = true;
                for (int k = 0; k < THRESHOLD && failed; k++) {
                    Sample s = nearest(live, live.get(i).at() + k * PERIOD);
                    failed = s != null && s.live() != 200;
                }
                if (failed) {
                    return true;
                }
            }
            return false;
        }

        private static Sample nearest(List<Sample> live, long at) {
            Sample best = null;
            for (Sample s : live) {
                if (best == null || Math.abs(s.at() - at) < Math.abs(best.at() - at)) {
                    best = s;
                }
            }
            // A probe of a kubelet that falls after the window is not there to count.
            return best == null || Math.abs(best.at() - at) > Duration.ofMillis(1500).toNanos() ? null : best;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.interrupt();
                t.join(5000);
            }
        }
    }

    private int probe(Replica r, String path) {
        return probe(http, r, path);
    }

    private static int probe(HttpClient client, Replica r, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(r.url(path))).timeout(Duration.ofSeconds(1)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the API and the database

    private static String image(int v) {
        return "registry.example/faults:v" + v;
    }

    private static JsonNode daemonSet(String image) {
        return Json.parseObject("""
                {"apiVersion": "apps/v1", "kind": "DaemonSet",
                 "metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {"selector": {"matchLabels": {"name": "%s"}},
                          "updateStrategy": {"type": "RollingUpdate",
                                             "rollingUpdate": {"maxUnavailable": %d, "maxSurge": 0}},
                          "template": {"metadata": {"labels": {"name": "%s"}},
                                       "spec": {"containers": [{"name": "app", "image": "%s"}]}}}}
                """.formatted(NAME, NS, NAME, MAX_UNAVAILABLE, NAME, image));
    }

    /** A request through the load balancer, tried again on a 503 or no answer (for up to a minute). */
    private JsonNode send(String method, String path, JsonNode body, String contentType) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path))
                    .header("Authorization", "Bearer " + adminToken).header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(10));
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Json.write(body)));
            if (body != null) {
                b.header("Content-Type", contentType);
            }
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 503) {
                    return Json.MAPPER.readTree(r.body());
                }
                last = r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(method + " " + path + " not answered within a minute: " + last);
    }

    private boolean rolledOut(long generation) {
        try {
            JsonNode ds = Json.MAPPER.readTree(direct.queryForObject(
                    "SELECT body::text FROM objects WHERE kind = 'DaemonSet' AND namespace = ? AND name = ?",
                    String.class, NS, NAME));
            JsonNode s = ds.path("status");
            return s.path("observedGeneration").asLong() == generation
                    && s.path("desiredNumberScheduled").asInt() == NODES
                    && s.path("updatedNumberScheduled").asInt() == NODES
                    && s.path("numberAvailable").asInt() == NODES
                    && s.path("currentNumberScheduled").asInt() == NODES;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void awaitRolledOut(long generation) {
        try {
            awaitTrue("the rollout of generation " + generation + " finished", ROLLOUT, () -> rolledOut(generation));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + rolloutDiagnosis(), e);
        }
    }

    /** What a stuck rollout looks like: the DaemonSet's status, its pods by revision and state, a few nodes. */
    private String rolloutDiagnosis() {
        try {
            StringBuilder b = new StringBuilder("status: ").append(direct.queryForObject(
                    "SELECT body->'status' FROM objects WHERE kind = 'DaemonSet' AND namespace = ? AND name = ?",
                    String.class, NS, NAME));
            String state = "body->'metadata'->'labels'->>'controller-revision-hash' AS hash, "
                    + "coalesce(body->'status'->>'phase', '-') AS phase, deletion_ts IS NOT NULL AS terminating, "
                    + "EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(body->'status'->'conditions', '[]'))"
                    + " c WHERE c->>'type' = 'Ready' AND c->>'status' = 'True') AS ready";
            b.append("\npods by revision/phase/terminating/ready: ");
            direct.query("SELECT hash, phase, terminating, ready, count(*) AS n FROM (SELECT " + state
                    + " FROM objects WHERE kind = 'Pod' AND " + PODS + ") p GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
                    rs -> {
                        b.append("\n  ").append(rs.getString(1)).append(' ').append(rs.getString(2)).append(' ')
                                .append(rs.getBoolean(3) ? "terminating" : "live").append(' ')
                                .append(rs.getBoolean(4) ? "ready" : "not-ready").append(": ").append(rs.getLong(5));
                    });
            b.append("\nnodes without a ready live pod of the newest revision (up to 10), with their pods:");
            direct.query("SELECT n.name, (SELECT string_agg(p.name || ' ' || p.hash || ' ' || p.phase || ' '"
                    + " || CASE WHEN p.terminating THEN 'terminating' ELSE 'live' END || ' '"
                    + " || CASE WHEN p.ready THEN 'ready' ELSE 'not-ready' END, '; ') FROM (SELECT name, "
                    + state + ", body->'spec'->>'nodeName' AS node FROM objects WHERE kind = 'Pod' AND " + PODS
                    + ") p WHERE p.node = n.name) FROM objects n WHERE n.kind = 'Node' AND NOT EXISTS (SELECT 1"
                    + " FROM objects q WHERE q.kind = 'Pod' AND q.deletion_ts IS NULL AND q.body->'spec'->>'nodeName'"
                    + " = n.name AND q.body->'spec'->'containers'->0->>'image' = ? AND EXISTS (SELECT 1 FROM"
                    + " jsonb_array_elements(coalesce(q.body->'status'->'conditions', '[]')) c WHERE"
                    + " c->>'type' = 'Ready' AND c->>'status' = 'True')) ORDER BY n.name LIMIT 10",
                    rs -> {
                        b.append("\n  ").append(rs.getString(1)).append(": ").append(rs.getString(2));
                    }, image(version));
            b.append("\nsimulator: ").append(simulator.observations().summary());
            return b.toString();
        } catch (RuntimeException e) {
            return "(no diagnosis: " + e + ")";
        }
    }

    private long countPods(String image) {
        return direct.queryForObject("SELECT count(*) FROM objects WHERE kind = 'Pod' AND " + PODS
                + " AND deletion_ts IS NULL AND body->'spec'->'containers'->0->>'image' = ?", Long.class, image);
    }

    private long notReadyNodes() {
        try {
            return direct.queryForObject("SELECT count(*) FROM objects n WHERE kind = 'Node' AND NOT EXISTS ("
                    + "SELECT 1 FROM jsonb_array_elements(n.body->'status'->'conditions') c "
                    + "WHERE c->>'type' = 'Ready' AND c->>'status' = 'True')", Long.class);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Writes zeros to {@code file} until the file system is full; returns the bytes written. */
    private static long fill(Path file) throws IOException {
        byte[] zeros = new byte[1 << 20];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(zeros);
                written += zeros.length;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("space")) {
                throw full;
            }
        }
        return written;
    }

    private static void resume(Replica r) {
        if (r.process().isAlive()) {
            try {
                run("kill", "-CONT", Long.toString(r.process().pid()));
            } catch (IOException | InterruptedException e) {
                // best effort
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    /**
     * Waits until {@code condition} has held on every check (every 200 ms) for {@code stable}; returns the
     * {@link System#nanoTime} at which that last unbroken run began.
     */
    private static long awaitStable(String what, Duration timeout, Duration stable, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos() + stable.toNanos();
        long since = -1;
        while (true) {
            long now = System.nanoTime();
            if (condition.getAsBoolean()) {
                since = since < 0 ? now : since;
                if (now - since >= stable.toNanos()) {
                    return since;
                }
            } else {
                since = -1;
            }
            if (now > deadline) {
                throw new AssertionError("timed out after %d s waiting for %s to hold for %d s".formatted(
                        timeout.plus(stable).toSeconds(), what, stable.toSeconds()));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }

    private static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }
}
