package dev.everynode.reconcile;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.reconcile.plan.Model;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records core/v1 Events on a DaemonSet in one statement. A repeat of the same type, reason and message on the
 * same object raises {@code count} and {@code lastTimestamp} instead of adding a row, and each DaemonSet may
 * record 25 events at once and then one every 5 minutes, as client-go's event correlator and spam filter allow
 * (so a DaemonSet created on 10,000 nodes records 25 "Created pod" events, not 10,000).
 */
@Component
class EventRecorder {

    record Event(String type, String reason, String message) {}

    private final JdbcTemplate jdbc;
    private final Clock clock;

    EventRecorder(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    void record(StoredObject ds, List<Event> events) {
        record(ds, events, spamFilter);
    }

    /**
     * Records the rollout's state transitions (paused, resumed, held at the partition, ...). They have their own
     * spam filter: a fleet-wide rollout's thousands of pod events must not crowd out the few that say where the
     * rollout stands.
     */
    void recordRolloutState(StoredObject ds, List<Model.Event> events) {
        if (!events.isEmpty()) {
            record(ds, events.stream().map(e -> new Event(e.type(), e.reason(), e.message())).toList(), stateFilter);
        }
    }

    private void record(StoredObject ds, List<Event> events, SpamFilter filter) {
        Instant now = clock.instant();
        List<Event> allowed = new ArrayList<>();
        for (Event e : events) {
            if (filter.allow(ds.uid(), now)) {
                allowed.add(e);
            }
        }
        if (allowed.isEmpty()) {
            return;
        }
        java.util.Map<String, String> rows = new java.util.LinkedHashMap<>();
        for (Event e : allowed) {
            String name = ds.name() + "." + key(ds.uid(), e);
            rows.putIfAbsent(name, Json.write(body(ds, name, e, now)));
        }
        Object[] names = rows.keySet().toArray();
        Object[] bodies = rows.values().toArray();
        Object[] uids = new Object[names.length];
        for (int i = 0; i < uids.length; i++) {
            uids[i] = UUID.randomUUID();
        }
        jdbc.update(con -> {
            var ps = con.prepareStatement("""
                    INSERT INTO objects (kind, namespace, name, uid, resource_version, created_at, body)
                    SELECT 'Event', ?, t.name, t.uid, nextval('resource_version_seq'), ?, t.body::jsonb
                    FROM unnest(?::text[], ?::uuid[], ?::text[]) AS t(name, uid, body)
                    ON CONFLICT (kind, namespace, name) DO UPDATE SET
                        resource_version = nextval('resource_version_seq'),
                        body = jsonb_set(jsonb_set(objects.body, '{count}',
                                   to_jsonb(COALESCE((objects.body->>'count')::int, 1) + 1)),
                                   '{lastTimestamp}', to_jsonb(?::text))""");
            ps.setString(1, ds.namespace());
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setArray(3, con.createArrayOf("text", names));
            ps.setArray(4, con.createArrayOf("uuid", uids));
            ps.setArray(5, con.createArrayOf("text", bodies));
            ps.setString(6, Json.timestamp(now));
            return ps;
        });
    }

    /** client-go's EventSourceObjectSpamFilter: a token bucket per object, burst 25, one token per 5 minutes. */
    static final class SpamFilter {
        private static final int BURST = 25;
        private static final long REFILL_SECONDS = 300;
        private final java.util.Map<UUID, double[]> buckets = new java.util.concurrent.ConcurrentHashMap<>();

        synchronized boolean allow(UUID object, Instant now) {
            double nowSeconds = now.toEpochMilli() / 1000.0;
            double[] bucket = buckets.computeIfAbsent(object, o -> new double[] {BURST, nowSeconds});
            bucket[0] = Math.min(BURST, bucket[0] + (nowSeconds - bucket[1]) / REFILL_SECONDS);
            bucket[1] = nowSeconds;
            if (bucket[0] < 1) {
                return false;
            }
            bucket[0] -= 1;
            if (buckets.size() > 100_000) {
                buckets.clear();
            }
            return true;
        }
    }

    private final SpamFilter spamFilter = new SpamFilter();
    private final SpamFilter stateFilter = new SpamFilter();

    private static ObjectNode body(StoredObject ds, String name, Event e, Instant now) {
        ObjectNode event = Json.object();
        event.put("kind", "Event");
        event.put("apiVersion", "v1");
        ObjectNode meta = event.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", ds.namespace());
        ObjectNode involved = event.putObject("involvedObject");
        involved.put("kind", "DaemonSet");
        involved.put("namespace", ds.namespace());
        involved.put("name", ds.name());
        involved.put("uid", ds.uid().toString());
        involved.put("apiVersion", "apps/v1");
        involved.put("resourceVersion", Long.toString(ds.resourceVersion()));
        event.put("reason", e.reason());
        event.put("message", e.message());
        event.putObject("source").put("component", "daemonset-controller");
        event.put("firstTimestamp", Json.timestamp(now));
        event.put("lastTimestamp", Json.timestamp(now));
        event.put("count", 1);
        event.put("type", e.type());
        event.put("reportingComponent", "daemonset-controller");
        return event;
    }

    private static String key(UUID uid, Event e) {
        CRC32 crc = new CRC32();
        crc.update((uid + "|" + e.type() + "|" + e.reason() + "|" + e.message()).getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }
}
