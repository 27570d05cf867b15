package dev.everynode.reconcile;

import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.reconcile.plan.Model;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The planner's view of all nodes, kept up to date incrementally. Every pass of every DaemonSet needs all
 * nodes; parsing 10,000 node documents per pass would dominate a rollout, while nodes change rarely (heartbeats
 * do not touch node objects). Each pass checks one indexed aggregate (count, highest and sum of the nodes'
 * resourceVersions: any create, update or delete changes it, whatever order transactions commit in); when it
 * moved, the (name, resourceVersion) pairs are compared with the cached ones and only the nodes that changed are
 * read and parsed again.
 */
@Component
class NodeCache {

    private record Version(long count, long maxResourceVersion, long sumResourceVersion) {}

    private record Cached(long resourceVersion, Model.NodeView view) {}

    private record Entry(Version version, Map<String, Cached> byName, List<Model.NodeView> nodes, Set<String> names) {}

    /** All nodes sorted by name, and their names. */
    record Nodes(List<Model.NodeView> list, Set<String> names) {}

    private final JdbcTemplate jdbc;
    private final ObjectStore store;
    private volatile Entry entry;

    private final java.util.concurrent.atomic.AtomicBoolean refreshPending = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ScheduledExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "node-cache-refresh");
                t.setDaemon(true);
                return t;
            });

    NodeCache(JdbcTemplate jdbc, ObjectStore store) {
        this.jdbc = jdbc;
        this.store = store;
    }

    /**
     * Nodes changed: bring the cache up to date soon, off the reconcile path (at most a few times a second), so that
     * a pass right after 10,000 registrations does not parse them all.
     */
    void refreshSoon() {
        if (refreshPending.compareAndSet(false, true)) {
            refresher.schedule(() -> {
                refreshPending.set(false);
                try {
                    nodes();
                } catch (RuntimeException e) {
                    // the next pass reads them itself
                }
            }, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        refresher.shutdownNow();
    }

    List<Model.NodeView> nodes() {
        return snapshot().list();
    }

    Nodes snapshot() {
        Version now = jdbc.queryForObject("SELECT count(*), COALESCE(max(resource_version), 0), "
                + "COALESCE(sum(resource_version), 0) FROM objects WHERE kind = 'Node'",
                (rs, i) -> new Version(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
        Entry current = entry;
        if (current != null && current.version().equals(now)) {
            return new Nodes(current.nodes(), current.names());
        }
        Map<String, Cached> before = current == null ? Map.of() : current.byName();
        Map<String, Cached> byName = new HashMap<>();
        List<UUID> stale = new ArrayList<>();
        jdbc.query("SELECT name, resource_version, uid FROM objects WHERE kind = 'Node'", rs -> {
            Cached c = before.get(rs.getString(1));
            if (c != null && c.resourceVersion() == rs.getLong(2)) {
                byName.put(rs.getString(1), c);
            } else {
                stale.add(rs.getObject(3, UUID.class));
            }
        });
        for (StoredObject node : store.getByUids(stale)) {
            byName.put(node.name(), new Cached(node.resourceVersion(), SnapshotReader.node(node)));
        }
        List<Model.NodeView> nodes = byName.values().stream().map(Cached::view)
                .sorted(java.util.Comparator.comparing(Model.NodeView::name)).toList();
        Set<String> names = Set.copyOf(byName.keySet());
        entry = new Entry(now, byName, nodes, names);
        return new Nodes(nodes, names);
    }
}
