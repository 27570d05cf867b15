package dev.everynode.agent;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.change.Change;
import dev.everynode.pod.PodRepository;
import dev.everynode.pod.Termination;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What each node must run, with an ETag, and the agents' long-polls. The ETag of a node is cached in memory
 * and dropped when PostgreSQL says one of its pods changed (LISTEN/NOTIFY, every replica), so a 304 is answered
 * from memory. A parked poll is a servlet AsyncContext: no thread is held while it waits. A change
 * wakes only the waiters of the nodes it concerns.
 */
@Component
class Assignments {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Assignments.class);

    /**
     * A node's assignments as sent, and its ETag; {@code lastWrite} is the newest creation among its live pods
     * (null for none): when the change a wake-up answer carries was written, if it is a new pod.
     */
    record Snapshot(String etag, ObjectNode body, Instant lastWrite) {}

    private record Cached(String etag, Instant at) {}

    /**
     * A parked poll: the ETag it holds, its request, answered once (a wake-up, the timeout or shutdown), and when
     * it parked (a pod created before that is not a delivery this poll measures).
     */
    private record Waiter(String etag, AsyncAnswer parked, Instant since) {

        /** Writes this answer unless another was written first; true if this call wrote it. */
        boolean answer(int status, String etag, byte[] body) {
            return parked.answer(response -> write(response, status, etag, body));
        }
    }

    /**
     * ETags are dropped by change notifications (and all of them when the notification channel was lost); the
     * expiry is only a backstop, and must be far longer than a poll's wait or every re-poll would hit the database.
     */
    private static final Duration CACHE_TTL = Duration.ofMinutes(10);
    private static final int WAKE_BATCH = 500;

    private final PodRepository pods;
    private final Clock clock;
    private final Map<String, Cached> etags = new ConcurrentHashMap<>();
    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    /** The newest pod creation each node was last answered with (for the delivery latency). */
    private final Map<String, Instant> delivered = new ConcurrentHashMap<>();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Bumped by every change notice of a node. */
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private final ExecutorService checks = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "assignment-wakeups");
        t.setDaemon(true);
        return t;
    });

    /** Changed assignments written to parked polls (everynode.agent.wakeups): when a change reached the agents. */
    private final io.micrometer.core.instrument.Counter wakeups;
    /** From a pod's creation to the parked poll of its node answered with it (a termination's write time is not kept). */
    private final io.micrometer.core.instrument.Timer delivery;

    private final dev.everynode.apimachinery.store.DatabaseGate gate;

    Assignments(PodRepository pods, Clock clock, io.micrometer.core.instrument.MeterRegistry meters,
                dev.everynode.apimachinery.store.DatabaseGate gate) {
        this.pods = pods;
        this.gate = gate;
        this.clock = clock;
        this.wakeups = io.micrometer.core.instrument.Counter.builder("everynode.agent.wakeups")
                .description("Parked long-polls answered with changed assignments").register(meters);
        this.delivery = io.micrometer.core.instrument.Timer.builder("everynode.assignment.delivery")
                .description("From a pod created for a node to the node's parked long-poll answered with it")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60)).register(meters);
        io.micrometer.core.instrument.Gauge.builder("everynode.agent.parked.polls", waiters,
                        w -> w.values().stream().mapToInt(Set::size).sum())
                .description("Long-polls of node agents parked on this replica").register(meters);
    }

    /**
     * Answers a poll: at once from memory or the database when it does not wait, or when the agent's ETag is
     * already stale; otherwise parks it (request.startAsync) until a change of its node or the timeout.
     */
    void poll(String node, String ifNoneMatch, int waitSeconds, HttpServletRequest request,
              HttpServletResponse response) throws IOException {
        String current = cachedEtag(node);
        if (waitSeconds <= 0) {
            if (current != null && current.equals(ifNoneMatch)) {
                write(response, HttpServletResponse.SC_NOT_MODIFIED, current, null);
            } else {
                Snapshot snapshot = gate.call(() -> load(node));
                if (snapshot.etag().equals(ifNoneMatch)) {
                    write(response, HttpServletResponse.SC_NOT_MODIFIED, snapshot.etag(), null);
                } else {
                    write(response, HttpServletResponse.SC_OK, snapshot.etag(), body(snapshot));
                    if (snapshot.lastWrite() != null) {
                        delivered.put(node, snapshot.lastWrite());
                    }
                }
            }
            return;
        }
        long jitterMs = ThreadLocalRandom.current().nextLong(waitSeconds * 1000L / 16 + 1);
        // Park first, then look: a poll whose answer is not known from memory (its first, or one after a change) is
        // answered by the batched drain, so 10,000 agents polling at once cost a few dozen queries, not 10,000.
        String parkedEtag = ifNoneMatch == null ? "" : ifNoneMatch;
        AsyncAnswer parked = AsyncAnswer.start(request, response, waitSeconds * 1000L + jitterMs,
                r -> write(r, HttpServletResponse.SC_NOT_MODIFIED, parkedEtag, null), a -> remove(node, a));
        Waiter waiter = new Waiter(parkedEtag, parked, clock.instant());
        waiters.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).add(waiter);
        // Read the cache again after parking: a change that dropped the ETag in between found no waiter to wake.
        current = cachedEtag(node);
        if (current == null || !current.equals(parkedEtag)) {
            look(node);
        }
    }

    /** Have the drain read this node's assignments and answer its waiters whose ETag differs. */
    private void look(String node) {
        if (dirty.add(node) && draining.compareAndSet(false, true)) {
            checks.submit(this::drain);
        }
    }

    /**
     * A hint that the pods of a node changed: drop its ETag; if anyone waits, look and answer them. Wake-ups are
     * collected and drained in groups, so that a rollout touching 10,000 nodes costs a few dozen queries, not
     * 10,000.
     */
    private void changed(String node) {
        versions.merge(node, 1L, Long::sum);
        etags.remove(node);
        if (waiters.containsKey(node)) {
            look(node);
        }
    }

    private void drain() {
        long start = System.nanoTime();
        int checked = 0;
        try {
            while (!dirty.isEmpty()) {
                List<String> batch = new ArrayList<>(WAKE_BATCH);
                var it = dirty.iterator();
                while (it.hasNext() && batch.size() < WAKE_BATCH) {
                    batch.add(it.next());
                    it.remove();
                }
                Map<String, Snapshot> snapshots;
                try {
                    snapshots = loadAll(batch);
                } catch (RuntimeException e) {
                    // The database is gone for now: keep the nodes dirty and try again shortly, so that their parked
                    // polls are answered once it is back, not only at their own timeout.
                    dirty.addAll(batch);
                    log.warn("reading the assignments of {} changed nodes failed, retrying in 1 s: {}", batch.size(),
                            e.toString());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    continue;
                }
                for (String node : batch) {
                    wake(node, snapshots.get(node));
                }
                checked += batch.size();
            }
        } finally {
            if (checked >= 1000) {
                log.info("woke the long-polls of {} changed nodes in {} ms", checked,
                        (System.nanoTime() - start) / 1_000_000);
            }
            draining.set(false);
            if (!dirty.isEmpty() && !checks.isShutdown() && draining.compareAndSet(false, true)) {
                checks.submit(this::drain);
            }
        }
    }

    /**
     * Before the reconcile queue's subscriber: after a reconnect its pass over every DaemonSet may fail on the pool
     * (and end in another reconnect), and the long-polls must be woken all the same.
     */
    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void onNotice(Change.Noticed change) {
        WakeRule.of(change).ifPresent(wake -> {
            if (wake instanceof WakeRule.Nodes nodes) {
                nodes.nodes().forEach(this::changed);
            } else if (wake instanceof WakeRule.EveryNode) {
                changedAll();
            }
        });
    }

    /** After a lost notification channel: every cached ETag may be stale. */
    private void changedAll() {
        versions.replaceAll((node, v) -> v + 1);
        etags.clear();
        waiters.keySet().forEach(this::changed);
    }


    private void wake(String node, Snapshot snapshot) {
        Set<Waiter> set = waiters.get(node);
        if (set == null || set.isEmpty()) {
            return;
        }
        byte[] body = null;
        for (Waiter w : set) {
            if (!w.etag().equals(snapshot.etag())) {
                if (body == null) {
                    body = body(snapshot);
                }
                if (w.answer(HttpServletResponse.SC_OK, snapshot.etag(), body)) {
                    wakeups.increment();
                    recordDelivery(node, snapshot, w.since());
                }
            }
        }
    }

    /**
     * A wake-up that carries a pod newer than the last one this node was answered with is a delivery: record the
     * time since that pod's creation. Without an earlier answer (a restart), only a pod created while (or just
     * before) the poll parked counts: an older one was there for an earlier poll to take.
     */
    private void recordDelivery(String node, Snapshot snapshot, Instant parkedAt) {
        Instant created = snapshot.lastWrite();
        if (created == null) {
            return;
        }
        Instant previous = delivered.put(node, created);
        if (previous == null ? created.isAfter(parkedAt.minusSeconds(5)) : created.isAfter(previous)) {
            Duration since = Duration.between(created, clock.instant());
            delivery.record(since.isNegative() ? Duration.ZERO : since);
        }
    }

    private String cachedEtag(String node) {
        Cached c = etags.get(node);
        return c != null && c.at().plus(CACHE_TTL).isAfter(clock.instant()) ? c.etag() : null;
    }

    /** Reads the node's pods and computes its ETag (over what an agent acts on: uid, spec, deletion). */
    Snapshot load(String node) {
        return loadAll(List.of(node)).get(node);
    }

    /** The same for many nodes with one query. */
    Map<String, Snapshot> loadAll(List<String> nodes) {
        // A change that lands while we read must not leave the older answer cached (the change's invalidation
        // came first): cache only what no change notice overtook.
        Map<String, Long> seen = new HashMap<>();
        nodes.forEach(n -> seen.put(n, versions.getOrDefault(n, 0L)));
        Map<String, Builder> builders = new HashMap<>();
        nodes.forEach(n -> builders.put(n, new Builder(n)));
        pods.forEachOnNodes(nodes, p -> builders.get(p.node()).add(p.uid(), p.deletion(), p.json(), p.specDigest(),
                p.created()));
        Map<String, Snapshot> out = new HashMap<>();
        Instant now = clock.instant();
        builders.forEach((node, b) -> {
            Snapshot snapshot = b.build();
            if (versions.getOrDefault(node, 0L).equals(seen.get(node))) {
                etags.put(node, new Cached(snapshot.etag(), now));
            }
            out.put(node, snapshot);
        });
        return out;
    }

    /** Collects one node's pods, in uid order, into its answer and ETag. */
    private static final class Builder {
        private final ObjectNode body = Json.object();
        private final ArrayNode pods = Json.MAPPER.createArrayNode();
        private final ArrayNode terminating = Json.MAPPER.createArrayNode();
        private final MessageDigest digest = sha256();
        private Instant lastWrite;

        Builder(String node) {
            body.put("node", node);
        }

        /** {@code specDigest}: PostgreSQL's md5 of the pod's spec, so the ETag ignores status-only changes. */
        void add(String uid, Instant deletion, String podJson, String specDigest, Instant created) {
            if (deletion == null && (lastWrite == null || created.isAfter(lastWrite))) {
                lastWrite = created;
            }
            digest.update((uid + "|" + (deletion == null ? "" : deletion) + "|" + specDigest + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            if (deletion == null) {
                pods.addRawValue(new tools.jackson.databind.util.RawValue(podJson));
                return;
            }
            ObjectNode pod = Json.parseObject(podJson);
            ObjectNode t = terminating.addObject();
            t.put("namespace", Json.text(pod, "metadata", "namespace"));
            t.put("name", Json.text(pod, "metadata", "name"));
            t.put("uid", uid);
            t.put("deletionTimestamp", Json.timestamp(deletion));
            t.put("gracePeriodSeconds", Termination.givenGracePeriodSeconds(pod));
        }

        Snapshot build() {
            String etag = "\"" + HexFormat.of().formatHex(digest.digest(), 0, 12) + "\"";
            body.put("etag", etag);
            body.set("pods", pods);
            body.set("terminating", terminating);
            return new Snapshot(etag, body, lastWrite);
        }
    }

    private static byte[] body(Snapshot snapshot) {
        return Json.MAPPER.writeValueAsBytes(snapshot.body());
    }

    /** 200 with the assignments, or 304; both carry the ETag (none for a node without any answer yet). */
    private static void write(HttpServletResponse response, int status, String etag, byte[] body) throws IOException {
        response.setStatus(status);
        if (etag != null && !etag.isEmpty()) {
            response.setHeader(HttpHeaders.ETAG, etag);
        }
        if (body == null) {
            return;
        }
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private void remove(String node, AsyncAnswer parked) {
        waiters.computeIfPresent(node, (n, set) -> {
            set.removeIf(w -> w.parked() == parked);
            return set.isEmpty() ? null : set;
        });
    }

    /** Before the web server's graceful shutdown waits: answer every parked poll "no change, come back". */
    @EventListener(ContextClosedEvent.class)
    void answerAllOnShutdown() {
        waiters.values().forEach(set -> set.forEach(w -> w.answer(HttpServletResponse.SC_NOT_MODIFIED, w.etag(), null)));
        waiters.clear();
    }

    @PreDestroy
    void stop() {
        checks.shutdownNow();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
