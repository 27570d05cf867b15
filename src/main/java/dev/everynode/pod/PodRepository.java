package dev.everynode.pod;

import dev.everynode.apimachinery.json.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The pod-specific statements on the {@code objects} rows of pods: the reconciler's summary reads, the agents'
 * assignments and the bulk removals (a node deleted, the garbage collector). The generic reads and writes of any object stay in
 * ObjectStore; the graceful deletion of pods is {@link Termination}'s.
 */
@Repository
public class PodRepository {

    /**
     * A pod as PostgreSQL extracts it from its row, without parsing the document in Java: the indexed columns,
     * the labels, the phase as written and the readiness of its Ready condition.
     */
    public record Summary(UUID uid, long resourceVersion, UUID ownerUid, String name, String nodeName,
                          String revisionHash, Map<String, String> labels, String phase,
                          PodConditions.Readiness readiness, Instant created, boolean terminating) {}

    private static final String SUMMARY = """
            SELECT uid, resource_version, owner_uid, name, node_name, revision_hash, created_at, deletion_ts,
                   body->'metadata'->'labels' AS labels,
                   body->'status'->>'phase' AS phase,
                   (SELECT c FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body->'status'->'conditions') = 'array'
                           THEN body->'status'->'conditions' ELSE '[]'::jsonb END) c
                    WHERE c->>'type' = 'Ready' LIMIT 1) AS ready
            FROM objects
            WHERE uid = ANY(?)""";

    /**
     * A pod bound to a node, as its agent's assignments need it: {@code deletion} is its deletionTimestamp (null
     * when live), {@code json} its document, {@code specDigest} PostgreSQL's md5 of its spec.
     */
    public record Assigned(String node, String uid, Instant deletion, String json, String specDigest,
                           Instant created) {}

    private final JdbcTemplate jdbc;

    PodRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** uid → resourceVersion of the pods {@code ownerUid} owns and of the orphans of its namespace (it may adopt them). */
    public Map<UUID, Long> versionsForClaim(String namespace, UUID ownerUid) {
        Map<UUID, Long> versions = new HashMap<>();
        jdbc.query("SELECT uid, resource_version FROM objects WHERE kind = 'Pod' AND owner_uid = ? UNION ALL "
                + "SELECT uid, resource_version FROM objects WHERE kind = 'Pod' AND namespace = ? AND owner_uid IS NULL",
                rs -> {
                    versions.put(rs.getObject(1, UUID.class), rs.getLong(2));
                }, ownerUid, namespace);
        return versions;
    }

    /** The summaries of these pods (those still there). */
    public List<Summary> summaries(List<UUID> uids) {
        return jdbc.query(con -> {
            var ps = con.prepareStatement(SUMMARY);
            ps.setArray(1, con.createArrayOf("uuid", uids.toArray()));
            return ps;
        }, (rs, i) -> {
            Map<String, String> labels = rs.getString("labels") == null ? Map.of()
                    : Json.stringMap(Json.MAPPER.readTree(rs.getString("labels")));
            Instant created = rs.getTimestamp("created_at").toInstant();
            String ready = rs.getString("ready");
            return new Summary(rs.getObject("uid", UUID.class), rs.getLong("resource_version"),
                    rs.getObject("owner_uid", UUID.class), rs.getString("name"), rs.getString("node_name"),
                    rs.getString("revision_hash"), labels, rs.getString("phase"),
                    PodConditions.readinessOf(ready == null ? null : Json.MAPPER.readTree(ready), created), created,
                    rs.getTimestamp("deletion_ts") != null);
        });
    }

    /** The pods bound to these nodes, node by node (in uid order within a node), to {@code each}. */
    public void forEachOnNodes(List<String> nodes, Consumer<Assigned> each) {
        jdbc.query(con -> {
            var ps = con.prepareStatement("SELECT node_name, uid, deletion_ts, body::text, md5((body->'spec')::text), "
                    + "created_at "
                    + "FROM objects WHERE kind = 'Pod' AND node_name = ANY(?) ORDER BY node_name, uid");
            ps.setArray(1, con.createArrayOf("text", nodes.toArray()));
            return ps;
        }, rs -> {
            Timestamp deletion = rs.getTimestamp(3);
            each.accept(new Assigned(rs.getString(1), rs.getString(2), deletion == null ? null : deletion.toInstant(),
                    rs.getString(4), rs.getString(5), rs.getTimestamp(6).toInstant()));
        });
    }

    /** Removes the pods bound to a node that is being deleted. */
    public void deleteOnNode(String node) {
        jdbc.update("DELETE FROM objects WHERE kind = 'Pod' AND node_name = ?", node);
    }

    /**
     * Removes the pods nobody will confirm (Kubernetes' pod garbage collector): those bound to a node that no
     * longer exists, and the finished ones whose owner is gone. Returns how many.
     */
    public int deleteStranded() {
        return jdbc.update("""
                DELETE FROM objects p WHERE p.kind = 'Pod' AND (
                    (p.node_name IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM objects n WHERE n.kind = 'Node' AND n.namespace = '' AND n.name = p.node_name))
                 OR (p.owner_uid IS NOT NULL AND p.body->'status'->>'phase' IN ('Succeeded', 'Failed')
                     AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.uid = p.owner_uid)))""");
    }
}
