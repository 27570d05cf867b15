package dev.everynode.apimachinery.watch;

import dev.everynode.apimachinery.endpoint.ResourceRouter;
import dev.everynode.apimachinery.endpoint.ResourceService;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.StatusBodies;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.ResourceDefinition;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.selector.FieldSelector;
import dev.everynode.apimachinery.selector.LabelSelector;
import dev.everynode.apimachinery.table.Tables;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes watch over the watch log: newline-delimited {@code {type, object}} events with a resourceVersion
 * greater than the one asked for, synthetic ADDED events for the current state when none was given,
 * bookmarks, and 410 Expired for a resourceVersion older than the log keeps. Each poll reads the log and the
 * transaction snapshot together; changes of transactions that were still running are fetched again by xid
 * once they commit, so a change is not lost when a transaction with a lower resourceVersion commits after one
 * with a higher one.
 */
@Service
public class WatchService {

    /** What a watch asks for. */
    public record Request(ResourceDefinition definition, String namespace, String labelSelector, String fieldSelector,
                          String resourceVersion, boolean bookmarks, Duration timeout, boolean table,
                          Tables.RowObject rowObject) {
        ResourceType type() {
            return definition.type();
        }
    }

    /** One change: the object after it, and for an update that a selector may see differently, the one before. */
    private record Row(long rv, String type, String name, String namespace, ObjectNode object, ObjectNode previous) {}

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration BOOKMARK_EVERY = Duration.ofSeconds(5);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate snapshotTx;
    private final ResourceRouter endpoints;
    private final ResourceService resources;
    private final Clock clock;
    private volatile boolean closing;

    WatchService(JdbcTemplate jdbc, PlatformTransactionManager txManager, ResourceRouter endpoints,
                 ResourceService resources, Clock clock) {
        this.jdbc = jdbc;
        this.snapshotTx = new TransactionTemplate(txManager);
        this.snapshotTx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshotTx.setReadOnly(true);
        this.endpoints = endpoints;
        this.resources = resources;
        this.clock = clock;
    }

    /** Ends every watch before the web server's graceful shutdown waits for them (clients re-watch elsewhere). */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void endWatches() {
        closing = true;
    }

    /** Validates the request before the response starts (selectors, namespace), so errors are plain Status. */
    public void check(Request request) {
        if (request.namespace() != null) {
            resources.requireNamespace(request.type(), request.namespace());
        }
        LabelSelector.parse(request.labelSelector() == null ? "" : request.labelSelector());
        FieldSelector.parse(request.fieldSelector() == null ? "" : request.fieldSelector());
    }

    public void stream(Request request, OutputStream out) throws IOException {
        LabelSelector labels = LabelSelector.parse(request.labelSelector() == null ? "" : request.labelSelector());
        FieldSelector fields = FieldSelector.parse(request.fieldSelector() == null ? "" : request.fieldSelector());
        long last;
        String rv = request.resourceVersion();
        if (rv == null || rv.isEmpty() || rv.equals("0")) {
            last = resources.currentResourceVersion();
            for (StoredObject o : endpoints.select(request.definition(), request.namespace(),
                    request.labelSelector(), request.fieldSelector())) {
                write(out, request, "ADDED", o.body(), last);
            }
        } else {
            try {
                last = Long.parseLong(rv);
            } catch (NumberFormatException e) {
                writeExpired(out, rv, "invalid resource version");
                return;
            }
            Long pruned = jdbc.queryForObject("SELECT pruned FROM watch_horizon WHERE id = 1", Long.class);
            if (pruned != null && last < pruned) {
                writeExpired(out, rv, "too old resource version: " + rv + " (" + pruned + ")");
                return;
            }
        }
        out.flush();
        Instant end = clock.instant().plus(request.timeout());
        Instant nextBookmark = clock.instant().plus(BOOKMARK_EVERY);
        List<String> pendingXids = List.of();
        while (clock.instant().isBefore(end) && !closing) {
            long from = last;
            List<String> pending = pendingXids;
            List<Row> rows = new ArrayList<>();
            List<String> inFlight = new ArrayList<>();
            snapshotTx.executeWithoutResult(status -> {
                String snapshot = jdbc.queryForObject("SELECT pg_current_snapshot()::text", String.class);
                String[] parts = snapshot.split(":");
                if (parts.length > 2 && !parts[2].isEmpty()) {
                    inFlight.addAll(List.of(parts[2].split(",")));
                }
                rows.addAll(read(request, from, pending));
            });
            pendingXids = inFlight;
            boolean wrote = false;
            for (Row row : rows) {
                last = Math.max(last, row.rv());
                if (request.namespace() != null && !request.namespace().equals(row.namespace())) {
                    continue;
                }
                String type = selectedType(row, labels, fields);
                if (type == null) {
                    continue;
                }
                // Leaving the selection: the object as it was when it last matched, at this change's version.
                ObjectNode object = type.equals("DELETED") && row.previous() != null ? row.previous() : row.object();
                write(out, request, type, object, row.rv());
                wrote = true;
            }
            if (wrote) {
                out.flush();
            } else if (request.bookmarks() && clock.instant().isAfter(nextBookmark)) {
                writeBookmark(out, request, last);
                nextBookmark = clock.instant().plus(BOOKMARK_EVERY);
            } else {
                sleep(POLL);
            }
        }
    }

    /**
     * The event a selecting watcher sees (Kubernetes' {@code cacheWatcher.convertToWatchEvent}): MODIFIED while
     * the object stays selected, ADDED when it enters the selection, DELETED when it leaves it (or is deleted),
     * null when it is outside before and after. An update whose previous document the log did not keep changed
     * nothing a selector looks at, so before and after select alike.
     */
    private static String selectedType(Row row, LabelSelector labels, FieldSelector fields) {
        boolean deleted = row.type().equals("DELETED");
        boolean now = !deleted && selects(row, row.object(), labels, fields);
        boolean before = switch (row.type()) {
            case "ADDED" -> false;
            case "DELETED" -> selects(row, row.object(), labels, fields);
            default -> row.previous() != null ? selects(row, row.previous(), labels, fields) : now;
        };
        if (now) {
            return before ? row.type() : "ADDED";
        }
        return before ? "DELETED" : null;
    }

    private static boolean selects(Row row, ObjectNode object, LabelSelector labels, FieldSelector fields) {
        StoredObject o = new StoredObject(null, row.namespace(), row.name(), null, row.rv(), 0, null, null, object);
        return labels.matches(Json.stringMap(object.path("metadata").get("labels")))
                && fields.matches(f -> ResourceRouter.fieldValue(o, f));
    }

    private List<Row> read(Request request, long from, List<String> pendingXids) throws org.springframework.dao.DataAccessException {
        return jdbc.query(con -> {
            var ps = con.prepareStatement("SELECT resource_version, event_type, namespace, name, uid, generation, "
                    + "created_at, deletion_ts, body::text, prev_body::text FROM watch_events WHERE kind = ? "
                    + "AND (resource_version > ? OR xid = ANY(?::xid8[])) ORDER BY resource_version");
            ps.setString(1, request.type().kind());
            ps.setLong(2, from);
            Array xids = con.createArrayOf("text", pendingXids.toArray());
            ps.setArray(3, xids);
            return ps;
        }, (rs, i) -> {
            ObjectNode body = withColumns(Json.parseObject(rs.getString(9)), rs);
            String previous = rs.getString(10);
            return new Row(rs.getLong(1), rs.getString(2), rs.getString(4), rs.getString(3), body,
                    previous == null ? null : withColumns(Json.parseObject(previous), rs));
        });
    }

    /** The metadata kept in columns (the previous document gets this change's version, as Kubernetes does). */
    private static ObjectNode withColumns(ObjectNode body, java.sql.ResultSet rs) throws java.sql.SQLException {
        ObjectNode meta = Json.child(body, "metadata");
        meta.put("uid", rs.getObject(5, UUID.class).toString());
        meta.put("resourceVersion", Long.toString(rs.getLong(1)));
        if (rs.getLong(6) > 0) {
            meta.put("generation", rs.getLong(6));
        }
        meta.put("creationTimestamp", Json.timestamp(rs.getTimestamp(7).toInstant()));
        Timestamp deletion = rs.getTimestamp(8);
        if (deletion != null) {
            meta.put("deletionTimestamp", Json.timestamp(deletion.toInstant()));
        }
        return body;
    }

    private void write(OutputStream out, Request request, String type, ObjectNode object, long rv) throws IOException {
        ObjectNode event = Json.object();
        event.put("type", type);
        event.set("object", request.table()
                ? Tables.table(request.definition(), List.of(object), Long.toString(rv), clock.instant(), request.rowObject())
                : object);
        out.write(Json.MAPPER.writeValueAsBytes(event));
        out.write('\n');
    }

    private void writeBookmark(OutputStream out, Request request, long rv) throws IOException {
        ObjectNode object = Json.object();
        object.put("kind", request.type().kind());
        object.put("apiVersion", request.type().apiVersion());
        object.putObject("metadata").put("resourceVersion", Long.toString(rv));
        ObjectNode event = Json.object();
        event.put("type", "BOOKMARK");
        event.set("object", object);
        out.write(Json.MAPPER.writeValueAsBytes(event));
        out.write('\n');
        out.flush();
    }

    private static void writeExpired(OutputStream out, String rv, String message) throws IOException {
        ApiException gone = new ApiException(410, "Expired", message, null, null, null, null);
        ObjectNode event = Json.object();
        event.put("type", "ERROR");
        event.set("object", StatusBodies.failure(gone));
        out.write((Json.write(event) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
