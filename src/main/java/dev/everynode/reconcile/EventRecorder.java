package dev.everynode.reconcile;

import dev.everynode.apimachinery.Json;
import dev.everynode.apimachinery.StoredObject;
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
 * Records core/v1 Events on a DaemonSet in one batch. A repeat of the same type, reason and message on the same
 * object raises {@code count} and {@code lastTimestamp} instead of adding a row, as Kubernetes' event
 * correlator does.
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
        if (events.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<Object[]> args = new ArrayList<>(events.size());
        for (Event e : events) {
            String name = ds.name() + "." + key(ds.uid(), e);
            args.add(new Object[] {ds.namespace(), name, UUID.randomUUID(), Timestamp.from(now),
                    Json.write(body(ds, name, e, now)), Json.timestamp(now)});
        }
        jdbc.batchUpdate("""
                INSERT INTO objects (kind, namespace, name, uid, resource_version, created_at, body)
                VALUES ('Event', ?, ?, ?, nextval('resource_version_seq'), ?, ?::jsonb)
                ON CONFLICT (kind, namespace, name) DO UPDATE SET
                    resource_version = nextval('resource_version_seq'),
                    body = jsonb_set(jsonb_set(objects.body, '{count}',
                               to_jsonb(COALESCE((objects.body->>'count')::int, 1) + 1)),
                               '{lastTimestamp}', to_jsonb(?::text))""", args);
    }

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
