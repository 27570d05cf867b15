package dev.everynode.node;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import dev.everynode.platform.EverynodeProperties;
import dev.everynode.pod.PodConditions;
import dev.everynode.pod.PodResource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' node lifecycle controller for agent-managed nodes: no heartbeat for the grace period → Ready
 * Unknown, taints {@code node.kubernetes.io/unreachable} NoSchedule and NoExecute, and the node's pods Ready
 * False; a heartbeat undoes it. Terminating pods on a silent node go after their grace period plus a margin.
 * One replica at a time (transaction advisory lock). Nodes whose agent never sent a heartbeat are not
 * monitored: their status is whatever the API was told.
 *
 * <p>Like Kubernetes' controller, which counts the grace period on its own observation clock, a replica marks no
 * node lost until it has itself watched the database for a whole grace period: after its start, after a pass that
 * failed (the database stopped, unreachable, full) and after a stall (the process frozen, a long pause). Heartbeats
 * that could not be written during a database outage do not make the whole fleet unreachable when it returns.
 */
@Component
class NodeLifecycleMonitor {

    static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    private static final Logger log = LoggerFactory.getLogger(NodeLifecycleMonitor.class);

    private final JdbcTemplate jdbc;
    private final ObjectStore store;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Duration grace;
    private final Duration terminationMargin;
    private final Duration stall;
    /** Since when this replica has watched the database without a gap; null = not (yet, or again). */
    private volatile Instant observingSince;
    private volatile Instant lastPassEnd;

    NodeLifecycleMonitor(JdbcTemplate jdbc, ObjectStore store, TransactionTemplate tx, ApplicationEventPublisher events,
                         Clock clock, EverynodeProperties.Nodes settings) {
        this.jdbc = jdbc;
        this.store = store;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
        this.grace = settings.gracePeriod();
        this.terminationMargin = settings.terminationMargin();
        Duration period = settings.monitorPeriod();
        this.stall = period.multipliedBy(5).compareTo(Duration.ofSeconds(10)) > 0 ? period.multipliedBy(5)
                : Duration.ofSeconds(10);
    }

    @Scheduled(fixedDelayString = "#{@nodesProperties.monitorPeriod().toMillis()}")
    void monitor() {
        Instant started = clock.instant();
        if (observingSince == null || lastPassEnd == null || Duration.between(lastPassEnd, started).compareTo(stall) > 0) {
            observingSince = started;
        }
        List<String> changed;
        try {
            changed = pass(started);
        } catch (RuntimeException e) {
            observingSince = null;
            throw e;
        }
        lastPassEnd = clock.instant();
        for (String node : changed) {
            events.publishEvent(new Change.NodeWritten(node, false));
        }
    }

    /** Whether this replica has watched long enough to call a silent node lost (see the class comment). */
    boolean observedForGracePeriod(Instant now) {
        Instant since = observingSince;
        return since != null && Duration.between(since, now).compareTo(grace) >= 0;
    }

    private List<String> pass(Instant started) {
        return tx.execute(status -> {
            Boolean locked = jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(hashtextextended('node-lifecycle', 0))",
                    Boolean.class);
            if (!Boolean.TRUE.equals(locked)) {
                return List.<String>of();
            }
            Instant now = clock.instant();
            if (Duration.between(started, now).compareTo(stall) > 0) {
                // This pass itself waited (the database unreachable without a reset: its bytes held until it came
                // back): the heartbeats of that time could not be written either, so this is a gap in watching too.
                observingSince = now;
            }
            java.sql.Timestamp cutoff = java.sql.Timestamp.from(now.minus(grace));
            // Bounded per tick (a transaction of 10,000 node rewrites would hold its locks for long): a mass
            // outage is marked over a few ticks, the longest-silent nodes first.
            List<String> lost = !observedForGracePeriod(now) ? List.<String>of()
                    : jdbc.queryForList("SELECT node_name FROM node_heartbeats WHERE NOT unreachable "
                    + "AND last_heartbeat < ? ORDER BY last_heartbeat LIMIT 500", String.class, cutoff);
            Instant read = clock.instant();
            if (!lost.isEmpty() && Duration.between(started, read).compareTo(stall) > 0) {
                // The query itself waited that long: the heartbeats of that time may not be written yet.
                observingSince = read;
                lost = List.of();
            }
            List<String> back = jdbc.queryForList("SELECT node_name FROM node_heartbeats WHERE unreachable "
                    + "AND last_heartbeat >= ? LIMIT 500", String.class, cutoff);
            // Lock in name order, as the heartbeat flush does: the two never deadlock. One order over both lists
            // (lost and back sorted apart would lock "b" before "a" when "b" is lost and "a" is back).
            java.util.TreeMap<String, Boolean> reachable = new java.util.TreeMap<>();
            lost.forEach(node -> reachable.put(node, false));
            back.forEach(node -> reachable.put(node, true));
            List<String> touched = new ArrayList<>();
            reachable.forEach((node, isReachable) -> {
                if (setReachable(node, isReachable, now)) {
                    touched.add(node);
                }
            });
            removeAbandonedTerminations(now);
            return touched;
        });
    }

    private boolean setReachable(String name, boolean reachable, Instant now) {
        jdbc.update("UPDATE node_heartbeats SET unreachable = ?, resync_pending = resync_pending OR ? "
                + "WHERE node_name = ?", !reachable, !reachable, name);
        StoredObject node = store.getForUpdate("Node", "", name).orElse(null);
        if (node == null) {
            return false;
        }
        ObjectNode body = node.body().deepCopy();
        if (reachable) {
            ReadyCondition.heard(body, now);
        } else {
            ReadyCondition.silent(body, now);
        }
        setUnreachableTaints(body, !reachable, now);
        store.update(node, node.generation(), node.deletionTimestamp(), body);
        if (!reachable) {
            List<StoredObject> pods = new ArrayList<>();
            // Locked: an unlocked read written back whole would undo a concurrent change (a deletionTimestamp set by
            // the rolling update between the read and the write brought an old pod back to life).
            for (StoredObject pod : store.listOnNodeForUpdate(PodResource.TYPE.kind(), name)) {
                ObjectNode podBody = pod.body().deepCopy();
                if (PodConditions.markNotReady(podBody, "NodeUnreachable", now)) {
                    pods.add(new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(),
                            pod.resourceVersion(), pod.generation(), pod.createdAt(), pod.deletionTimestamp(), podBody));
                }
            }
            store.updateBatch(pods);
            pods.stream().map(p -> new Change.PodsWritten(p.namespace(), PodOwner.of(p.body()))).distinct()
                    .forEach(events::publishEvent);
        }
        log.info("node {} node={}", reachable ? "reachable again" : "unreachable", name);
        return true;
    }

    private static void setUnreachableTaints(ObjectNode node, boolean add, Instant now) {
        ObjectNode spec = Json.child(node, "spec");
        ArrayNode taints = spec.has("taints") && spec.get("taints").isArray()
                ? (ArrayNode) spec.get("taints") : spec.putArray("taints");
        for (int i = taints.size() - 1; i >= 0; i--) {
            if (UNREACHABLE.equals(taints.get(i).path("key").asString(""))) {
                taints.remove(i);
            }
        }
        if (add) {
            taints.addObject().put("key", UNREACHABLE).put("effect", "NoSchedule").put("timeAdded", Json.timestamp(now));
            taints.addObject().put("key", UNREACHABLE).put("effect", "NoExecute").put("timeAdded", Json.timestamp(now));
        }
        if (taints.isEmpty()) {
            spec.remove("taints");
        }
    }

    /** Pods told to stop on a node that went silent: nobody will confirm, so they go after grace + margin. */
    private void removeAbandonedTerminations(Instant now) {
        int removed = jdbc.update("""
                DELETE FROM objects p USING node_heartbeats h
                WHERE p.kind = 'Pod' AND p.node_name = h.node_name AND h.unreachable
                  AND p.deletion_ts IS NOT NULL AND p.deletion_ts < ?""", java.sql.Timestamp.from(now.minus(terminationMargin)));
        if (removed > 0) {
            log.info("removed pods abandoned on silent nodes count={}", removed);
        }
    }
}
