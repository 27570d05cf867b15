package dev.everynode.nodeagent;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends pod statuses in batches ({@code POST /agent/v1/nodes/{node}/pod-statuses}): only what changed since the
 * last accepted report, at most once a second, retried with jittered back-off while the control plane is away
 * or answers 5xx (a 503 ServiceUnavailable when it had no database connection: never before its Retry-After);
 * the batch stays queued until it is accepted, so no status is lost.
 * {@link #resyncAll} resends everything (after an outage the server may have marked the pods not ready), in a
 * report marked {@code "resync": true}: the server asks for it on every heartbeat until such a report has landed.
 */
final class StatusReporter {

    private record Item(String namespace, String name, String uid, ObjectNode status) {}

    /** A batch the server did not take (5xx, or another unexpected answer); retried after at least {@code wait}. */
    static final class Refused extends IOException {
        final Duration wait;

        Refused(String message, Duration wait) {
            super(message);
            this.wait = wait;
        }
    }

    private final ControlPlaneClient client;
    private final Map<String, Item> sent = new ConcurrentHashMap<>();
    private final Map<String, Item> pending = new LinkedHashMap<>();
    private final Backoff backoff = Backoff.controlPlane();
    /** A full report is queued ({@code resync}) or on its way ({@code resyncInFlight}); guarded by {@code pending}. */
    private boolean resync;
    private boolean resyncInFlight;

    StatusReporter(ControlPlaneClient client) {
        this.client = client;
    }

    /** Queues the status of a pod when it differs from the last one the server accepted. */
    void offer(String namespace, String name, String uid, ObjectNode status) {
        Item last = sent.get(uid);
        if (last != null && last.status().equals(status)) {
            synchronized (pending) {
                pending.remove(uid);
            }
            return;
        }
        synchronized (pending) {
            pending.put(uid, new Item(namespace, name, uid, status));
            pending.notifyAll();
        }
    }

    void forget(String uid) {
        sent.remove(uid);
        synchronized (pending) {
            pending.remove(uid);
        }
    }

    void resyncAll() {
        synchronized (pending) {
            sent.forEach((uid, item) -> pending.putIfAbsent(uid, item));
            sent.clear();
            resync = true;
            pending.notifyAll();
        }
    }

    /** Whether a full report is queued or on its way (the server's next heartbeat answers may still ask for it). */
    boolean resyncUnderway() {
        synchronized (pending) {
            return resync || resyncInFlight;
        }
    }

    /** The reporter thread's loop. */
    void run() {
        while (!Thread.currentThread().isInterrupted()) {
            Map<String, Item> batch;
            boolean full;
            synchronized (pending) {
                try {
                    while (pending.isEmpty() && !resync) {
                        pending.wait(1000);
                    }
                } catch (InterruptedException e) {
                    return;
                }
                batch = new LinkedHashMap<>(pending);
                full = resync;
                resync = false;
                resyncInFlight = full;
            }
            Duration pause = Duration.ofSeconds(1);
            try {
                send(batch, full);
                backoff.reset();
            } catch (IOException | RuntimeException e) {
                synchronized (pending) {
                    resync |= full;
                }
                pause = backoff.nextJittered();
                if (e instanceof Refused refused && refused.wait.compareTo(pause) > 0) {
                    pause = refused.wait;
                }
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                Log.info("status report of %d pod(s) failed (%s): retrying in %s ms", batch.size(),
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), pause.toMillis());
            }
            synchronized (pending) {
                resyncInFlight = false;
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send(Map<String, Item> batch, boolean full) throws IOException {
        ArrayNode statuses = Js.MAPPER.createArrayNode();
        for (Item item : batch.values()) {
            ObjectNode s = statuses.addObject().put("namespace", item.namespace()).put("name", item.name())
                    .put("uid", item.uid());
            s.set("status", item.status());
        }
        ControlPlaneClient.Response r = client.reportStatuses(statuses, full);
        if (r.status() == 403 && batch.size() > 1) {
            // one pod is no longer bound here: the whole batch was refused; find it by reporting one by one
            for (Map.Entry<String, Item> e : batch.entrySet()) {
                send(Map.of(e.getKey(), e.getValue()), full);
            }
            return;
        }
        if (r.status() == 403 || r.status() == 400) {
            Log.info("status report refused (%d): %s", r.status(), r.text());
            batch.keySet().forEach(this::done);
            return;
        }
        if (r.status() != 200) {
            throw new Refused("HTTP " + r.status() + " " + r.text(), r.retryAfterAtLeast(Duration.ZERO));
        }
        JsonNode results = r.json().path("results");
        int applied = 0;
        for (JsonNode result : results) {
            if ("applied".equals(Js.str(result, "result"))) {
                applied++;
            }
        }
        for (Map.Entry<String, Item> e : batch.entrySet()) {
            sent.put(e.getKey(), e.getValue());
            synchronized (pending) {
                if (pending.get(e.getKey()) == e.getValue()) {
                    pending.remove(e.getKey());
                }
            }
        }
        Log.info("reported the status of %d pod(s) (%d applied)", batch.size(), applied);
    }

    private void done(String uid) {
        synchronized (pending) {
            pending.remove(uid);
        }
    }
}
