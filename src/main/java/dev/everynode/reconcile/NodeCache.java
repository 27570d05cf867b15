package dev.everynode.reconcile;

import dev.everynode.apimachinery.ObjectStore;
import dev.everynode.reconcile.plan.Model;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The planner's view of all nodes, rebuilt only when a node changed. Every pass of every DaemonSet needs all
 * nodes; parsing 10,000 node documents per pass would dominate a rollout, while nodes change rarely
 * (heartbeats do not touch node objects). The check is one indexed aggregate: any create, update or delete of
 * a node changes the count or the highest resourceVersion.
 */
@Component
class NodeCache {

    private record Version(long count, long maxResourceVersion) {}

    private record Entry(Version version, List<Model.NodeView> nodes) {}

    private final JdbcTemplate jdbc;
    private final ObjectStore store;
    private volatile Entry entry;

    NodeCache(JdbcTemplate jdbc, ObjectStore store) {
        this.jdbc = jdbc;
        this.store = store;
    }

    List<Model.NodeView> nodes() {
        Version now = jdbc.queryForObject("SELECT count(*), COALESCE(max(resource_version), 0) FROM objects "
                + "WHERE kind = 'Node'", (rs, i) -> new Version(rs.getLong(1), rs.getLong(2)));
        Entry current = entry;
        if (current != null && current.version().equals(now)) {
            return current.nodes();
        }
        List<Model.NodeView> nodes = store.list("Node", null).stream().map(SnapshotReader::node).toList();
        entry = new Entry(now, nodes);
        return nodes;
    }
}
