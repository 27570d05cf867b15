package dev.everynode.reconcile;

import dev.everynode.reconcile.plan.Model;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Failed-pod backoff per DaemonSet and node, in PostgreSQL so every replica sees the same delays. */
@Component
class BackoffStore {

    private final JdbcTemplate jdbc;

    BackoffStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Map<String, Model.Backoff> load(UUID dsUid) {
        Map<String, Model.Backoff> map = new HashMap<>();
        jdbc.query("SELECT node_name, generation, last_update, delay_ms FROM pod_backoff WHERE ds_uid = ?",
                rs -> {
                    map.put(rs.getString(1), new Model.Backoff(rs.getLong(2), rs.getTimestamp(3).toInstant(),
                            Duration.ofMillis(rs.getLong(4))));
                }, dsUid);
        return map;
    }

    /** Replaces the stored backoff with {@code backoff}, unless it equals {@code loaded} (what the pass read). */
    void save(UUID dsUid, Map<String, Model.Backoff> loaded, Map<String, Model.Backoff> backoff) {
        if (loaded.equals(backoff)) {
            return;
        }
        jdbc.update("DELETE FROM pod_backoff WHERE ds_uid = ?", dsUid);
        List<Object[]> args = new ArrayList<>();
        backoff.forEach((node, b) -> args.add(new Object[] {dsUid, node, b.generation(),
                Timestamp.from(b.lastUpdate()), b.delay().toMillis()}));
        if (!args.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO pod_backoff (ds_uid, node_name, generation, last_update, delay_ms) "
                    + "VALUES (?, ?, ?, ?, ?)", args);
        }
    }
}
