package dev.everynode.nodeagent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes the node's local state match its assignments: a worker per assigned pod (by uid), terminating pods
 * stopped then confirmed, anything else this agent runs (an older incarnation, a pod deleted while the agent
 * was away) stopped. Acts only on a successful assignments answer: an unreachable control plane changes nothing.
 */
final class Reconciler {

    private enum Termination { STOPPING, CONFIRM_PENDING, CONFIRMED }

    private final Args args;
    private final ContainerRuntime runtime;
    private final StateStore store;
    private final StatusReporter reporter;
    private final ControlPlaneClient client;
    final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, Termination> terminations = new ConcurrentHashMap<>();
    private final Map<String, Instant> confirmRetryAt = new ConcurrentHashMap<>();
    private final Map<String, Backoff> confirmBackoff = new ConcurrentHashMap<>();
    private final Map<String, String[]> terminationKeys = new ConcurrentHashMap<>();
    private final ExecutorService probePool = Executors.newCachedThreadPool(daemon("probe"));
    private final ExecutorService stopPool = Executors.newCachedThreadPool(daemon("stop"));
    private boolean cleanedUp;

    Reconciler(Args args, ContainerRuntime runtime, StateStore store, StatusReporter reporter,
               ControlPlaneClient client) {
        this.args = args;
        this.runtime = runtime;
        this.store = store;
        this.reporter = reporter;
        this.client = client;
    }

    /** At start-up: supervise again what the state file says we ran, before the control plane answers. */
    void adoptFromState() {
        ObjectNode pods = store.pods();
        for (Map.Entry<String, JsonNode> e : pods.properties()) {
            if (e.getValue().path("pod").isObject()) {
                ObjectNode pod = (ObjectNode) e.getValue().get("pod");
                workers.computeIfAbsent(e.getKey(), uid -> newWorker(pod, (ObjectNode) e.getValue()));
            }
        }
        if (!workers.isEmpty()) {
            Log.info("resumed %d pod(s) from the state file", workers.size());
        }
    }

    private PodWorker newWorker(ObjectNode pod, ObjectNode saved) {
        JsonNode meta = pod.path("metadata");
        String ns = meta.path("namespace").asString("default");
        String name = meta.path("name").asString("");
        String uid = meta.path("uid").asString("");
        Path logDir = args.stateDir.resolve("logs").resolve(ns + "_" + name + "_" + uid);
        ContainerRuntime.PodInfo info = new ContainerRuntime.PodInfo(ns, name, uid, pod.path("spec"), args.node,
                args.hostIp, logDir);
        return new PodWorker(pod, info, runtime, store, probePool, saved);
    }

    /** Applies an assignments answer: {@code {pods: [...], terminating: [...]}}. */
    synchronized void apply(JsonNode assignments) {
        Set<String> wanted = new HashSet<>();
        Map<String, String> wantedByName = new HashMap<>();
        for (JsonNode pod : assignments.path("pods")) {
            String uid = Js.str(pod, "metadata", "uid");
            if (uid == null || !(pod instanceof ObjectNode)) {
                continue;
            }
            wanted.add(uid);
            wantedByName.put(Js.str(pod, "metadata", "namespace") + "/" + Js.str(pod, "metadata", "name"), uid);
        }
        Map<String, Long> terminating = new HashMap<>();
        for (JsonNode t : assignments.path("terminating")) {
            String uid = Js.str(t, "uid");
            if (uid != null) {
                terminating.put(uid, t.path("gracePeriodSeconds").asLong(30));
                terminationKeys.put(uid, new String[] {Js.str(t, "namespace"), Js.str(t, "name")});
            }
        }
        // stop what must not run: terminating pods (then confirm), and pods no longer assigned at all
        for (PodWorker w : workers.values()) {
            if (terminating.containsKey(w.uid) || wanted.contains(w.uid)) {
                continue;
            }
            workers.remove(w.uid);
            reporter.forget(w.uid);
            Log.info("stopping pod %s/%s (uid %s): no longer assigned to this node", w.namespace, w.name, w.uid);
            stopPool.submit(() -> {
                w.stop(w.grace(), stopPool);
                Log.info("stopped pod %s/%s", w.namespace, w.name);
            });
        }
        for (Map.Entry<String, Long> t : terminating.entrySet()) {
            String uid = t.getKey();
            Termination state = terminations.get(uid);
            if (state != null) {
                continue;
            }
            terminations.put(uid, Termination.STOPPING);
            PodWorker w = workers.remove(uid);
            reporter.forget(uid);
            String[] key = terminationKeys.get(uid);
            Duration grace = Duration.ofSeconds(Math.max(0, t.getValue()));
            if (w != null) {
                Log.info("stopping pod %s/%s (uid %s, grace %ss): deleted", key[0], key[1], uid, grace.toSeconds());
            }
            stopPool.submit(() -> {
                if (w != null) {
                    w.stop(grace, stopPool);
                    Log.info("stopped pod %s/%s", key[0], key[1]);
                } else {
                    store.removePod(uid);
                }
                terminations.put(uid, Termination.CONFIRM_PENDING);
                confirm(uid);
            });
        }
        terminations.keySet().removeIf(uid -> !terminating.containsKey(uid)
                && terminations.get(uid) != Termination.STOPPING);
        // start what is new
        for (JsonNode pod : assignments.path("pods")) {
            String uid = Js.str(pod, "metadata", "uid");
            if (uid == null || !(pod instanceof ObjectNode) || workers.containsKey(uid) || terminations.containsKey(uid)) {
                continue;
            }
            Log.info("assigned pod %s/%s (uid %s)", Js.str(pod, "metadata", "namespace"), Js.str(pod, "metadata", "name"), uid);
            workers.put(uid, newWorker(((ObjectNode) pod).deepCopy(), store.pod(uid)));
        }
        if (!cleanedUp) {
            cleanedUp = true;
            Set<String> known = new HashSet<>(wanted);
            known.addAll(terminating.keySet());
            runtime.cleanup(known);
        }
    }

    private void confirm(String uid) {
        String[] key = terminationKeys.get(uid);
        try {
            ControlPlaneClient.Response r = client.confirm(key[0], key[1]);
            if (r.status() == 200 || r.status() == 204 || r.status() == 404) {
                terminations.put(uid, Termination.CONFIRMED);
                confirmRetryAt.remove(uid);
                confirmBackoff.remove(uid);
                Log.info("confirmed the termination of pod %s/%s", key[0], key[1]);
                return;
            }
            if (r.status() == 403) {
                terminations.put(uid, Termination.CONFIRMED);
                Log.info("termination of pod %s/%s refused (403): %s", key[0], key[1], r.text());
                return;
            }
            throw new StatusReporter.Refused("HTTP " + r.status(), r.retryAfterAtLeast(Duration.ZERO));
        } catch (IOException | RuntimeException e) {
            Duration delay = confirmBackoff.computeIfAbsent(uid, u -> Backoff.controlPlane()).nextJittered();
            if (e instanceof StatusReporter.Refused refused && refused.wait.compareTo(delay) > 0) {
                delay = refused.wait;
            }
            confirmRetryAt.put(uid, Instant.now().plus(delay));
            Log.info("confirming the termination of pod %s/%s failed (%s): retrying in %s", key[0], key[1],
                    e.getMessage(), delay);
        }
    }

    /** The sync thread's step: supervise every pod, queue changed statuses, retry pending confirmations. */
    void tick() {
        Instant now = Instant.now();
        for (PodWorker w : workers.values()) {
            try {
                w.tick(now);
                if (!w.isStopped() && workers.get(w.uid) == w) {
                    reporter.offer(w.namespace, w.name, w.uid, w.status(now));
                }
            } catch (RuntimeException e) {
                Log.info("pod %s/%s: supervision step failed: %s", w.namespace, w.name, e);
            }
        }
        for (Map.Entry<String, Instant> e : confirmRetryAt.entrySet()) {
            if (!now.isBefore(e.getValue()) && terminations.get(e.getKey()) == Termination.CONFIRM_PENDING) {
                confirmRetryAt.remove(e.getKey());
                stopPool.submit(() -> confirm(e.getKey()));
            }
        }
    }

    int running() {
        return workers.size();
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, "everynode-agent-" + name);
            t.setDaemon(true);
            return t;
        };
    }
}
