package dev.everynode.simulator;

import dev.everynode.nodeagent.AgentProtocol;
import dev.everynode.nodeagent.Js;
import java.io.PrintStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Simulates a fleet of Everynode node agents over the agent protocol (docs/agent-protocol.md): registers N nodes,
 * heartbeats them, long-polls their assignments, reports new pods Running and Ready (or Failed, or never Ready)
 * in per-node batches after a start delay, and confirms terminations. It holds no thread per node: every request
 * is asynchronous on one shared HTTP/1.1 client, and timers run on a small scheduler.
 *
 * <p>What a pod does is chosen per (node, revision) from the seed ({@link #outcome(String, String)}), unless the
 * pod has the annotation {@value #OUTCOME_ANNOTATION} (copied from the DaemonSet's
 * {@code spec.template.metadata.annotations}): {@code ready}, {@code unready} (Running, never Ready) or
 * {@code failed} (case-insensitive) overrides the seed for that pod; another value is ignored. So a test can roll out
 * a template that never becomes Ready. Nodes can carry extra labels ({@link SimulatorConfig#nodeLabels()}, e.g. a
 * zone); a re-registration merges labels, so labels set through the API are kept as well.
 *
 * <p>As a command: {@code FleetSimulator --server URL --nodes N ...} (see {@link SimulatorConfig#USAGE}). As a
 * library: {@code FleetSimulator.start(config)}, then {@link #observations()}, {@link #pauseHeartbeats},
 * {@link #resumeHeartbeats}, and {@link #close()}.
 */
public final class FleetSimulator implements AutoCloseable {

    /** What a node does with a pod: chosen per (node, revision) from the seed. */
    public enum Outcome { READY, UNREADY, FAILED }

    /** Pod annotation overriding the seeded outcome: {@code ready}, {@code unready} or {@code failed}. */
    public static final String OUTCOME_ANNOTATION = "everynode.dev/simulated-outcome";

    static final String SIMULATED_LABEL = "everynode.dev/simulated";
    private static final String REVISION_LABEL = "controller-revision-hash";

    private final SimulatorConfig config;
    private final Observations observations = new Observations();
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    /** Several clients: the JDK client's connection pool removes expired connections in O(pool size). */
    private final HttpClient[] http;
    private final AsyncLimiter limiter;
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private volatile boolean stopped;

    private FleetSimulator(SimulatorConfig config) {
        this.config = config;
        this.workers = Executors.newFixedThreadPool(config.workerThreads(), daemon("fleet-sim-worker"));
        this.timers = Executors.newScheduledThreadPool(2, daemon("fleet-sim-timer"));
        HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(workers)
                .connectTimeout(Duration.ofSeconds(10));
        if (config.insecureSkipTlsVerify()) {
            client.sslContext(trustAll());
        }
        // The JDK client's idle-connection pool finds a connection by a linear scan of its expiry list (one per
        // client): with 1,250 idle connections per client that scan was 16% of the simulator's CPU at N = 10,000.
        // About 150 nodes per client keeps it short; each client adds one selector thread.
        this.http = new HttpClient[Math.max(1, Math.min(64, config.nodes() / 150))];
        for (int i = 0; i < http.length; i++) {
            http[i] = client.build();
        }
        this.limiter = new AsyncLimiter(config.concurrency());
        for (int i = 1; i <= config.nodes(); i++) {
            String name = config.nodeName(i);
            nodes.put(name, new SimNode(name, i));
        }
    }

    private HttpClient client(SimNode n) {
        return http[Math.floorMod(n.name.hashCode(), http.length)];
    }

    /** Registers every node (waiting for all registrations), then starts heartbeats and long-polls. */
    public static FleetSimulator start(SimulatorConfig config) {
        FleetSimulator sim = new FleetSimulator(config);
        try {
            sim.registerAll();
            sim.run();
        } catch (RuntimeException e) {
            sim.close();
            throw e;
        }
        return sim;
    }

    public SimulatorConfig config() {
        return config;
    }

    public Observations observations() {
        return observations;
    }

    /** How many nodes have had an answer with an ETag to their long-poll (each node's first answer is a 200). */
    public long nodesWithAssignments() {
        return nodes.values().stream().filter(n -> n.etag != null).count();
    }

    public List<String> nodeNames() {
        return List.copyOf(nodes.keySet());
    }

    /** The pods (namespace/name) a node currently runs as far as the simulator knows. */
    public Set<String> pods(String node) {
        Set<String> out = new HashSet<>();
        node(node).pods.values().forEach(p -> out.add(p.namespace + "/" + p.name));
        return out;
    }

    /** The outcome this simulator gives pods of a revision on a node. */
    public Outcome outcome(String node, String revision) {
        return outcome(config.seed(), config.failFraction(), config.unreadyFraction(), node, revision);
    }

    /** The outcome a simulator with this seed and these fractions gives pods of a revision on a node. */
    public static Outcome outcome(long seed, double failFraction, double unreadyFraction, String node,
                                  String revision) {
        long h = seed * 0x9E3779B97F4A7C15L + (node + "/" + revision).hashCode();
        double x = new SplittableRandom(h).nextDouble();
        if (x < failFraction) {
            return Outcome.FAILED;
        }
        return x < failFraction + unreadyFraction ? Outcome.UNREADY : Outcome.READY;
    }

    /**
     * The outcome a pod's {@value #OUTCOME_ANNOTATION} annotation asks for ({@code ready}, {@code unready},
     * {@code failed}, case-insensitive), or null when it has none or another value.
     */
    public static Outcome annotatedOutcome(JsonNode pod) {
        JsonNode value = pod.path("metadata").path("annotations").path(OUTCOME_ANNOTATION);
        if (!value.isString()) {
            return null;
        }
        return switch (value.asString().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "ready" -> Outcome.READY;
            case "unready" -> Outcome.UNREADY;
            case "failed" -> Outcome.FAILED;
            default -> null;
        };
    }

    /** Stops the heartbeats of these nodes (their long-polls and reports go on). */
    public void pauseHeartbeats(Collection<String> names) {
        names.forEach(n -> node(n).heartbeatsPaused = true);
    }

    /** Resumes the heartbeats of these nodes, with one heartbeat right away. */
    public void resumeHeartbeats(Collection<String> names) {
        for (String n : names) {
            SimNode node = node(n);
            node.heartbeatsPaused = false;
            workers.execute(() -> heartbeat(node, false));
        }
    }

    public boolean heartbeatsPaused(String name) {
        return node(name).heartbeatsPaused;
    }

    /** Stops every timer and long-poll. Nodes stay registered; the server will see them go silent. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        timers.shutdownNow();
        for (SimNode n : nodes.values()) {
            CompletableFuture<?> poll = n.poll;
            if (poll != null) {
                poll.cancel(true);
            }
        }
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    public boolean stopped() {
        return stopped;
    }

    // ---------------------------------------------------------------------------------------------------------
    // registration

    private void registerAll() {
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            all.add(register(n));
        }
        int failed = 0;
        for (CompletableFuture<Boolean> f : all) {
            if (!f.join()) {
                failed++;
            }
        }
        if (failed > 0) {
            throw new IllegalStateException(failed + " of " + nodes.size() + " nodes could not register: "
                    + observations.errorKinds());
        }
    }

    private CompletableFuture<Boolean> register(SimNode n) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        register(n, 1, done);
        return done;
    }

    /**
     * One registration attempt. A 503 (the server had no database connection for it, or too many agents were
     * queued), another 5xx or a failed connection is tried again after the answer's Retry-After (else 1 s), up to
     * {@value #ATTEMPTS} attempts, as a real agent keeps trying: the fleet still registers.
     */
    private void register(SimNode n, int attempt, CompletableFuture<Boolean> done) {
        byte[] body = Js.MAPPER.writeValueAsBytes(nodeObject(n));
        limiter.submit(() -> {
            long t0 = System.nanoTime();
            HttpRequest request = request(n, "POST", AgentProtocol.registerPath(), body, Duration.ofSeconds(30))
                    .build();
            return client(n).sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, e) -> {
                if (e != null || r.statusCode() >= 500) {
                    observations.error("register: " + (e != null ? rootMessage(e) : failure(r)));
                    if (attempt < ATTEMPTS && !stopped) {
                        schedule(() -> register(n, attempt + 1, done), retryAfter(r));
                    } else {
                        done.complete(false);
                    }
                    return null;
                }
                if (r.statusCode() != 200 && r.statusCode() != 201) {
                    observations.error("register: " + failure(r));
                    done.complete(false);
                    return null;
                }
                observations.registrations.add(System.nanoTime() - t0);
                // Registered with a bootstrap token: from now on the node acts with its own credential.
                r.headers().firstValue(AgentProtocol.NODE_TOKEN_HEADER).ifPresent(t -> n.credential = t);
                // Like a real agent, heartbeat from registration on (not only once the whole fleet registered:
                // a node registered early would otherwise fall silent for the length of the registration).
                startHeartbeats(n);
                done.complete(true);
                return null;
            });
        });
    }

    /** Attempts of a registration answered 5xx (or not at all). */
    static final int ATTEMPTS = 20;

    /**
     * What went wrong with an answer, for {@link Observations#errorKinds()}: {@code HTTP <code> <Status reason>}
     * when the body is a Kubernetes Status (a 503 also says whether it had a Retry-After), else
     * {@code HTTP <code> (no Status body)}. Counts 503s as {@link Observations#unavailable()} and any other 5xx as
     * {@link Observations#serverErrors()}.
     */
    private String failure(HttpResponse<byte[]> r) {
        String reason = null;
        try {
            byte[] b = r.body();
            JsonNode status = b == null || b.length == 0 ? null : Js.MAPPER.readTree(b);
            if (status != null && "Status".equals(status.path("kind").asString(""))) {
                reason = status.path("reason").asString("");
            }
        } catch (RuntimeException notJson) {
            // no Status body
        }
        boolean retryAfter = r.headers().firstValue("Retry-After").isPresent();
        if (r.statusCode() == 503 && reason != null) {
            observations.unavailable.incrementAndGet();
        } else if (r.statusCode() >= 500) {
            observations.serverErrors.incrementAndGet();
        }
        return "HTTP " + r.statusCode() + (reason == null ? " (no Status body)" : " " + reason)
                + (r.statusCode() == 503 ? (retryAfter ? " with Retry-After" : " without Retry-After") : "");
    }

    /** The answer's Retry-After in nanoseconds (1 to 30 s), or 1 s without one. */
    private static long retryAfter(HttpResponse<?> r) {
        long seconds = r == null ? 1 : AgentProtocol.retryAfterSeconds(r.headers()).orElse(1);
        return TimeUnit.SECONDS.toNanos(Math.max(1, Math.min(30, seconds)));
    }

    private ObjectNode nodeObject(SimNode n) {
        ObjectNode node = Js.object();
        node.put("apiVersion", "v1").put("kind", "Node");
        ObjectNode meta = node.putObject("metadata");
        meta.put("name", n.name);
        ObjectNode labels = meta.putObject("labels");
        Map<String, String> extra = config.nodeLabels().apply(n.name);
        if (extra != null) {
            extra.forEach(labels::put);
        }
        labels.put("kubernetes.io/hostname", n.name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put(SIMULATED_LABEL, "true");
        node.putObject("spec");
        ObjectNode status = node.putObject("status");
        for (String field : new String[] {"capacity", "allocatable"}) {
            status.putObject(field).put("cpu", "2").put("memory", "8Gi").put("pods", "110");
        }
        status.putArray("addresses").addObject().put("type", "InternalIP").put("address", n.ip);
        status.putObject("nodeInfo").put("kubeletVersion", "everynode-sim/0.1").put("osImage", "simulated")
                .put("operatingSystem", "linux").put("architecture", "amd64")
                .put("containerRuntimeVersion", "simulated://0.1");
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
                .put("reason", "KubeletReady");
        return node;
    }

    // ---------------------------------------------------------------------------------------------------------
    // heartbeats and polls

    private void run() {
        for (SimNode n : nodes.values()) {
            poll(n);
        }
    }

    /** The first heartbeat at a random point of the first interval (so heartbeats spread), then at a fixed rate. */
    private void startHeartbeats(SimNode n) {
        n.heartbeatNanos = config.heartbeat().toNanos();
        long delay = java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, n.heartbeatNanos));
        n.nextHeartbeat = System.nanoTime() + delay;
        schedule(() -> heartbeat(n, true), delay);
    }

    /**
     * One heartbeat. Scheduled heartbeats run at a fixed rate (the next one is planned before this one is sent), so a
     * slow answer does not stretch the gap the server sees; they bypass the concurrency limit, so that bulk work
     * (reports, registrations) never delays liveness.
     */
    private void heartbeat(SimNode n, boolean scheduled) {
        if (stopped) {
            return;
        }
        if (scheduled) {
            long now = System.nanoTime();
            // How late the simulator itself sends it (its timers and workers behind): not the server's doing.
            observations.heartbeatSendLag.add(Math.max(0, now - n.nextHeartbeat));
            long next = n.nextHeartbeat + n.heartbeatNanos;
            n.nextHeartbeat = next - now < 0 ? now : next;
            schedule(() -> heartbeat(n, true), n.nextHeartbeat - now);
        }
        if (n.heartbeatsPaused) {
            return;
        }
        long t0 = System.nanoTime();
        observations.heartbeatsSent.incrementAndGet();
        HttpRequest request = request(n, "PUT", AgentProtocol.heartbeatPath(n.name), null, Duration.ofSeconds(30))
                .build();
        client(n).sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenCompleteAsync((r, e) -> {
            if (e != null) {
                observations.error("heartbeat: " + rootMessage(e));
            } else if (r.statusCode() == 404 || (r.statusCode() == 401 && n.credential != null)) {
                // Unknown node, or a node credential that was revoked: register again with the configured token.
                observations.reRegistrations.incrementAndGet();
                n.credential = null;
                register(n);
            } else if (r.statusCode() != 200) {
                observations.error("heartbeat: " + failure(r));
            } else {
                observations.heartbeats.add(System.nanoTime() - t0);
                JsonNode ack = Js.MAPPER.readTree(r.body());
                long interval = ack.path("heartbeatIntervalSeconds").asLong(0);
                long grace = ack.path("gracePeriodSeconds").asLong(0);
                if (interval > 0) {
                    // Follow the server, but never beat less often than three times per grace period.
                    long nanos = TimeUnit.SECONDS.toNanos(interval);
                    if (grace > 0) {
                        nanos = Math.min(nanos, Math.max(TimeUnit.MILLISECONDS.toNanos(500),
                                TimeUnit.SECONDS.toNanos(grace) / 3));
                    }
                    n.heartbeatNanos = nanos;
                }
                if (ack.path("resyncPodStatus").asBoolean(false)) {
                    // Asked on every heartbeat until a report marked resync has landed; one at a time.
                    resync(n);
                }
            }
        }, workers);
    }

    private void poll(SimNode n) {
        if (stopped) {
            return;
        }
        int wait = config.waitSeconds();
        HttpRequest.Builder b = request(n, "GET", AgentProtocol.assignmentsPath(n.name, wait), null,
                AgentProtocol.longPollTimeout(wait));
        String etag = n.etag;
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        int inFlight = observations.pollsInFlight.incrementAndGet();
        observations.maxPollsInFlight.accumulateAndGet(inFlight, Math::max);
        CompletableFuture<HttpResponse<byte[]>> f = client(n).sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        n.poll = f;
        f.whenCompleteAsync((r, e) -> {
            long at = System.nanoTime();
            observations.pollsInFlight.decrementAndGet();
            if (stopped) {
                return;
            }
            if (e != null) {
                observations.error("poll: " + rootMessage(e));
                schedule(() -> poll(n), TimeUnit.SECONDS.toNanos(1));
                return;
            }
            observations.pollsAnswered.incrementAndGet();
            switch (r.statusCode()) {
                case 304 -> poll(n);
                case 200 -> {
                    observations.pollsChanged.incrementAndGet();
                    observations.wokeUp(n.name, at);
                    try {
                        JsonNode body = Js.MAPPER.readTree(r.body());
                        n.etag = r.headers().firstValue("ETag").orElse(body.path("etag").asString(null));
                        apply(n, body, at);
                    } catch (RuntimeException ex) {
                        observations.error("assignments: " + ex.getMessage());
                    }
                    poll(n);
                }
                case 404 -> {
                    observations.reRegistrations.incrementAndGet();
                    register(n).whenComplete((ok, ex) -> schedule(() -> poll(n), TimeUnit.SECONDS.toNanos(1)));
                }
                default -> {
                    observations.error("poll: " + failure(r));
                    schedule(() -> poll(n), retryAfter(r));
                }
            }
        }, workers);
    }

    /** Acts on a node's assignments: start new pods, forget deleted ones, confirm terminations. */
    private void apply(SimNode n, JsonNode body, long at) {
        Set<String> current = new HashSet<>();
        for (JsonNode pod : body.path("pods")) {
            String uid = pod.path("metadata").path("uid").asString("");
            current.add(uid);
            if (n.pods.containsKey(uid)) {
                continue;
            }
            String revision = pod.path("metadata").path("labels").path(REVISION_LABEL).asString(uid);
            Outcome annotated = annotatedOutcome(pod);
            SimPod p = new SimPod(pod.path("metadata").path("namespace").asString(""),
                    pod.path("metadata").path("name").asString(""), uid, revision,
                    annotated != null ? annotated : outcome(n.name, revision), (ObjectNode) pod);
            n.pods.put(uid, p);
            observations.saw(revision, n.name, at);
            schedule(() -> start(n, p), config.startDelay().toNanos());
        }
        n.pods.keySet().removeIf(uid -> !current.contains(uid));
        Set<String> terminating = new HashSet<>();
        for (JsonNode t : body.path("terminating")) {
            String uid = t.path("uid").asString("");
            terminating.add(uid);
            if (n.confirming.add(uid)) {
                confirm(n, t.path("namespace").asString(""), t.path("name").asString(""), uid);
            }
        }
        n.confirming.removeIf(uid -> !terminating.contains(uid));
    }

    private void start(SimNode n, SimPod p) {
        if (stopped || !n.pods.containsKey(p.uid)) {
            return;
        }
        p.status = status(n, p);
        enqueueReport(n, p);
    }

    private void confirm(SimNode n, String namespace, String name, String uid) {
        confirm(n, namespace, name, uid, 1);
    }

    /**
     * Confirms a termination. A 5xx or a failed connection is tried again after the Retry-After (else 1 s), for as
     * long as the pod is still terminating in the node's assignments, as a real agent does: the assignments do not
     * change until the pod is confirmed, so the long-poll would not bring it up again, and a confirmation given up
     * leaves the node's old pod in place and the rollout stuck (seen after a database outage of 25 s).
     */
    private void confirm(SimNode n, String namespace, String name, String uid, int attempt) {
        limiter.submit(() -> {
            long t0 = System.nanoTime();
            HttpRequest request = request(n, "DELETE", AgentProtocol.confirmPath(n.name, namespace, name), null,
                    Duration.ofSeconds(30)).build();
            return client(n).sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, e) -> {
                if (e != null || (r.statusCode() != 200 && r.statusCode() != 404)) {
                    observations.error("confirm: " + (e != null ? rootMessage(e) : failure(r)));
                    if ((e != null || r.statusCode() >= 500) && !stopped) {
                        schedule(() -> {
                            if (n.confirming.contains(uid)) {
                                confirm(n, namespace, name, uid, attempt + 1);
                            }
                        }, retryAfter(r));
                    } else {
                        n.confirming.remove(uid);
                    }
                } else {
                    observations.terminationsConfirmed.incrementAndGet();
                    observations.confirmations.add(System.nanoTime() - t0);
                }
                return null;
            });
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // status reports

    /** Reports every started pod again, marked {@code "resync": true} (also with no pod: the server waits for it). */
    private void resync(SimNode n) {
        boolean schedule;
        synchronized (n) {
            if (n.resyncInFlight || n.resyncRequested) {
                return;
            }
            observations.resyncs.incrementAndGet();
            n.resyncRequested = true;
            n.pods.values().forEach(p -> {
                if (p.status != null) {
                    n.pendingReports.put(p.uid, p);
                }
            });
            schedule = !n.flushScheduled;
            n.flushScheduled = true;
        }
        if (schedule) {
            schedule(() -> flush(n), config.reportBatch().toNanos());
        }
    }

    private void enqueueReport(SimNode n, SimPod p) {
        boolean schedule;
        synchronized (n) {
            n.pendingReports.put(p.uid, p);
            schedule = !n.flushScheduled;
            n.flushScheduled = true;
        }
        if (schedule) {
            schedule(() -> flush(n), config.reportBatch().toNanos());
        }
    }

    private void flush(SimNode n) {
        List<SimPod> batch;
        boolean resync;
        synchronized (n) {
            batch = new ArrayList<>(n.pendingReports.values());
            n.pendingReports.clear();
            n.flushScheduled = false;
            resync = n.resyncRequested;
            n.resyncRequested = false;
            n.resyncInFlight |= resync;
        }
        batch.removeIf(p -> !n.pods.containsKey(p.uid));
        if ((batch.isEmpty() && !resync) || stopped) {
            if (resync) {
                synchronized (n) {
                    n.resyncInFlight = false;
                }
            }
            return;
        }
        ObjectNode body = Js.object();
        if (resync) {
            body.put("resync", true);
        }
        ArrayNode statuses = body.putArray("statuses");
        for (SimPod p : batch) {
            statuses.addObject().put("namespace", p.namespace).put("name", p.name).put("uid", p.uid)
                    .set("status", p.status.deepCopy());
        }
        byte[] bytes = Js.MAPPER.writeValueAsBytes(body);
        limiter.submit(() -> {
            long t0 = System.nanoTime();
            observations.reportBatchesSent.incrementAndGet();
            observations.statusesSent.addAndGet(batch.size());
            HttpRequest request = request(n, "POST", AgentProtocol.podStatusesPath(n.name), bytes,
                    Duration.ofSeconds(30)).build();
            return client(n).sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handleAsync((r, e) -> {
                if (resync) {
                    synchronized (n) {
                        n.resyncInFlight = false;
                    }
                }
                if (e != null || r.statusCode() != 200) {
                    observations.error("report: " + (e != null ? rootMessage(e) : failure(r)));
                    if (e != null || r.statusCode() >= 500) {
                        // Kept: queued again after the Retry-After (a newer status of the same pod wins).
                        observations.reportsRetried.addAndGet(batch.size());
                        schedule(() -> batch.forEach(p -> {
                            synchronized (n) {
                                if (n.pendingReports.containsKey(p.uid)) {
                                    return;
                                }
                            }
                            enqueueReport(n, p);
                        }), retryAfter(r));
                    }
                    return null;
                }
                observations.reports.add(System.nanoTime() - t0);
                for (JsonNode result : Js.MAPPER.readTree(r.body()).path("results")) {
                    switch (result.path("result").asString("")) {
                        case "applied" -> observations.statusesApplied.incrementAndGet();
                        case "unchanged" -> observations.statusesUnchanged.incrementAndGet();
                        case "ignored" -> observations.statusesIgnored.incrementAndGet();
                        case "notFound" -> observations.statusesNotFound.incrementAndGet();
                        default -> observations.error("report: result " + result.path("result"));
                    }
                }
                return null;
            }, workers);
        });
    }

    /** The status a simulated kubelet reports for a started pod; kept and replayed on resyncs. */
    private ObjectNode status(SimNode n, SimPod p) {
        String now = Js.time(Instant.now());
        boolean ready = p.outcome == Outcome.READY;
        boolean failed = p.outcome == Outcome.FAILED;
        ObjectNode s = Js.object();
        s.put("phase", failed ? "Failed" : "Running");
        s.put("hostIP", n.ip);
        s.put("podIP", n.podIp());
        s.put("startTime", now);
        ArrayNode conditions = s.putArray("conditions");
        conditions.addObject().put("type", "PodScheduled").put("status", "True").put("lastTransitionTime", now);
        conditions.addObject().put("type", "Initialized").put("status", "True").put("lastTransitionTime", now);
        conditions.addObject().put("type", "ContainersReady").put("status", ready ? "True" : "False")
                .put("lastTransitionTime", now);
        ObjectNode readyCondition = conditions.addObject().put("type", "Ready").put("status", ready ? "True" : "False")
                .put("lastTransitionTime", now);
        if (!ready) {
            readyCondition.put("reason", failed ? "PodFailed" : "ContainersNotReady");
        }
        ArrayNode containers = s.putArray("containerStatuses");
        for (JsonNode c : p.pod.path("spec").path("containers")) {
            ObjectNode cs = containers.addObject();
            cs.put("name", c.path("name").asString(""));
            cs.put("image", c.path("image").asString(""));
            cs.put("imageID", "simulated://" + c.path("image").asString(""));
            cs.put("ready", ready);
            cs.put("started", !failed);
            cs.put("restartCount", 0);
            ObjectNode state = cs.putObject("state");
            if (failed) {
                state.putObject("terminated").put("exitCode", 1).put("reason", "Error").put("startedAt", now)
                        .put("finishedAt", now);
            } else {
                state.putObject("running").put("startedAt", now);
            }
        }
        return s;
    }

    // ---------------------------------------------------------------------------------------------------------
    // plumbing

    private SimNode node(String name) {
        SimNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("not a simulated node: " + name);
        }
        return n;
    }

    /** A request on behalf of a node: with the node's own credential once it has one, else the configured token. */
    private HttpRequest.Builder request(SimNode n, String method, String path, byte[] jsonBody, Duration timeout) {
        String token = n.credential != null ? n.credential : config.token();
        return AgentProtocol.request(config.server().toString(), method, path, jsonBody, token, timeout);
    }

    /**
     * An SSLContext that accepts any certificate and host name (--insecure-skip-tls-verify). An
     * X509ExtendedTrustManager, so that JSSE does not add its own host name check.
     */
    public static SSLContext trustAll() {
        X509ExtendedTrustManager any = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] c, String a) {}
            @Override public void checkServerTrusted(X509Certificate[] c, String a) {}
            @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}
            @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}
            @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}
            @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {any}, new SecureRandom());
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context", e);
        }
    }

    private void schedule(Runnable task, long delayNanos) {
        if (stopped) {
            return;
        }
        try {
            timers.schedule(() -> {
                try {
                    workers.execute(task);
                } catch (java.util.concurrent.RejectedExecutionException ignored) {
                    // stopping
                }
            }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // stopping
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static final class SimNode {
        final String name;
        final int index;
        final String ip;
        volatile String etag;
        volatile String credential;
        volatile boolean heartbeatsPaused;
        volatile long heartbeatNanos;
        volatile long nextHeartbeat;
        volatile CompletableFuture<?> poll;
        final Map<String, SimPod> pods = new ConcurrentHashMap<>();
        final Set<String> confirming = ConcurrentHashMap.newKeySet();
        final Map<String, SimPod> pendingReports = new LinkedHashMap<>();
        boolean flushScheduled;
        /** A resync report is queued ({@code resyncRequested}) or on its way ({@code resyncInFlight}). */
        boolean resyncRequested;
        boolean resyncInFlight;
        private final AtomicInteger podCounter = new AtomicInteger();

        SimNode(String name, int index) {
            this.name = name;
            this.index = index;
            this.ip = "10.%d.%d.%d".formatted(64 + (index >> 16 & 63), index >> 8 & 255, index & 255);
        }

        String podIp() {
            return "172.%d.%d.%d".formatted(16 + (index >> 14 & 15), index >> 6 & 255,
                    ((index & 63) << 2) + (podCounter.getAndIncrement() & 3) + 1);
        }
    }

    private static final class SimPod {
        final String namespace;
        final String name;
        final String uid;
        final String revision;
        final Outcome outcome;
        final ObjectNode pod;
        volatile ObjectNode status;

        SimPod(String namespace, String name, String uid, String revision, Outcome outcome, ObjectNode pod) {
            this.namespace = namespace;
            this.name = name;
            this.uid = uid;
            this.revision = revision;
            this.outcome = outcome;
            this.pod = pod;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // command line

    public static void main(String[] args) throws InterruptedException {
        SimulatorConfig config;
        try {
            config = SimulatorConfig.parse(args);
        } catch (IllegalArgumentException e) {
            PrintStream out = e.getMessage().equals("help") ? System.out : System.err;
            if (!e.getMessage().equals("help")) {
                out.println("error: " + e.getMessage());
            }
            out.print(SimulatorConfig.USAGE);
            System.exit(e.getMessage().equals("help") ? 0 : 2);
            return;
        }
        System.out.printf("fleet simulator: %d nodes %s-00001.. against %s (heartbeat %ss, wait %ss, start delay %d ms,"
                        + " fail %.3f, unready %.3f, seed %d, concurrency %d)%n", config.nodes(), config.prefix(),
                config.server(), config.heartbeat().toMillis() / 1000.0, config.waitSeconds(),
                config.startDelay().toMillis(), config.failFraction(), config.unreadyFraction(), config.seed(),
                config.concurrency());
        long t0 = System.nanoTime();
        FleetSimulator sim;
        try {
            sim = start(config);
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf("registered %d nodes in %.2f s (%s)%n", config.nodes(), (System.nanoTime() - t0) / 1e9,
                sim.observations().registrationLatencies().summary());
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            sim.close();
            System.out.println();
            System.out.println("--- summary after " + Math.round((System.nanoTime() - t0) / 1e9) + " s ---");
            System.out.println(sim.observations().summary());
            done.countDown();
        }, "fleet-sim-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long end = config.duration().isZero() ? Long.MAX_VALUE : t0 + config.duration().toNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            Observations o = sim.observations();
            int running = 0;
            for (SimNode n : sim.nodes.values()) {
                running += n.pods.size();
            }
            System.out.printf("[%5.0f s] pods=%d reports=%d (applied %d) polls parked=%d heartbeats=%d errors=%d%n",
                    (System.nanoTime() - t0) / 1e9, running, o.statusesSent(), o.statusesApplied(),
                    o.pollsInFlight(), o.heartbeatsSent(), o.errors());
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        hook.run();
        done.await();
        System.exit(0);
    }
}
