package dev.everynode.bench;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.Latencies;
import dev.everynode.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Everynode benchmark (not a test): starts PostgreSQL and the packaged service as a child process (or targets a
 * running one), drives the fleet simulator through workloads W1–W7 (W6, a second replica, only when it started the
 * service itself; see {@link ScaleOutWorkload}), measures a floor for each figure in the same run, and writes
 * docs/benchmarks.md and target/benchmark-results.json. Run it with {@code bin/benchmark}.
 *
 * <p>This class is the entry point and the shared harness (options, environment, floors, the results table and notes,
 * JFR phases, HTTP/SQL helpers, the report); each workload is a class of its own: {@link W1Register},
 * {@link W2OneDaemonSet}, {@link W3RollingUpdate}, {@link W4SteadyState}, {@link W5StatusReports},
 * {@link ScaleOutWorkload} (W6), {@link W7ManyDaemonSets} and {@link SoakWorkload} (SOAK, after W2).
 */
public final class Benchmark {

    static final String USAGE = """
            Usage: bin/benchmark [--quick] [--nodes N] [options]
              --quick                    N = 1,000, W4 window 15 s, shorter W5 and W6 (default N = 10,000, W4 60 s)
              --nodes N                  number of simulated nodes
              --server URL               target a running Everynode instead of starting one
              --admin-token T            admin token of that server (EVERYNODE_ADMIN_TOKEN)
              --bootstrap-token T        bootstrap token of that server (EVERYNODE_BOOTSTRAP_TOKEN)
              --service-pid PID          pid of that server (for CPU/RSS; same machine only)
              --db-url URL --db-user U --db-password P   its database (for SQL polling and floors)
              --wait-seconds S           long-poll wait of the agents (default 30)
              --soak S                   after W2, S seconds of SOAK: rolling updates back to back, heartbeat churn,
                                         the service's file descriptors and threads sampled every 10 s
              --w4-seconds S             steady-state window (default 60, quick 15)
              --w7-ds D --w7-nodes M     W7 size (default 100 DaemonSets x 1,000 nodes)
              --skip W6,W7,...           workloads to skip (W1 and W2 always run)
              --no-profile               do not record JFR in the service
              --pg-setting k=v           extra PostgreSQL setting for the embedded server (repeatable)
              --out FILE                 markdown output (default docs/benchmarks.md)
            Workloads: W1 register N nodes, W2 one DaemonSet on N nodes, W3 rolling update (maxUnavailable 10%),
              W4 steady state, W5 status reports (c=64), W6 two replicas on one database (only without --server:
              starts a second service process, rolls the W2 DaemonSet out through it while the agents stay on the
              first, then W5's status reports alternating between both; log target/benchmark-service-2.log),
              W7 many DaemonSets.
            """;

    // ----------------------------------------------------------------------------------------------------------
    // options

    boolean quick;
    int nodes = 10_000;
    String server;
    String adminToken;
    String bootstrapToken;
    long servicePid = -1;
    String dbUrl;
    String dbUser = "postgres";
    String dbPassword = "postgres";
    int waitSeconds = 30;
    int w4Seconds = -1;
    /** Seconds of the SOAK workload after W2 (0 = none; issue 16's file-descriptor stall). */
    int soakSeconds = 0;
    int w7Ds = 100;
    int w7Nodes = 1000;
    java.util.Set<String> skip = new java.util.HashSet<>();
    boolean profile = true;
    Map<String, String> pgSettings = new LinkedHashMap<>();
    Path out = Path.of("docs/benchmarks.md");

    // ----------------------------------------------------------------------------------------------------------
    // state

    final PrintStream log = System.out;
    final List<Row> rows = new ArrayList<>();
    final ObjectNode details = Json.object();
    final List<String> notes = new ArrayList<>();
    final Map<String, String> profiles = new LinkedHashMap<>();
    HttpClient http;
    ExecutorService httpExecutor;
    Connection db;
    Process service;
    /** How the service child process is started (command line and environment), for a second replica (W6). */
    List<String> serviceCmd;
    Map<String, String> serviceEnv;
    Object embeddedPg;
    Path workDir;
    long postmasterPid = -1;
    int cores = Runtime.getRuntime().availableProcessors();
    long clkTck = 100;
    boolean securityOn = true;
    String simTokenSupport = "none";
    long runStart = System.nanoTime();

    /** One line of the results table. ratio = how many times the figure is worse than its floor. */
    record Row(String workload, String figure, double value, String unit, double floor, String floorHow,
               double ratio, String target, Boolean met) {}

    public static void main(String[] args) throws Exception {
        Benchmark b = new Benchmark();
        try {
            b.parse(args);
        } catch (IllegalArgumentException e) {
            if (!"help".equals(e.getMessage())) {
                System.err.println("error: " + e.getMessage());
            }
            System.err.print(USAGE);
            System.exit("help".equals(e.getMessage()) ? 0 : 2);
        }
        int rc = 0;
        try {
            b.run();
        } catch (Throwable t) {
            t.printStackTrace();
            rc = 1;
        } finally {
            b.shutdown();
        }
        System.exit(rc);
    }

    void parse(String[] args) {
        boolean nodesGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = null;
            if (a.contains("=") && a.startsWith("--") && !a.startsWith("--pg-setting=")) {
                v = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            switch (a) {
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                case "--quick" -> quick = true;
                case "--no-profile" -> profile = false;
                default -> {
                    if (v == null) {
                        if (a.startsWith("--pg-setting=")) {
                            v = a.substring("--pg-setting=".length());
                            a = "--pg-setting";
                        } else {
                            if (i + 1 >= args.length) {
                                throw new IllegalArgumentException("missing value for " + a);
                            }
                            v = args[++i];
                        }
                    }
                    switch (a) {
                        case "--nodes" -> { nodes = Integer.parseInt(v); nodesGiven = true; }
                        case "--server" -> server = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
                        case "--admin-token" -> adminToken = v;
                        case "--bootstrap-token" -> bootstrapToken = v;
                        case "--service-pid" -> servicePid = Long.parseLong(v);
                        case "--db-url" -> dbUrl = v;
                        case "--db-user" -> dbUser = v;
                        case "--db-password" -> dbPassword = v;
                        case "--wait-seconds" -> waitSeconds = Integer.parseInt(v);
                        case "--soak" -> soakSeconds = Integer.parseInt(v);
                        case "--w4-seconds" -> w4Seconds = Integer.parseInt(v);
                        case "--w7-ds" -> w7Ds = Integer.parseInt(v);
                        case "--w7-nodes" -> w7Nodes = Integer.parseInt(v);
                        case "--skip" -> { for (String s : v.split(",")) skip.add(s.trim().toUpperCase()); }
                        case "--pg-setting" -> {
                            int eq = v.indexOf('=');
                            if (eq <= 0) throw new IllegalArgumentException("--pg-setting wants k=v");
                            pgSettings.put(v.substring(0, eq), v.substring(eq + 1));
                        }
                        case "--out" -> out = Path.of(v);
                        default -> throw new IllegalArgumentException("unknown option " + a);
                    }
                }
            }
        }
        if (quick && !nodesGiven) {
            nodes = 1000;
        }
        if (w4Seconds < 0) {
            w4Seconds = quick ? 15 : 60;
        }
        if (server != null && adminToken == null) {
            throw new IllegalArgumentException("--server needs --admin-token (and --bootstrap-token)");
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // run

    void run() throws Exception {
        try {
            clkTck = Long.parseLong(new String(new ProcessBuilder("getconf", "CLK_TCK").start().getInputStream()
                    .readAllBytes()).trim());
        } catch (Exception ignored) {
            // 100 on Linux
        }
        httpExecutor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "bench-http");
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpExecutor)
                .connectTimeout(Duration.ofSeconds(10)).build();
        log.printf("Everynode benchmark: N=%,d%s, %d cores, %s%n", nodes, quick ? " (quick)" : "", cores,
                server == null ? "embedded PostgreSQL + service child process" : "server " + server);
        if (server == null) {
            startEmbedded();
        } else if (dbUrl != null) {
            db = DriverManager.getConnection(dbUrl, dbUser, dbPassword);
        }
        if (db != null) {
            db.setAutoCommit(true);
        }
        details.put("nodes", nodes).put("quick", quick).put("cores", cores).put("startedAt", Instant.now().toString())
                .put("server", server == null ? "embedded" : server);
        details.put("simulatorTokenSupport", simTokenSupport).put("security", securityOn);

        floors();
        FleetSimulator sim = null;
        runStart = System.nanoTime();
        try {
            sim = new W1Register(this).run();
            report();
            String ds = guarded("W2", sim, null);
            report();
            if (soakSeconds > 0 && ds != null) {
                new SoakWorkload(this).run(sim, ds, soakSeconds);
                report();
            }
            if (!skip.contains("W3") && ds != null) {
                guarded("W3", sim, ds);
                report();
            }
            if (!skip.contains("W4")) {
                guarded("W4", sim, ds);
                report();
            }
            if (!skip.contains("W5") && ds != null) {
                guarded("W5", sim, ds);
                report();
            }
            if (!skip.contains("W6") && ds != null) {
                if (service != null) {
                    guarded("W6", sim, ds);
                    report();
                } else {
                    log.println("\n== W6 two replicas: skipped (needs the service started by the benchmark,"
                            + " not --server)");
                }
            }
            details.set("simulator", Json.MAPPER.valueToTree(Map.of("summary", sim.observations().summary())));
        } finally {
            if (sim != null) {
                sim.close();
            }
        }
        if (!skip.contains("W7")) {
            guarded("W7", null, null);
        }
        refreshHttpFloors();
        report();
    }

    /** Runs one workload; a failure becomes a note and the benchmark goes on with the next one. */
    String guarded(String w, FleetSimulator sim, String ds) {
        try {
            switch (w) {
                case "W2" -> { return new W2OneDaemonSet(this).run(sim); }
                case "W3" -> new W3RollingUpdate(this).run(sim, ds);
                case "W4" -> new W4SteadyState(this).run(sim);
                case "W5" -> new W5StatusReports(this).run(sim, ds);
                case "W6" -> new ScaleOutWorkload(this).run(sim, ds);
                case "W7" -> new W7ManyDaemonSets(this).run();
                default -> throw new IllegalArgumentException(w);
            }
        } catch (Exception e) {
            e.printStackTrace();
            notes.add(w + " failed: " + e);
            return "W2".equals(w) ? "w2" : null;
        }
        return null;
    }

    // ----------------------------------------------------------------------------------------------------------
    // environment

    void startEmbedded() throws Exception {
        workDir = Files.createTempDirectory("everynode-bench-");
        Path pgData = workDir.resolve("pgdata");
        try {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.zonky"))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        } catch (RuntimeException | LinkageError ignored) {
            // another logging backend: its default level applies
        }
        Files.createDirectories(Path.of("target"));
        var pgLog = ProcessBuilder.Redirect.appendTo(Path.of("target/benchmark-postgres.log").toFile());
        var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setOutputRedirector(pgLog).setErrorRedirector(pgLog)
                .setDataDirectory(pgData).setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(60));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("max_connections", "300");
        settings.putAll(durablePgSettings());
        settings.putAll(pgSettings);
        settings.forEach(builder::setServerConfig);
        details.set("postgresSettings", Json.MAPPER.valueToTree(settings));
        log.println("starting embedded PostgreSQL " + settings);
        var pg = builder.start();
        embeddedPg = pg;
        try {
            List<String> pid = Files.readAllLines(pgData.resolve("postmaster.pid"));
            postmasterPid = Long.parseLong(pid.get(0).trim());
        } catch (Exception ignored) {
            // PG CPU is then not reported
        }
        String url = pg.getJdbcUrl("postgres", "postgres");
        db = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true",
                "postgres", "postgres");
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("show server_version")) {
            rs.next();
            details.put("postgresVersion", rs.getString(1));
        }

        adminToken = "bench-admin-" + UUID.randomUUID();
        bootstrapToken = "bench-bootstrap-" + UUID.randomUUID();
        simTokenSupport = simulatorTokenMethod() == null ? "none" : simulatorTokenMethod().getName();
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        server = "http://127.0.0.1:" + port;
        Path jar;
        try (var files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("everynode-[0-9].*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/everynode-*.jar: run ./mvnw package"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseG1GC"));
        String extra = System.getenv("BENCH_SERVICE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (profile) {
            // One recording from the start, execution samples only: starting JFR later (jcmd JFR.start) retransforms
            // and deoptimizes a warm service (it stalled W2 for seconds), and the "profile" settings' socket, lock
            // and allocation events cost far more than the samples we summarize. Each phase dumps it and reads
            // its own time window.
            Path jfc = Path.of("target/benchmark-jfr/samples.jfc").toAbsolutePath();
            Files.createDirectories(jfc.getParent());
            Files.writeString(jfc, JfrSummary.SETTINGS);
            cmd.add("-XX:StartFlightRecording=name=bench,settings=" + jfc + ",disk=true,maxage=30m");
        }
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        // W4's scrape measures computing the kube-state-metrics families, not the 5 s cache
        cmd.add("--everynode.metrics.min-interval=0s");
        if (!skip.contains("W6")) {
            // W6 counts reconcile passes per replica from the logs: one DEBUG line per pass, from the start
            cmd.add("--logging.level.dev.everynode.reconcile.DaemonSetReconciler=debug");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPRING_DATASOURCE_URL", url + (url.contains("?") ? "&" : "?")
                + "reWriteBatchedInserts=true&ApplicationName=everynode");
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("SPRING_DATASOURCE_PASSWORD", "postgres");
        env.put("EVERYNODE_ADMIN_TOKEN", adminToken);
        env.put("EVERYNODE_BOOTSTRAP_TOKEN", bootstrapToken);
        // The simulated agents share two cores with the service (at nice 10): under W2's load their heartbeats go
        // out up to ~40 s late, and with Kubernetes' 40 s grace thousands of healthy nodes would be marked
        // unreachable (a harness artefact, not what the benchmark measures). Heartbeats stay every 10 s.
        env.put("EVERYNODE_NODES_GRACE_PERIOD", "120s");
        env.put("EVERYNODE_NODES_HEARTBEAT_INTERVAL", "10s");
        if (simulatorTokenMethod() == null) {
            // The fleet simulator of this build sends no credentials: run the service without authentication.
            env.put("EVERYNODE_SECURITY_ENABLED", "false");
            securityOn = false;
            notes.add("The fleet simulator of this build cannot send tokens, so the service ran with "
                    + "everynode.security.enabled=false (no bearer-token checks on any request).");
        }
        serviceCmd = List.copyOf(cmd);
        serviceEnv = Map.copyOf(env);
        log.println("starting service: " + String.join(" ", cmd) + " on port " + port);
        long t0 = System.nanoTime();
        service = startService(port, Path.of("target/benchmark-service.log"));
        servicePid = service.pid();
        details.put("serviceStartSeconds", (System.nanoTime() - t0) / 1e9);
        log.printf("service pid %d up in %.1f s%n", servicePid, (System.nanoTime() - t0) / 1e9);
        yieldCpuToService();
    }

    /**
     * Starts one service process (serviceCmd, serviceEnv, the given port, output to logFile) in workDir and waits
     * until it answers /livez (at most 180 s). A shutdown hook kills it if the benchmark exits first.
     */
    Process startService(int port, Path logFile) throws Exception {
        return startService(port, logFile, null);
    }

    /** Like the above; onSpawn (if not null) gets the child's pid as soon as it is started, before it answers. */
    Process startService(int port, Path logFile, java.util.function.LongConsumer onSpawn) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(serviceCmd).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(logFile.toFile());
        pb.environment().putAll(serviceEnv);
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        Process p = pb.start();
        if (onSpawn != null) {
            onSpawn.accept(p.pid());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (p.isAlive()) p.destroyForcibly();
        }));
        String base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("service exited with " + p.exitValue() + "; see " + logFile);
            }
            try {
                if (send(req(base, "/livez").GET().build()).statusCode() == 200) {
                    return p;
                }
            } catch (IOException ignored) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("service on port " + port + " did not answer /livez in 180 s");
            }
            Thread.sleep(200);
        }
    }

    /**
     * The simulated agents stand for 10,000 hosts with CPUs of their own, but here they share two cores with the
     * service and PostgreSQL. Lower this JVM's threads (simulator, floors' load generator, pollers) to nice 10,
     * after the service and PostgreSQL were started at normal priority, so that the system under test gets the
     * CPU it asks for and the simulator what is left. Threads created later inherit the nice value.
     */
    private void yieldCpuToService() {
        List<String> cmd = new ArrayList<>(List.of("renice", "-n", "10", "-p"));
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> cmd.add(t.getFileName().toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() == 0) {
                notes.add("The benchmark JVM (fleet simulator, floors' load generator) ran at nice 10, the service "
                        + "and PostgreSQL at nice 0: the simulated hosts get the CPU the system under test leaves. "
                        + "The service ran with a node grace period of 120 s (heartbeats every 10 s): starved of "
                        + "CPU, the simulator sends heartbeats late, and with the default 40 s healthy nodes were "
                        + "marked unreachable mid-run.");
                log.println("benchmark threads reniced to 10 (service and PostgreSQL keep priority 0)");
            }
        } catch (IOException | InterruptedException e) {
            log.println("could not renice the benchmark threads: " + e);
        }
    }

    static java.lang.reflect.Method simulatorTokenMethod() {
        for (String name : new String[] {"bootstrapToken", "token"}) {
            try {
                return SimulatorConfig.Builder.class.getMethod(name, String.class);
            } catch (NoSuchMethodException ignored) {
                // try the next spelling
            }
        }
        return null;
    }

    void shutdown() {
        if (service != null && service.isAlive()) {
            service.destroy();
            try {
                if (!service.waitFor(15, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                service.destroyForcibly();
            }
        }
        try {
            if (db != null) db.close();
        } catch (SQLException ignored) {
            // closing
        }
        if (embeddedPg instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing
            }
        }
        if (workDir != null) {
            try (var walk = Files.walk(workDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp
            }
        }
    }

    SimulatorConfig.Builder simulatorConfig(int n, String prefix) {
        SimulatorConfig.Builder b = SimulatorConfig.builder(server).nodes(n).prefix(prefix)
                .heartbeat(Duration.ofSeconds(10)).waitSeconds(waitSeconds).startDelay(Duration.ZERO)
                .reportBatch(Duration.ofMillis(10)).concurrency(64).workerThreads(4);
        java.lang.reflect.Method m = simulatorTokenMethod();
        if (m != null && bootstrapToken != null) {
            try {
                m.invoke(b, bootstrapToken);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return b;
    }

    // ----------------------------------------------------------------------------------------------------------
    // floors measured in this run

    double livezRate64;
    double livezP99At64;
    double livezWallN256;
    double livezRate256;
    double livezP99At4 = Double.NaN;
    double dbInsertRowsPerSec;
    double dbInsertNSeconds;
    double dbUpdateRowsPerSec;
    double idleCpuShare = Double.NaN;
    double idleHeapMiB = Double.NaN;
    double idleRssMiB = Double.NaN;

    void floors() throws Exception {
        log.println("\n== floors");
        // warm up the HTTP path
        closedLoop(2000, 32, i -> req("/livez").GET().build());
        int n = Math.max(nodes, 5000);
        List<Double> r64 = new ArrayList<>();
        List<Double> p64 = new ArrayList<>();
        List<Double> w256 = new ArrayList<>();
        for (int rep = 0; rep < 3; rep++) {
            LoadResult a = closedLoop(n, 64, i -> req("/livez").GET().build());
            r64.add(a.rate());
            p64.add(a.lat.percentileMillis(99));
            LoadResult b = closedLoop(nodes, 256, i -> req("/livez").GET().build());
            w256.add(b.seconds);
        }
        List<Double> p4 = new ArrayList<>();
        for (int rep = 0; rep < 3; rep++) {
            p4.add(closedLoop(2000, 4, i -> req("/livez").GET().build()).lat.percentileMillis(99));
        }
        livezP99At4 = median(p4);
        livezRate64 = median(r64);
        livezP99At64 = median(p64);
        livezWallN256 = median(w256);
        livezRate256 = nodes / livezWallN256;
        log.printf("GET /livez c=64: %.0f req/s p99 %.1f ms; %d requests at c=256: %.3f s%n", livezRate64,
                livezP99At64, nodes, livezWallN256);
        if (db != null) {
            dbFloors();
        }
        if (servicePid > 0) {
            long c0 = cpuTicks(servicePid);
            long t0 = System.nanoTime();
            Thread.sleep(5000);
            idleCpuShare = cpuShare(c0, cpuTicks(servicePid), t0, System.nanoTime());
            idleRssMiB = rssMiB(servicePid);
        }
        idleHeapMiB = heapMiB();
        log.printf("idle service: CPU %.2f%% of %d cores, heap %.0f MiB, RSS %.0f MiB%n", idleCpuShare * 100, cores,
                idleHeapMiB, idleRssMiB);
        ObjectNode f = details.putObject("floors");
        f.put("livezRateC64", livezRate64).put("livezP99MsC64", livezP99At64).put("livezSecondsNAtC256", livezWallN256)
                .put("dbInsertRowsPerSec", dbInsertRowsPerSec).put("dbInsertNSeconds", dbInsertNSeconds)
                .put("dbUpdateRowsPerSec", dbUpdateRowsPerSec).put("idleCpuShare", idleCpuShare)
                .put("idleHeapMiB", idleHeapMiB).put("idleRssMiB", idleRssMiB);
    }

    /** The DB floor: pod-sized rows written by multi-row INSERT (JDBC batch, rewritten) into a scratch table. */
    void dbFloors() throws SQLException {
        String body = podJsonSample();
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_scratch");
            s.execute("CREATE UNLOGGED TABLE IF NOT EXISTS bench_dummy (x int)");
            s.execute("DROP TABLE bench_dummy");
            createScratch(s);
        }
        List<Double> secs = new ArrayList<>();
        int rowsN = nodes;
        for (int rep = 0; rep < 3; rep++) {
            try (Statement s = db.createStatement()) {
                s.execute("TRUNCATE bench_scratch");
            }
            long t0 = System.nanoTime();
            insertScratch(rowsN, body, "r" + rep);
            secs.add((System.nanoTime() - t0) / 1e9);
        }
        dbInsertNSeconds = median(secs);
        dbInsertRowsPerSec = rowsN / dbInsertNSeconds;
        long t0 = System.nanoTime();
        try (Statement s = db.createStatement()) {
            s.executeUpdate("UPDATE bench_scratch SET body = jsonb_set(body, '{status,phase}', '\"Running\"'),"
                    + " resource_version = resource_version + 1");
        }
        dbUpdateRowsPerSec = rowsN / ((System.nanoTime() - t0) / 1e9);
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE bench_scratch");
        }
        log.printf("DB floor: %,d pod rows by batched INSERT in %.3f s (%.0f rows/s); set-based UPDATE %.0f rows/s%n",
                rowsN, dbInsertNSeconds, dbInsertRowsPerSec, dbUpdateRowsPerSec);
    }

    /** The floor's table: the columns of a pod row, with only its keys (primary key, unique uid). */
    /**
     * The embedded PostgreSQL's settings that make its figures comparable with a production server: fsync on, a
     * commit waits for its WAL, room for a long write burst without a checkpoint in the middle.
     */
    static Map<String, String> durablePgSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("shared_buffers", "512MB");
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("max_wal_size", "4GB");
        settings.put("checkpoint_timeout", "15min");
        return settings;
    }

    static void createScratch(Statement s) throws SQLException {
        s.execute("CREATE TABLE bench_scratch (kind text NOT NULL, namespace text NOT NULL, name text NOT NULL,"
                + " uid uuid NOT NULL UNIQUE, resource_version bigint NOT NULL, node_name text, owner_uid uuid,"
                + " body jsonb NOT NULL, PRIMARY KEY (kind, namespace, name))");
    }

    void insertScratch(int rows, String body, String tag) throws SQLException {
        insertScratch(db, rows, body, tag);
    }

    /** {@code rows} pod rows into bench_scratch by batched INSERT (1,000 per batch), one committed transaction. */
    static void insertScratch(Connection db, int rows, String body, String tag) throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO bench_scratch (kind, namespace, name, uid,"
                + " resource_version, node_name, owner_uid, body) VALUES ('Pod', 'default', ?, ?, ?, ?, ?, ?::jsonb)")) {
            UUID owner = UUID.randomUUID();
            for (int i = 0; i < rows; i++) {
                ps.setString(1, "ds-" + tag + "-" + i);
                ps.setObject(2, UUID.randomUUID());
                ps.setLong(3, i);
                ps.setString(4, "node-" + i);
                ps.setObject(5, owner);
                ps.setString(6, body);
                ps.addBatch();
                if ((i + 1) % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
            db.commit();
        } finally {
            db.setAutoCommit(auto);
        }
    }

    static String podJsonSample() {
        ObjectNode pod = Json.object();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", "bench-abcde").put("namespace", "default").put("uid", UUID.randomUUID().toString())
                .put("resourceVersion", "12345").put("creationTimestamp", Instant.now().toString());
        meta.putObject("labels").put("app", "bench").put("controller-revision-hash", "6d4b75cb6d")
                .put("pod-template-generation", "1");
        meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "DaemonSet")
                .put("name", "bench").put("uid", UUID.randomUUID().toString()).put("controller", true)
                .put("blockOwnerDeletion", true);
        ObjectNode spec = pod.putObject("spec");
        spec.put("nodeName", "sim-00001").put("restartPolicy", "Always").put("schedulerName", "default-scheduler");
        spec.putArray("containers").addObject().put("name", "app").put("image", "registry.example/bench:1")
                .put("imagePullPolicy", "IfNotPresent");
        spec.putObject("affinity").putObject("nodeAffinity").putObject("requiredDuringSchedulingIgnoredDuringExecution")
                .putArray("nodeSelectorTerms").addObject().putArray("matchFields").addObject()
                .put("key", "metadata.name").put("operator", "In").putArray("values").add("sim-00001");
        ArrayNode tol = spec.putArray("tolerations");
        for (String t : new String[] {"not-ready", "unreachable", "disk-pressure", "memory-pressure", "pid-pressure",
                "unschedulable"}) {
            tol.addObject().put("key", "node.kubernetes.io/" + t).put("operator", "Exists").put("effect", "NoSchedule");
        }
        pod.putObject("status").put("phase", "Pending");
        return Json.MAPPER.writeValueAsString(pod);
    }

    /**
     * Measures the HTTP floors again with the service warm (after the workloads; the first measurement ran right after
     * start-up, JIT cold) and keeps the better of the two, so that ratios are never flattered by a cold floor.
     */
    void refreshHttpFloors() {
        log.println("\n== HTTP floors again (service warm)");
        List<Double> r64 = new ArrayList<>();
        List<Double> p64 = new ArrayList<>();
        List<Double> w256 = new ArrayList<>();
        int n = Math.max(nodes, 5000);
        for (int rep = 0; rep < 3; rep++) {
            LoadResult a = closedLoop(n, 64, i -> req("/livez").GET().build());
            r64.add(a.rate());
            p64.add(a.lat.percentileMillis(99));
            w256.add(closedLoop(nodes, 256, i -> req("/livez").GET().build()).seconds);
        }
        List<Double> p4 = new ArrayList<>();
        for (int rep = 0; rep < 3; rep++) {
            p4.add(closedLoop(2000, 4, i -> req("/livez").GET().build()).lat.percentileMillis(99));
        }
        double p99c4 = Math.min(livezP99At4, median(p4));
        double rate = Math.max(livezRate64, median(r64));
        double p99 = Math.min(livezP99At64, median(p64));
        double wall = Math.min(livezWallN256, median(w256));
        log.printf("GET /livez c=64: %.0f req/s p99 %.1f ms; %d requests at c=256: %.3f s (kept: %.0f, %.1f, %.3f)%n",
                median(r64), median(p64), nodes, median(w256), rate, p99, wall);
        ((ObjectNode) details.get("floors")).put("livezRateC64Warm", median(r64)).put("livezP99MsC64Warm", median(p64))
                .put("livezSecondsNAtC256Warm", median(w256));
        List<Row> updated = new ArrayList<>();
        for (Row r : rows) {
            double floor = r.floor;
            if (r.floorHow.equals("GET /livez c=64 req/s")) floor = rate;
            else if (r.floorHow.equals("GET /livez c=64 p99")) floor = p99;
            else if (r.floorHow.equals("GET /livez c=4 p99")) floor = p99c4;
            else if (r.floorHow.startsWith("N × GET /livez")) floor = wall;
            else if (r.floorHow.startsWith("commit floor + notify floor")) floor = dbInsertNSeconds + wall;
            if (floor == r.floor) {
                updated.add(r);
                continue;
            }
            double ratio = r.unit.endsWith("/s") ? floor / r.value : r.value / floor;
            updated.add(new Row(r.workload, r.figure, r.value, r.unit, floor, r.floorHow, ratio, r.target, r.met));
        }
        rows.clear();
        rows.addAll(updated);
    }

    // ----------------------------------------------------------------------------------------------------------
    // shared by the workloads: a rolling update (W3, W6, SOAK) and status reports (W5, W6)

    /**
     * A rolling update's outcome: total seconds (NaN on time-out), waves, report windows, overhead per wave; from and
     * until: wall clock just before the PATCH and when it was seen done (W6 counts log lines in between).
     */
    record Rollout(double total, int waves, double unavoidable, double perWave, long maxUnavailable, int budget,
                   Instant from, Instant until) {}

    /**
     * Changes the DaemonSet's image through {@code base} (one replica's URL) and polls its status there until all N
     * pods are updated, Ready and available and none of the old revision is left. profile: JFR phase name or null.
     */
    Rollout rollout(FleetSimulator sim, String base, String name, String image, Duration limit, String profile)
            throws Exception {
        String uid = scalar("SELECT uid::text FROM objects WHERE kind='DaemonSet' AND namespace='default' AND name=?",
                name);
        String oldHash = scalar("SELECT min(revision_hash) FROM objects WHERE kind='Pod' AND owner_uid = ?::uuid", uid);
        Profiler prof = profile == null ? null : startProfile(profile);
        Instant from = Instant.now();
        long t0 = System.nanoTime();
        patchImage(base, "default", name, image);
        AtomicLong maxUnavailable = new AtomicLong();
        double total = waitForDs(base, "default", name, limit, t0, s -> {
            maxUnavailable.accumulateAndGet(s.path("numberUnavailable").asLong(), Math::max);
            return s.path("updatedNumberScheduled").asLong() >= nodes && s.path("numberAvailable").asLong() >= nodes
                    && s.path("numberReady").asLong() >= nodes
                    && countQuiet("SELECT count(*) FROM objects WHERE kind='Pod' AND owner_uid = ?::uuid"
                    + " AND revision_hash = '" + oldHash + "'", uid) == 0;
        });
        Instant until = Instant.now();
        stopProfile(prof);
        int budget = (int) Math.ceil(nodes * 0.10);
        int waves = (int) Math.ceil((double) nodes / budget);
        // unavoidable per wave with instant agents: the simulator's report coalescing window
        double unavoidable = waves * sim.config().reportBatch().toMillis() / 1000.0;
        double perWave = (total - unavoidable) / waves;
        log.printf("rollout done after %.2f s: %d waves, overhead %.3f s per wave, max numberUnavailable seen %d"
                + " (budget %d)%n", total, waves, perWave, maxUnavailable.get(), budget);
        return new Rollout(total, waves, unavoidable, perWave, maxUnavailable.get(), budget, from, until);
    }

    /**
     * What a status-report run did: requests issued, seconds, reports applied and not, latencies (all after the
     * warm-up); from and until: wall clock at the start of the warm-up and at the end.
     */
    record Reports(int requests, double seconds, long applied, long notApplied, Latencies lat, Instant from,
                   Instant until) {
        double rate() {
            return applied / seconds;
        }

        double p99() {
            return lat.percentileMillis(99);
        }
    }

    /**
     * 64 concurrent POST /agent/v1/nodes/{n}/pod-statuses, each a changed status (restartCount) of the DaemonSet's
     * pod on that node, request i sent to baseFor(i): 3 s warm-up, then {@code seconds} measured.
     */
    Reports statusReports(String dsName, String image, IntFunction<String> baseFor, int seconds, String profile)
            throws Exception {
        String uid = scalar("SELECT uid::text FROM objects WHERE kind='DaemonSet' AND namespace='default' AND name=?",
                dsName);
        List<String[]> pods = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT node_name, name, uid::text FROM objects WHERE kind='Pod'"
                + " AND owner_uid = ?::uuid AND deletion_ts IS NULL ORDER BY node_name")) {
            ps.setString(1, uid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) pods.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        AtomicInteger seq = new AtomicInteger();
        AtomicLong applied = new AtomicLong();
        AtomicLong other = new AtomicLong();
        Instant from = Instant.now();
        String started = from.toString();
        IntFunction<HttpRequest> request = i -> {
            String[] p = pods.get(i % pods.size());
            int restart = seq.incrementAndGet();
            String body = "{\"statuses\":[{\"namespace\":\"default\",\"name\":\"" + p[1] + "\",\"uid\":\"" + p[2]
                    + "\",\"status\":{\"phase\":\"Running\",\"hostIP\":\"10.0.0.1\",\"podIP\":\"172.16.0.1\","
                    + "\"startTime\":\"" + started + "\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
                    + "\"lastTransitionTime\":\"" + started + "\"}],\"containerStatuses\":[{\"name\":\"app\","
                    + "\"image\":\"" + image + "\",\"ready\":true,\"started\":true,\"restartCount\":"
                    + restart + ",\"state\":{\"running\":{\"startedAt\":\"" + started + "\"}}}]}}]}";
            return req(baseFor.apply(i), "/agent/v1/nodes/" + p[0] + "/pod-statuses")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        };
        java.util.function.Consumer<HttpResponse<String>> check = r -> {
            if (r.statusCode() == 200 && r.body().contains("\"applied\"")) applied.incrementAndGet();
            else other.incrementAndGet();
        };
        closedLoop(Integer.MAX_VALUE, 64, request, check, System.nanoTime() + TimeUnit.SECONDS.toNanos(3)); // warm-up
        applied.set(0);
        other.set(0);
        Profiler prof = profile == null ? null : startProfile(profile);
        LoadResult res = closedLoop(Integer.MAX_VALUE, 64, request, check,
                System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
        Instant until = Instant.now();
        stopProfile(prof);
        return new Reports(res.requests(), res.seconds, applied.get(), other.get(), res.lat, from, until);
    }

    // ----------------------------------------------------------------------------------------------------------
    // objects

    static ObjectNode daemonSet(String ns, String name, String selKey, String selValue, String image,
                                String maxUnavailable, String maxSurge) {
        ObjectNode ds = Json.object();
        ds.put("apiVersion", "apps/v1").put("kind", "DaemonSet");
        ds.putObject("metadata").put("name", name).put("namespace", ns);
        ObjectNode spec = ds.putObject("spec");
        spec.putObject("selector").putObject("matchLabels").put("app", name);
        ObjectNode ru = spec.putObject("updateStrategy").put("type", "RollingUpdate").putObject("rollingUpdate");
        putIntOrString(ru, "maxUnavailable", maxUnavailable);
        putIntOrString(ru, "maxSurge", maxSurge);
        ObjectNode tpl = spec.putObject("template");
        tpl.putObject("metadata").putObject("labels").put("app", name);
        ObjectNode ps = tpl.putObject("spec");
        ps.putObject("nodeSelector").put(selKey, selValue);
        ps.putArray("containers").addObject().put("name", "app").put("image", image);
        return ds;
    }

    static void putIntOrString(ObjectNode o, String key, String v) {
        if (v.endsWith("%")) o.put(key, v);
        else o.put(key, Integer.parseInt(v));
    }

    void patchImage(String ns, String name, String image) throws Exception {
        patchImage(server, ns, name, image);
    }

    void patchImage(String base, String ns, String name, String image) throws Exception {
        HttpResponse<String> r = send(req(base, "/apis/apps/v1/namespaces/" + ns + "/daemonsets/" + name)
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"spec\":{\"template\":{\"spec\":{\"containers\":"
                        + "[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}}}")).build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("patch DaemonSet " + name + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    double waitForDs(String ns, String name, Duration limit, long t0, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        return waitForDs(server, ns, name, limit, t0, done);
    }

    double waitForDs(String base, String ns, String name, Duration limit, long t0,
                     java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r;
            try {
                r = send(req(base, "/apis/apps/v1/namespaces/" + ns + "/daemonsets/" + name).GET().build());
            } catch (IOException e) {
                log.println("  (GET DaemonSet failed: " + e + ")");
                Thread.sleep(500);
                continue;
            }
            if (r.statusCode() == 200) {
                JsonNode ds = Json.MAPPER.readTree(r.body());
                if (ds.path("status").path("observedGeneration").asLong() >= ds.path("metadata").path("generation")
                        .asLong() && done.test(ds.path("status"))) {
                    return (System.nanoTime() - t0) / 1e9;
                }
            }
            Thread.sleep(50);
        }
        return Double.NaN;
    }

    // ----------------------------------------------------------------------------------------------------------
    // HTTP

    HttpRequest.Builder req(String path) {
        return req(server, path);
    }

    HttpRequest.Builder req(String base, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (adminToken != null) {
            b.header("Authorization", "Bearer " + adminToken);
        }
        return b;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(req(path).GET().build());
    }

    HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    record LoadResult(int requests, double seconds, Latencies lat, long errors) {
        double rate() {
            return requests / seconds;
        }
    }

    LoadResult closedLoop(int total, int concurrency, IntFunction<HttpRequest> request) {
        return closedLoop(total, concurrency, request, r -> { });
    }

    /** total requests, at most concurrency in flight, each started when one completes. */
    LoadResult closedLoop(int total, int concurrency, IntFunction<HttpRequest> request,
                          java.util.function.Consumer<HttpResponse<String>> check) {
        return closedLoop(total, concurrency, request, check, Long.MAX_VALUE);
    }

    /** Like the above, but issues no new request after the deadline (System.nanoTime()); counts what was done. */
    LoadResult closedLoop(int total, int concurrency, IntFunction<HttpRequest> request,
                          java.util.function.Consumer<HttpResponse<String>> check, long deadline) {
        AtomicInteger next = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        Latencies lat = new Latencies();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < Math.min(concurrency, total); c++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            chains.add(done);
            issue(next, total, request, check, lat, errors, done, deadline);
        }
        chains.forEach(CompletableFuture::join);
        int issued = Math.min(total, next.get());
        return new LoadResult(issued, (System.nanoTime() - t0) / 1e9, lat, errors.get());
    }

    private void issue(AtomicInteger next, int total, IntFunction<HttpRequest> request,
                       java.util.function.Consumer<HttpResponse<String>> check, Latencies lat, AtomicLong errors,
                       CompletableFuture<Void> done, long deadline) {
        if (System.nanoTime() - deadline > 0 && deadline != Long.MAX_VALUE) {
            done.complete(null);
            return;
        }
        int i = next.getAndIncrement();
        if (i >= total) {
            done.complete(null);
            return;
        }
        long s = System.nanoTime();
        http.sendAsync(request.apply(i), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() >= 300) {
                errors.incrementAndGet();
            } else {
                lat.add(System.nanoTime() - s);
            }
            if (r != null) {
                try {
                    check.accept(r);
                } catch (RuntimeException ignored) {
                    // counted by the check
                }
            }
            issue(next, total, request, check, lat, errors, done, deadline);
        });
    }

    /** The service's count of parked polls answered with changed assignments (NaN if it has none). */
    double wakeups() {
        try {
            HttpResponse<String> r = get("/actuator/metrics/everynode.agent.wakeups");
            if (r.statusCode() != 200) return Double.NaN;
            for (JsonNode m : Json.MAPPER.readTree(r.body()).path("measurements")) {
                if (m.path("statistic").asString().equals("COUNT")) return m.path("value").asDouble();
            }
        } catch (Exception ignored) {
            // reported as NaN
        }
        return Double.NaN;
    }

    double heapMiB() {
        try {
            HttpResponse<String> r = get("/actuator/metrics/jvm.memory.used?tag=area:heap");
            if (r.statusCode() != 200) return Double.NaN;
            for (JsonNode m : Json.MAPPER.readTree(r.body()).path("measurements")) {
                if (m.path("statistic").asString().equals("VALUE")) return m.path("value").asDouble() / (1 << 20);
            }
        } catch (Exception ignored) {
            // reported as NaN
        }
        return Double.NaN;
    }

    // ----------------------------------------------------------------------------------------------------------
    // SQL

    interface LongSupplierEx {
        long get() throws Exception;
    }

    interface BoolSupplierEx {
        boolean get() throws Exception;
    }

    long count(String sql, String... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    long countQuiet(String sql, String... args) {
        try {
            return count(sql, args);
        } catch (SQLException e) {
            return -1;
        }
    }

    String scalar(String sql, String... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Seconds from t0 until the count reaches target (polled every 10 ms), NaN on time-out. */
    double waitForCount(Duration limit, long t0, long target, LongSupplierEx count) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        long last = -1;
        long lastLog = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long c = count.get();
            if (c >= target) {
                return (System.nanoTime() - t0) / 1e9;
            }
            if (System.nanoTime() - lastLog > TimeUnit.SECONDS.toNanos(10) && c != last) {
                log.printf("  ... %,d / %,d after %.0f s%n", c, target, (System.nanoTime() - t0) / 1e9);
                lastLog = System.nanoTime();
                last = c;
            }
            Thread.sleep(10);
        }
        return Double.NaN;
    }

    static void waitUntil(Duration limit, BoolSupplierEx cond) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (cond.get()) return;
            Thread.sleep(20);
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // /proc

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Per thread group of a process (thread name with digits folded): CPU ticks. */
    static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> out = new java.util.HashMap<>();
        if (pid <= 0) return out;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(comm + " [" + t.getFileName() + "]", Long.parseLong(f[11]) + Long.parseLong(f[12]),
                            Long::sum);
                } catch (IOException | RuntimeException ignored) {
                    // thread ended
                }
            }
        } catch (IOException ignored) {
            // no such process
        }
        return out;
    }

    String threadCpuSummary(Map<String, Long> before, Map<String, Long> after, long t0, long t1) {
        Map<String, Long> groups = new java.util.HashMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            groups.merge(k.substring(0, k.lastIndexOf(" [")), d, Long::sum);
        });
        double denom = (t1 - t0) / 1e9 * cores * clkTck;
        StringBuilder s = new StringBuilder();
        groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .filter(e -> e.getValue() > 0)
                .forEach(e -> s.append("  %6.2f%%  %s%n".formatted(100.0 * e.getValue() / denom, e.getKey())));
        return s.toString();
    }

    /** CPU ticks of the postmaster and all its children (backends). */
    long pgTicks() {
        long sum = cpuTicks(postmasterPid);
        var ph = ProcessHandle.of(postmasterPid);
        if (ph.isPresent()) {
            for (ProcessHandle c : ph.get().children().toList()) {
                long t = cpuTicks(c.pid());
                if (t > 0) sum += t;
            }
        }
        return sum;
    }

    double cpuShare(long ticks0, long ticks1, long t0, long t1) {
        return (ticks1 - ticks0) / (double) clkTck / ((t1 - t0) / 1e9 * cores);
    }

    static double rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // NaN
        }
        return Double.NaN;
    }

    // ----------------------------------------------------------------------------------------------------------
    // JFR profile of the service during a phase

    record Profiler(String name, Path file, long t0, java.time.Instant from, long svc0, long pg0) {}

    Profiler startProfile(String name) {
        if (servicePid <= 0) return null;
        Path file = profile && service != null
                ? Path.of("target/benchmark-jfr/" + name + ".jfr").toAbsolutePath() : null;
        return new Profiler(name, file, System.nanoTime(), java.time.Instant.now(), cpuTicks(servicePid),
                postmasterPid > 0 ? pgTicks() : -1);
    }

    void stopProfile(Profiler p) {
        if (p == null) return;
        long t1 = System.nanoTime();
        java.time.Instant to = java.time.Instant.now();
        double svc = cpuShare(p.svc0, cpuTicks(servicePid), p.t0, t1);
        double pg = p.pg0 >= 0 ? cpuShare(p.pg0, pgTicks(), p.t0, t1) : Double.NaN;
        String cpuLine = "%s: service CPU %.1f%%, PostgreSQL CPU %.1f%% of %d cores over %.1f s".formatted(p.name,
                svc * 100, pg * 100, cores, (t1 - p.t0) / 1e9);
        log.println("  " + cpuLine);
        ObjectNode cpu = details.has("phaseCpu") ? (ObjectNode) details.get("phaseCpu") : details.putObject("phaseCpu");
        cpu.putObject(p.name).put("serviceCpuShare", svc).put("pgCpuShare", pg).put("seconds", (t1 - p.t0) / 1e9);
        if (p.file == null) return;
        try {
            Files.createDirectories(p.file.getParent());
            jcmd("JFR.dump", "name=bench", "filename=" + p.file);
            profiles.put(p.name, cpuLine + "\n" + JfrSummary.summarize(p.file, 12, p.from, to));
        } catch (Exception e) {
            profiles.put(p.name, "profile failed: " + e);
        }
    }

    void jcmd(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(servicePid));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd " + String.join(" ", args) + " did not answer in 120 s");
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // report

    void report() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Everynode benchmark results\n\n");
        md.append("""
                How to run (from a fresh clone; builds once, then runs `dev.everynode.bench.Benchmark` from
                src/test/java on the test classpath; it is not part of the test suite):

                ```bash
                bin/benchmark --quick        # N = 1,000, a few minutes
                bin/benchmark                # N = 10,000 (about 7 minutes on a 2-core machine, plus a build of under a minute)
                bin/benchmark --server http://host:8080 --admin-token T --bootstrap-token T \\
                              [--service-pid PID] [--db-url jdbc:postgresql://... --db-user U --db-password P]
                MVNW_OPTS=-o bin/benchmark --quick   # offline build
                ```

                Without `--server` it starts an embedded PostgreSQL 17 (zonky; settings below, fsync and
                synchronous_commit on) and the packaged service as a child process (`java -Xmx1g -jar
                target/everynode-*.jar`), so the service's CPU (/proc/<pid>/stat utime+stime over wall time x cores)
                and RSS (/proc/<pid>/status VmRSS) are measured apart from the simulator and the database. The fleet
                simulator (dev.everynode.simulator) runs inside the benchmark JVM. JFR records the service from its start,
                execution samples only (every 20 ms; starting JFR later deoptimizes a warm service, and the
                `profile` settings' socket and lock events cost far more); the samples of W2, W3, W4, W5 and W7 are
                summarized below (disable with `--no-profile`). Outputs: this file, target/benchmark-results.json, target/benchmark-service.log,
                target/benchmark-service-2.log (W6), target/benchmark-jfr/*.jfr.

                Workloads: W1 N agents register (POST /agent/v1/nodes, 64 in flight). W2 one DaemonSet selecting every
                simulated node: time until N pods are committed (SQL count, polled every 10 ms) and until each agent's
                long-poll returned its pod. W3 image change with maxUnavailable 10%, maxSurge 0, agents that report at
                once (start delay 0, 10 ms report batching): until every pod is updated, Ready and available; overhead
                per wave = (total - waves x report window) / waves. W4 N agents idle (heartbeat 10 s, long-poll 30 s),
                then ~40 PATCH/s on nodes. W5 64 concurrent POST /agent/v1/nodes/{n}/pod-statuses, each a changed
                status (restartCount) of that node's pod. W6 (only when the benchmark starts the service, not with
                `--server`) a second replica: the same jar, database, tokens and settings on another port, started
                after W5 while every agent stays connected to replica 1; both replicas log each reconcile pass (DEBUG
                dev.everynode.reconcile.DaemonSetReconciler). First W3's image change (maxUnavailable 10%) sent to
                replica 2 and its status polled there, until every pod is updated, Ready and available, with the
                reconcile passes of that DaemonSet counted per replica from the two logs; then W5's reports (c=64,
                same duration) sent alternately to replica 1 and replica 2, with the same floors as W5. Replica 2 is
                stopped afterwards; no JFR for W6. W7 D DaemonSets x M labelled nodes with agents stopped (maxSurge
                100%), then one DaemonSet's image changes: until its M surge pods are committed.

                """);
        md.append("Generated by `bin/benchmark").append(quick ? " --quick" : "").append("` on ")
                .append(Instant.now().toString(), 0, 19).append("Z: N = ").append("%,d".formatted(nodes))
                .append(" simulated nodes, ").append(cores).append(" cores, ")
                .append(details.has("postgresVersion") ? "embedded PostgreSQL " + details.path("postgresVersion")
                        .asString() + " " + details.path("postgresSettings") : "server " + server)
                .append(", service `java -Xmx1g -jar target/everynode-*.jar` as a child process; the fleet simulator, the"
                        + " floors and PostgreSQL share the same cores. Total run time ")
                .append("%.0f s".formatted((System.nanoTime() - runStart) / 1e9)).append(".\n\n");
        md.append("ratio = how many times the figure is worse than its floor (time: figure/floor; rate: floor/figure)."
                + " Floors are measured in the same run on the same machine.\n\n");
        md.append(table());
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        if (!profiles.isEmpty()) {
            md.append("\n## Service profiles (JFR execution samples during the phase)\n");
            profiles.forEach((k, v) -> md.append("\n### ").append(k).append("\n\n```\n").append(v).append("```\n"));
        }
        md.append("\n## Raw details\n\n```json\n").append(Json.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsString(details)).append("\n```\n");
        log.println("\n" + table());
        notes.forEach(n -> log.println("note: " + n));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        ObjectNode json = Json.object();
        json.set("details", details);
        ArrayNode arr = json.putArray("results");
        for (Row r : rows) {
            ObjectNode o = arr.addObject();
            o.put("workload", r.workload).put("figure", r.figure).put("unit", r.unit).put("target", r.target)
                    .put("floorHow", r.floorHow);
            putNum(o, "value", r.value);
            putNum(o, "floor", r.floor);
            putNum(o, "ratio", r.ratio);
            if (r.met != null) o.put("met", r.met);
        }
        json.putArray("notes").addAll(notes.stream().map(n -> (tools.jackson.databind.JsonNode)
                Json.MAPPER.getNodeFactory().textNode(n)).toList());
        ObjectNode prof = json.putObject("profiles");
        profiles.forEach(prof::put);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/benchmark-results.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        log.println("wrote " + out + " and target/benchmark-results.json");
    }

    static void putNum(ObjectNode o, String k, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) o.putNull(k);
        else o.put(k, v);
    }

    String table() {
        StringBuilder t = new StringBuilder();
        t.append("| W | figure | value | floor (same run) | ratio | target | met? |\n");
        t.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            t.append("| ").append(r.workload).append(" | ").append(r.figure).append(" | ").append(fmt(r.value))
                    .append(' ').append(r.unit).append(" | ").append(fmt(r.floor)).append(Double.isNaN(r.floor) ? ""
                            : " " + r.unit).append(" (").append(r.floorHow).append(") | ").append(Double.isNaN(r.ratio)
                            ? "—" : "%.1f×".formatted(r.ratio)).append(" | ").append(r.target).append(" | ")
                    .append(r.met == null ? "—" : r.met ? "yes" : "**no**").append(" |\n");
        }
        return t.toString();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (Math.abs(v) >= 100) return "%,.0f".formatted(v);
        if (Math.abs(v) >= 10) return "%.1f".formatted(v);
        if (Math.abs(v) >= 1) return "%.2f".formatted(v);
        return "%.3f".formatted(v);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }
}
