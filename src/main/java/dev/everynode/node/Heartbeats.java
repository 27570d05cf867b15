package dev.everynode.node;

import dev.everynode.apimachinery.endpoint.ResourceService;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.store.DatabaseGate;
import dev.everynode.change.Change;
import dev.everynode.platform.EverynodeProperties;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Node heartbeats, coalesced: a heartbeat is a map put; once a second all of them go to PostgreSQL in one
 * batch. Node existence and readiness are cached, so a heartbeat of a known node never touches the database:
 * a node that changed (its Ready set by the lifecycle monitor, a label edit) or whose cache entry is old is
 * checked again at the next flush, all of them in one query. Only the first heartbeat of a node this replica does
 * not know reads the database on the request thread, through the {@link DatabaseGate} (it must answer 404 to a
 * node that does not exist). Before, any Node change dropped the cache entry, so a wave of changes (the lifecycle
 * monitor marking nodes unreachable) sent every such node's next heartbeat to the pool on its own request
 * thread: up to a thousand at once with 1,000 nodes, the pool ran dry, the flush itself waited, and nodes looked
 * silent, which changed them again. A heartbeat of a node that is not Ready (created through the API, or whose Ready someone
 * changed) makes it Ready at that flush; a Ready node's heartbeats write only the heartbeat row. Nodes that
 * went silent are the node lifecycle monitor's: it turns them Ready again when their heartbeats resume.
 */
@Component
public class Heartbeats {

    /** How long a node is believed to exist without asking again (a local delete forgets it at once). */
    private static final Duration KNOWN_TTL = Duration.ofMinutes(5);

    private final JdbcTemplate jdbc;
    private final ResourceService resources;
    private final NodeStrategy nodes;
    private final Clock clock;
    private final Duration interval;
    private final Duration grace;
    private volatile Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final Map<String, Instant> known = new ConcurrentHashMap<>();
    /** Nodes heard from whose Ready condition was not True when last read: made Ready at the next flush. */
    private final Set<String> unready = ConcurrentHashMap.newKeySet();
    private volatile Set<String> resync = ConcurrentHashMap.newKeySet();
    /** Known nodes to read again (changed, or an old cache entry), at the flush after their next heartbeat. */
    private final Set<String> recheck = ConcurrentHashMap.newKeySet();
    private final DatabaseGate gate;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    Heartbeats(JdbcTemplate jdbc, org.springframework.transaction.support.TransactionTemplate tx,
               ResourceService resources, NodeStrategy nodes, Clock clock, DatabaseGate gate,
               EverynodeProperties.Nodes settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.gate = gate;
        this.resources = resources;
        this.nodes = nodes;
        this.clock = clock;
        this.interval = settings.heartbeatIntervalWithinGrace();
        this.grace = settings.gracePeriod();
    }

    /**
     * What a heartbeat answers. {@code wasUnreachable}: the node was marked unreachable (and its pods NotReady),
     * is back, and its agent has not yet reported all its pods again since: it must. Told on every heartbeat until a
     * report marked {@code "resync": true} commits ({@link #resynced}), not once: a heartbeat answer can be lost
     * (an agent whose request timed out while the network held it never reads the answer the server sent).
     */
    public record Ack(boolean known, boolean wasUnreachable, long intervalSeconds, long graceSeconds) {}

    public Ack beat(String node) {
        if (!exists(node)) {
            return new Ack(false, false, interval.toSeconds(), grace.toSeconds());
        }
        pending.put(node, clock.instant());
        boolean tell = resync.contains(node);
        return new Ack(true, tell, interval.toSeconds(), grace.toSeconds());
    }

    /**
     * Registration counts as a heartbeat and is written at once, so the node is monitored from then on (the
     * registration itself made it Ready).
     */
    public void registered(String node) {
        jdbc.update("INSERT INTO node_heartbeats (node_name, last_heartbeat) VALUES (?, ?) "
                + "ON CONFLICT (node_name) DO UPDATE SET last_heartbeat = EXCLUDED.last_heartbeat",
                node, Timestamp.from(clock.instant()));
        // Known once the registration's transaction has committed (a rolled-back one created no node).
        Runnable remember = () -> {
            known.put(node, clock.instant());
            unready.remove(node);
        };
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                    new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            remember.run();
                        }
                    });
        } else {
            remember.run();
        }
    }

    @Scheduled(fixedDelay = 1000)
    void flush() {
        Map<String, Instant> batch = pending;
        pending = new ConcurrentHashMap<>();
        if (!batch.isEmpty()) {
            // In name order, as the node lifecycle monitor locks them: two writers never deadlock.
            List<Object[]> args = new ArrayList<>(batch.size());
            new java.util.TreeMap<>(batch).forEach((node, at) -> args.add(new Object[] {node, Timestamp.from(at)}));
            try {
                jdbc.batchUpdate("INSERT INTO node_heartbeats (node_name, last_heartbeat) VALUES (?, ?) "
                        + "ON CONFLICT (node_name) DO UPDATE SET last_heartbeat = GREATEST(node_heartbeats.last_heartbeat, "
                        + "EXCLUDED.last_heartbeat)", args);
            } catch (RuntimeException e) {
                // Never lose heartbeats (a lost batch makes healthy nodes look silent): try again next second.
                batch.forEach((node, at) -> pending.merge(node, at, (a, b) -> a.isAfter(b) ? a : b));
                throw e;
            }
        }
        recheck(batch.keySet());
        if (!unready.isEmpty()) {
            List<String> heard = List.copyOf(unready);
            unready.removeAll(heard);
            markReady(heard);
        }
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        // Asked once the node is back (marked reachable again), not before: a report that commits while the node is
        // still unreachable does not count, and asking then would only send the same pods twice.
        fresh.addAll(jdbc.queryForList("SELECT node_name FROM node_heartbeats WHERE resync_pending AND NOT unreachable",
                String.class));
        resync = fresh;
    }

    /**
     * The agents of {@code nodes} reported all their pods again (a committed pod status report marked
     * {@code "resync"}): their heartbeats stop asking for it. Not while a node is still unreachable (the report may
     * have come before the node was marked back; its next heartbeats ask again). One transaction, rows in name
     * order as every writer of heartbeat rows locks them. Another replica stops asking at its next flush, when it
     * reads the flags again.
     */
    public void resynced(java.util.Collection<String> nodes) {
        List<Object[]> args = nodes.stream().distinct().sorted().map(n -> new Object[] {n}).toList();
        if (args.isEmpty()) {
            return;
        }
        tx.executeWithoutResult(status -> jdbc.batchUpdate("UPDATE node_heartbeats SET resync_pending = false "
                + "WHERE node_name = ? AND resync_pending AND NOT unreachable", args));
        nodes.forEach(resync::remove);
    }

    /**
     * Reads existence and readiness again, in one query, for the nodes of {@code heard} that are due (changed, or
     * an old cache entry): gone ones are forgotten (their next heartbeat reads the database and answers 404),
     * not-Ready ones are made Ready by this flush. Only nodes just heard from: a node created through the API is made
     * Ready by its agent's heartbeats, not by a change.
     */
    private void recheck(Set<String> heard) {
        if (recheck.isEmpty() || heard.isEmpty()) {
            return;
        }
        List<String> due = new ArrayList<>();
        for (String node : heard) {
            if (recheck.remove(node)) {
                due.add(node);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        Map<String, Boolean> ready = new java.util.HashMap<>();
        try {
            jdbc.query(con -> {
                var ps = con.prepareStatement("SELECT name, " + ReadyCondition.IS_TRUE_SQL + " FROM objects "
                        + "WHERE kind = 'Node' AND namespace = '' AND name = ANY(?)");
                ps.setArray(1, con.createArrayOf("text", due.toArray()));
                return ps;
            }, rs -> {
                ready.put(rs.getString(1), rs.getBoolean(2));
            });
        } catch (RuntimeException e) {
            recheck.addAll(due);
            throw e;
        }
        Instant now = clock.instant();
        for (String node : due) {
            Boolean r = ready.get(node);
            if (r == null) {
                known.remove(node);
                continue;
            }
            known.put(node, now);
            if (!r) {
                unready.add(node);
            }
        }
    }

    /**
     * Ready=True for nodes just heard from whose condition was not, unless the node lifecycle monitor has them
     * as unreachable (it turns them back itself, taints and pods included). Runs only on such a transition.
     */
    private void markReady(List<String> heard) {
        List<String> reachable = jdbc.query(con -> {
            var ps = con.prepareStatement(
                    "SELECT node_name FROM node_heartbeats WHERE node_name = ANY(?) AND NOT unreachable ORDER BY node_name");
            ps.setArray(1, con.createArrayOf("text", heard.toArray()));
            return ps;
        }, (rs, i) -> rs.getString(1));
        for (String node : reachable) {
            try {
                resources.write(nodes, null, node, false, current -> {
                    if (!ReadyCondition.isTrue(current)) {
                        ReadyCondition.heard(current, clock.instant());
                    }
                    return current;
                }, true);
            } catch (ApiException gone) {
                known.remove(node);
            }
        }
    }

    /** As the writer publishes, inside its transaction where it has one: a deleted node's heartbeat row goes with it. */
    @EventListener
    void onNodeChange(Change.Written change) {
        HeartbeatRule.of(change).ifPresent(step -> {
            if (step instanceof HeartbeatRule.Forget forget) {
                known.remove(forget.node());
                recheck.remove(forget.node());
                jdbc.update("DELETE FROM node_heartbeats WHERE node_name = ?", forget.node());
            } else if (step instanceof HeartbeatRule.Recheck again) {
                recheck.add(again.node());
            }
        });
    }

    private boolean exists(String node) {
        Instant seen = known.get(node);
        if (seen != null) {
            if (!seen.plus(KNOWN_TTL).isAfter(clock.instant())) {
                recheck.add(node);
            }
            return true;
        }
        // The same one-row read as an existence check, also saying whether the node is Ready.
        List<Boolean> ready = gate.call(() -> jdbc.queryForList("SELECT " + ReadyCondition.IS_TRUE_SQL + " FROM objects "
                + "WHERE kind = 'Node' AND namespace = '' AND name = ?", Boolean.class, node));
        if (ready.isEmpty()) {
            known.remove(node);
            return false;
        }
        known.put(node, clock.instant());
        if (!ready.get(0)) {
            unready.add(node);
        }
        return true;
    }
}
