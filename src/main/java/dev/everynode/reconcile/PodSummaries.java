package dev.everynode.reconcile;

import dev.everynode.apimachinery.Json;
import dev.everynode.reconcile.plan.Model;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the planner needs of a DaemonSet's pods, extracted by PostgreSQL from the jsonb (labels, phase, the Ready
 * condition) instead of parsing every pod document in Java: a pass over 10,000 pods reads a few columns each.
 * Full documents are read only for the few pods a pass rewrites (adoption, release).
 */
@Component
class PodSummaries {

    /** One pod as the reconciler sees it. */
    record Summary(UUID uid, UUID ownerUid, Map<String, String> labels, Model.PodView view) {}

    /** The columns a summary needs, extracted by PostgreSQL from the jsonb. */
    private static final String SUMMARY = """
            SELECT uid, owner_uid, name, node_name, revision_hash, created_at, deletion_ts,
                   body->'metadata'->'labels' AS labels,
                   body->'status'->>'phase' AS phase,
                   (SELECT c FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body->'status'->'conditions') = 'array'
                           THEN body->'status'->'conditions' ELSE '[]'::jsonb END) c
                    WHERE c->>'type' = 'Ready' LIMIT 1) AS ready
            FROM objects
            """;

    private final JdbcTemplate jdbc;

    PodSummaries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The pods of a namespace that this DaemonSet owns, and the orphans it might adopt. */
    List<Summary> forClaim(String namespace, UUID dsUid) {
        return jdbc.query(SUMMARY + "WHERE kind = 'Pod' AND owner_uid = ? UNION ALL "
                + SUMMARY + "WHERE kind = 'Pod' AND namespace = ? AND owner_uid IS NULL ORDER BY name", (rs, i) -> {
            Map<String, String> labels = rs.getString("labels") == null ? Map.of()
                    : Json.stringMap(Json.MAPPER.readTree(rs.getString("labels")));
            boolean ready = false;
            Instant readySince = null;
            Instant created = rs.getTimestamp("created_at").toInstant();
            String readyJson = rs.getString("ready");
            if (readyJson != null) {
                var condition = Json.MAPPER.readTree(readyJson);
                ready = "True".equals(condition.path("status").asString(""));
                if (ready) {
                    String since = condition.path("lastTransitionTime").asString(null);
                    readySince = since == null ? created : Json.parseTime(since);
                }
            }
            Model.Phase phase;
            try {
                phase = Model.Phase.valueOf(rs.getString("phase") == null ? "Pending" : rs.getString("phase"));
            } catch (IllegalArgumentException e) {
                phase = Model.Phase.Unknown;
            }
            Timestamp deletion = rs.getTimestamp("deletion_ts");
            Model.PodView view = new Model.PodView(rs.getString("name"),
                    rs.getString("node_name") == null ? "" : rs.getString("node_name"), rs.getString("revision_hash"),
                    labels.get("pod-template-generation"), phase, ready, readySince, created, deletion != null);
            return new Summary(rs.getObject("uid", UUID.class), rs.getObject("owner_uid", UUID.class), labels, view);
        }, dsUid, namespace);
    }
}
