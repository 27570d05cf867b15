package dev.everynode.simulator;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * What the fleet simulator does: how many nodes, how they behave, how hard they may hit the server. Build one with
 * {@link #builder(String)} or from command-line arguments with {@link #parse(String[])}.
 *
 * @param server           base URL of Everynode, e.g. {@code http://localhost:8080}
 * @param nodes            number of simulated nodes
 * @param prefix           node names are {@code <prefix>-00001}...
 * @param heartbeat        heartbeat interval until the server says otherwise (never more than a third of the
 *                         server's grace period)
 * @param waitSeconds      long-poll wait of the assignments requests
 * @param startDelay       time between a node seeing a new pod and reporting it started
 * @param reportBatch      status reports of one node are coalesced over this window into one batch
 * @param failFraction     fraction of pods reported Failed (chosen deterministically from the seed)
 * @param unreadyFraction  fraction of pods reported Running but never Ready
 * @param seed             seed of the deterministic choices
 * @param duration         how long the command runs; zero = until Ctrl-C (ignored by the library)
 * @param concurrency      requests other than long-polls in flight at once (registration, heartbeats, reports)
 * @param workerThreads    threads of the HTTP client and of the simulator's callbacks
 * @param insecureSkipTlsVerify  over https, accept any server certificate and host name (self-signed test servers)
 * @param token            bearer token sent as {@code Authorization: Bearer <token>} on every request; null = none
 * @param nodeLabels       extra labels of a node, by node name, sent with its registration (and with every
 *                         re-registration, which merges labels: labels set through the API stay); e.g.
 *                         {@code topology.kubernetes.io/zone} for zone waves. Library only; default none
 */
public record SimulatorConfig(URI server, int nodes, String prefix, Duration heartbeat, int waitSeconds,
                              Duration startDelay, Duration reportBatch, double failFraction, double unreadyFraction,
                              long seed, Duration duration, int concurrency, int workerThreads,
                              boolean insecureSkipTlsVerify, String token,
                              Function<String, Map<String, String>> nodeLabels) {

    public SimulatorConfig {
        if (server == null) {
            throw new IllegalArgumentException("--server is required");
        }
        if (nodes < 0) {
            throw new IllegalArgumentException("--nodes must be >= 0");
        }
        if (waitSeconds < 0 || waitSeconds > 300) {
            throw new IllegalArgumentException("--wait-seconds must be between 0 and 300");
        }
        if (failFraction < 0 || unreadyFraction < 0 || failFraction + unreadyFraction > 1) {
            throw new IllegalArgumentException("--fail-fraction and --unready-fraction must be >= 0 and sum to <= 1");
        }
        if (concurrency < 1 || workerThreads < 1) {
            throw new IllegalArgumentException("--concurrency and worker threads must be >= 1");
        }
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("--heartbeat-seconds must be > 0");
        }
        if (nodeLabels == null) {
            nodeLabels = name -> Map.of();
        }
        String s = server.toString();
        if (s.endsWith("/")) {
            server = URI.create(s.substring(0, s.length() - 1));
        }
    }

    public static Builder builder(String server) {
        return new Builder(server);
    }

    public Builder toBuilder() {
        Builder b = new Builder(server.toString());
        b.nodes = nodes;
        b.prefix = prefix;
        b.heartbeat = heartbeat;
        b.waitSeconds = waitSeconds;
        b.startDelay = startDelay;
        b.reportBatch = reportBatch;
        b.failFraction = failFraction;
        b.unreadyFraction = unreadyFraction;
        b.seed = seed;
        b.duration = duration;
        b.concurrency = concurrency;
        b.workerThreads = workerThreads;
        b.insecureSkipTlsVerify = insecureSkipTlsVerify;
        b.token = token;
        b.nodeLabels = nodeLabels;
        return b;
    }

    /** The name of node {@code i} (1-based). */
    public String nodeName(int i) {
        return "%s-%05d".formatted(prefix, i);
    }

    public static final class Builder {
        private final String server;
        private int nodes = 10;
        private String prefix = "sim";
        private Duration heartbeat = Duration.ofSeconds(10);
        private int waitSeconds = 30;
        private Duration startDelay = Duration.ofMillis(200);
        private Duration reportBatch = Duration.ofMillis(100);
        private double failFraction;
        private double unreadyFraction;
        private long seed = 1;
        private Duration duration = Duration.ZERO;
        private int concurrency = 64;
        private int workerThreads = Math.max(4, Math.min(16, Runtime.getRuntime().availableProcessors() * 2));
        private boolean insecureSkipTlsVerify;
        private String token;
        private Function<String, Map<String, String>> nodeLabels;

        private Builder(String server) {
            this.server = server;
        }

        public Builder nodes(int v) { nodes = v; return this; }
        public Builder prefix(String v) { prefix = v; return this; }
        public Builder heartbeat(Duration v) { heartbeat = v; return this; }
        public Builder waitSeconds(int v) { waitSeconds = v; return this; }
        public Builder startDelay(Duration v) { startDelay = v; return this; }
        public Builder reportBatch(Duration v) { reportBatch = v; return this; }
        public Builder failFraction(double v) { failFraction = v; return this; }
        public Builder unreadyFraction(double v) { unreadyFraction = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder duration(Duration v) { duration = v; return this; }
        public Builder concurrency(int v) { concurrency = v; return this; }
        public Builder workerThreads(int v) { workerThreads = v; return this; }
        public Builder insecureSkipTlsVerify(boolean v) { insecureSkipTlsVerify = v; return this; }
        public Builder token(String v) { token = v == null || v.isBlank() ? null : v; return this; }
        /** Extra labels of each node, by node name (null or an empty map: none). */
        public Builder nodeLabels(Function<String, Map<String, String>> v) { nodeLabels = v; return this; }

        public SimulatorConfig build() {
            return new SimulatorConfig(URI.create(server), nodes, prefix, heartbeat, waitSeconds, startDelay,
                    reportBatch, failFraction, unreadyFraction, seed, duration, concurrency, workerThreads,
                    insecureSkipTlsVerify, token, nodeLabels);
        }
    }

    static final String USAGE = """
            Usage: fleet-simulator --server URL --nodes N [options]
              --server URL             Everynode base URL (required), e.g. http://localhost:8080
              --nodes N                number of simulated nodes (required)
              --prefix sim             node names are <prefix>-00001, <prefix>-00002, ...
              --heartbeat-seconds 10   heartbeat interval until the server answers its own
              --wait-seconds 30        long-poll wait of the assignments requests (0..300)
              --start-delay-ms 200     delay between seeing a new pod and reporting it
              --report-batch-ms 100    per-node coalescing window of status reports
              --fail-fraction 0        fraction of pods reported Failed
              --unready-fraction 0     fraction of pods reported Running but never Ready
              --seed 1                 seed of the deterministic Failed/unready choices
              --duration-seconds 0     run time; 0 = until Ctrl-C
              --concurrency 64         requests in flight at once, long-polls excepted
              --threads N              worker threads of the HTTP client
              --insecure-skip-tls-verify  over https, accept any server certificate (self-signed)
              --token TOKEN            bearer token sent on every request (e.g. the admin token)
            A pod annotation everynode.dev/simulated-outcome: ready | unready | failed (set it in the DaemonSet's
            spec.template.metadata.annotations) overrides the seeded outcome for that pod.
            """;

    /** Parses command-line arguments ({@code --name value} or {@code --name=value}). */
    public static SimulatorConfig parse(String[] args) {
        String server = null;
        Builder b = null;
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException("help");
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            if (a.equals("--insecure-skip-tls-verify")) {
                values.put("insecure-skip-tls-verify", "true");
                continue;
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + a);
                }
                name = a.substring(2);
                value = args[++i];
            }
            values.put(name, value);
        }
        server = values.remove("server");
        if (server == null) {
            throw new IllegalArgumentException("--server is required");
        }
        if (!values.containsKey("nodes")) {
            throw new IllegalArgumentException("--nodes is required");
        }
        b = builder(server);
        for (var e : values.entrySet()) {
            String v = e.getValue();
            try {
                switch (e.getKey()) {
                    case "nodes" -> b.nodes(Integer.parseInt(v));
                    case "prefix" -> b.prefix(v);
                    case "heartbeat-seconds" -> b.heartbeat(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
                    case "wait-seconds" -> b.waitSeconds(Integer.parseInt(v));
                    case "start-delay-ms" -> b.startDelay(Duration.ofMillis(Long.parseLong(v)));
                    case "report-batch-ms" -> b.reportBatch(Duration.ofMillis(Long.parseLong(v)));
                    case "fail-fraction" -> b.failFraction(Double.parseDouble(v));
                    case "unready-fraction" -> b.unreadyFraction(Double.parseDouble(v));
                    case "seed" -> b.seed(Long.parseLong(v));
                    case "duration-seconds" -> b.duration(Duration.ofSeconds(Long.parseLong(v)));
                    case "concurrency" -> b.concurrency(Integer.parseInt(v));
                    case "threads" -> b.workerThreads(Integer.parseInt(v));
                    case "insecure-skip-tls-verify" -> b.insecureSkipTlsVerify(Boolean.parseBoolean(v));
                    case "token" -> b.token(v);
                    default -> throw new IllegalArgumentException("unknown option --" + e.getKey());
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("--" + e.getKey() + ": not a number: " + v);
            }
        }
        return b.build();
    }
}
