package dev.everynode.nodeagent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * {@code everynode-agent --server URL --node NAME [...]}: registers the node, heartbeats, long-polls its
 * assignments, runs them (process or docker runtime), reports pod status, confirms terminations. Stopping the
 * agent leaves the containers running; the next agent with the same --state-dir adopts them.
 */
public final class Main {

    private final Args args;
    private final ControlPlaneClient client;
    private final ContainerRuntime runtime;
    private final StatusReporter reporter;
    private final Reconciler reconciler;
    private final Object registering = new Object();
    private volatile boolean registered;
    private volatile boolean reachable = true;
    private volatile long heartbeatMs = 10_000;
    private volatile boolean stopping;
    private ScheduledExecutorService timers;
    private Thread reporting;
    private Thread heartbeats;
    private Thread polling;

    Main(Args args) {
        this.args = args;
        Log.node = args.node;
        this.client = new ControlPlaneClient(args.server, args.node, args.token,
                args.stateDir.resolve("node-token"));
        this.runtime = args.runtime.equals("docker") ? new DockerRuntime(Path.of(args.dockerSocket), args.node)
                : new ProcessRuntime();
        this.reporter = new StatusReporter(client);
        this.reconciler = new Reconciler(args, runtime, new StateStore(args.stateDir), reporter, client);
    }

    public static void main(String[] argv) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("everynode-agent: " + e.getMessage());
            }
            System.err.print(Args.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        Log.node = args.node;
        new Main(args).run();
    }

    void run() {
        Log.info("starting: server %s, runtime %s, state dir %s, host IP %s", args.server, args.runtime,
                args.stateDir.toAbsolutePath(), args.hostIp);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Log.info("stopping (containers keep running)")));
        reconciler.adoptFromState();
        polling = Thread.currentThread();
        timers = Executors.newScheduledThreadPool(2, Reconciler.daemon("timer"));
        timers.scheduleWithFixedDelay(this::safeTick, 0, 500, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(reporter::resyncAll, 60, 60, TimeUnit.SECONDS);
        reporting = Reconciler.daemon("report").newThread(reporter::run);
        reporting.start();
        heartbeats = Reconciler.daemon("heartbeat").newThread(this::heartbeatLoop);
        heartbeats.start();
        pollLoop();
    }

    /** Stops the agent's loops (not the containers); for embedding and tests. */
    void stop() {
        stopping = true;
        for (Thread t : new Thread[] {polling, heartbeats, reporting}) {
            if (t != null) {
                t.interrupt();
            }
        }
        if (timers != null) {
            timers.shutdownNow();
        }
    }

    private void safeTick() {
        try {
            reconciler.tick();
        } catch (RuntimeException e) {
            Log.info("sync step failed: %s", e);
        }
    }

    private void register() throws IOException {
        ControlPlaneClient.Response r = client.register(HostInfo.node(args, runtime.version()));
        if (r.status() != 200 && r.status() != 201) {
            throw new IOException("registration answered HTTP " + r.status() + ": " + r.text());
        }
        registered = true;
        Log.info("registered node %s (%s)", args.node, r.status() == 201 ? "created" : "updated");
    }

    private void ensureRegistered() throws IOException {
        synchronized (registering) {
            if (client.takeCredentialRejected()) {
                registered = false;
            }
            if (!registered) {
                register();
            }
        }
    }

    private void pollLoop() {
        Backoff backoff = Backoff.controlPlane();
        String etag = null;
        while (!stopping) {
            try {
                ensureRegistered();
                ControlPlaneClient.Response r = client.assignments(etag, etag == null ? 0 : args.pollSeconds);
                if (r.status() == 200) {
                    JsonNode body = r.json();
                    etag = r.etag() != null ? r.etag() : Js.str(body, "etag");
                    reconciler.apply(body);
                } else if (r.status() != 304) {
                    throw new IOException("assignments answered HTTP " + r.status() + ": " + r.text());
                }
                backToNormal(backoff);
            } catch (IOException | RuntimeException e) {
                if (stopping) {
                    return;
                }
                Duration delay = backoff.nextJittered();
                unreachable("assignments", e, delay);
                sleep(delay);
                etag = null;
            }
        }
    }

    private void heartbeatLoop() {
        Backoff backoff = Backoff.controlPlane();
        while (!stopping) {
            long pause;
            try {
                ensureRegistered();
                ControlPlaneClient.Response r = client.heartbeat();
                if (r.status() == 404) {
                    Log.info("the control plane does not know node %s: registering again", args.node);
                    synchronized (registering) {
                        registered = false;
                        register();
                    }
                    reporter.resyncAll();
                    continue;
                }
                if (r.status() != 200) {
                    throw new IOException("heartbeat answered HTTP " + r.status());
                }
                JsonNode ack = r.json();
                long interval = ack.path("heartbeatIntervalSeconds").asLong(10) * 1000;
                long grace = ack.path("gracePeriodSeconds").asLong(40) * 1000;
                // never let the node look silent: at least four heartbeats per grace period
                heartbeatMs = Math.max(250, Math.min(interval, grace / 4));
                if (ack.path("resyncPodStatus").asBoolean(false) && !reporter.resyncUnderway()) {
                    Log.info("the node was unreachable: reporting every pod status again");
                    reporter.resyncAll();
                }
                backToNormal(backoff);
                pause = heartbeatMs;
            } catch (IOException | RuntimeException e) {
                if (stopping) {
                    return;
                }
                // heartbeats keep their own pace (the node must not look silent once the server is back)
                pause = Math.min(backoff.nextJittered().toMillis(), heartbeatMs);
                unreachable("heartbeat", e, Duration.ofMillis(pause));
            }
            sleep(Duration.ofMillis(pause - ThreadLocalRandom.current().nextLong(pause / 10 + 1)));
        }
    }

    private synchronized void unreachable(String what, Exception e, Duration retry) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (reachable) {
            Log.info("control plane unreachable (%s: %s): pods keep running; retrying with back-off", what, why);
            reachable = false;
        } else {
            Log.info("%s failed again (%s): retrying in %s ms", what, why, retry.toMillis());
        }
    }

    private synchronized void backToNormal(Backoff backoff) {
        backoff.reset();
        if (!reachable) {
            reachable = true;
            Log.info("control plane reachable again");
            reporter.resyncAll();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(0, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
