package dev.everynode.apimachinery.store;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.ResourceDefinition;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import dev.everynode.apimachinery.resource.StoredObject;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The object table. Plain JDBC: every statement is one indexed lookup or one batch, and the object is jsonb.
 * Callers run inside a transaction of their own; nothing here opens one.
 */
@Repository
public class ObjectStore {

    private static final String COLUMNS =
            "kind, namespace, name, uid, resource_version, generation, created_at, deletion_ts, body::text";

    private final JdbcTemplate jdbc;
    private final ResourceRegistry resources;

    public ObjectStore(JdbcTemplate jdbc, ResourceRegistry resources) {
        this.jdbc = jdbc;
        this.resources = resources;
    }

    public Optional<StoredObject> get(String kind, String namespace, String name) {
        return jdbc.query("SELECT " + COLUMNS + " FROM objects WHERE kind = ? AND namespace = ? AND name = ?",
                ROW, kind, ns(namespace), name).stream().findFirst();
    }

    /** Reads and row-locks one object, so a read-modify-write cannot interleave with another. */
    public Optional<StoredObject> getForUpdate(String kind, String namespace, String name) {
        return jdbc.query("SELECT " + COLUMNS + " FROM objects WHERE kind = ? AND namespace = ? AND name = ? FOR UPDATE",
                ROW, kind, ns(namespace), name).stream().findFirst();
    }


    /** All objects of a kind, in one namespace or (namespace null) everywhere, ordered by namespace and name. */
    public List<StoredObject> list(String kind, String namespace) {
        if (namespace == null) {
            return jdbc.query("SELECT " + COLUMNS + " FROM objects WHERE kind = ? ORDER BY namespace, name", ROW, kind);
        }
        return jdbc.query("SELECT " + COLUMNS + " FROM objects WHERE kind = ? AND namespace = ? ORDER BY name", ROW,
                kind, namespace);
    }

    /** "namespace/name" of every object of a kind (in one namespace, or everywhere): no documents read. */
    public List<String> names(String kind, String namespace) {
        if (namespace == null) {
            return jdbc.queryForList("SELECT namespace || '/' || name FROM objects WHERE kind = ? ORDER BY namespace, name",
                    String.class, kind);
        }
        return jdbc.queryForList("SELECT namespace || '/' || name FROM objects WHERE kind = ? AND namespace = ? "
                + "ORDER BY name", String.class, kind, namespace);
    }

    public List<StoredObject> listByOwner(String kind, UUID ownerUid) {
        return jdbc.query("SELECT " + COLUMNS + " FROM objects WHERE kind = ? AND owner_uid = ? ORDER BY name", ROW,
                kind, ownerUid);
    }

    /**
     * Row-locks and reads the objects of a kind bound to a node (its indexed node name), by namespace and name (the
     * order of {@link #getManyForUpdate} within a node): a caller that rewrites them whole (the node lifecycle
     * monitor) must not write back a stale copy over a concurrent change, e.g. a deletionTimestamp just set by the
     * rolling update.
     */
    public List<StoredObject> listOnNodeForUpdate(String kind, String nodeName) {
        return jdbc.query("SELECT " + COLUMNS + " FROM objects WHERE kind = ? AND node_name = ? "
                + "ORDER BY namespace, name FOR UPDATE", ROW, kind, nodeName);
    }


    /** The newest resourceVersion handed out: what a list reports as its own resourceVersion. */
    public long currentResourceVersion() {
        Long rv = jdbc.queryForObject("SELECT last_value FROM resource_version_seq", Long.class);
        return rv == null ? 0 : rv;
    }

    /** Inserts a new object; the database assigns its resourceVersion. Throws DuplicateKeyException when taken. */
    public StoredObject insert(String kind, String namespace, String name, UUID uid, long generation,
                               Instant createdAt, ObjectNode body) {
        Long rv = jdbc.queryForObject("INSERT INTO objects (kind, namespace, name, uid, resource_version, generation, "
                        + "created_at, deletion_ts, owner_uid, node_name, revision_hash, body) "
                        + "VALUES (?, ?, ?, ?, nextval('resource_version_seq'), ?, ?, ?, ?, ?, ?, ?::jsonb) "
                        + "RETURNING resource_version", Long.class,
                kind, ns(namespace), name, uid, generation, Timestamp.from(createdAt),
                ts(Json.parseTime(Json.text(body, "metadata", "deletionTimestamp"))), ownerUid(body),
                index(kind, body).nodeName(), index(kind, body).revisionHash(), Json.write(body));
        return read(kind, namespace, name, uid, rv, generation, createdAt, body);
    }

    /**
     * Writes a new version of an object if its resourceVersion is still {@code expectedRv}; empty when another
     * write got there first.
     */
    public Optional<StoredObject> update(StoredObject current, long generation, Instant deletionTimestamp,
                                         ObjectNode body) {
        List<Long> rv = jdbc.queryForList("UPDATE objects SET resource_version = nextval('resource_version_seq'), "
                        + "generation = ?, deletion_ts = ?, owner_uid = ?, node_name = ?, revision_hash = ?, body = ?::jsonb "
                        + "WHERE kind = ? AND namespace = ? AND name = ? AND resource_version = ? RETURNING resource_version",
                Long.class, generation, ts(deletionTimestamp), ownerUid(body), index(current.kind(), body).nodeName(),
                index(current.kind(), body).revisionHash(), Json.write(body), current.kind(), ns(current.namespace()),
                current.name(), current.resourceVersion());
        if (rv.isEmpty()) {
            return Optional.empty();
        }
        StoredObject written = read(current.kind(), current.namespace(), current.name(), current.uid(), rv.get(0),
                generation, current.createdAt(), body);
        if (deletionTimestamp != null) {
            written.metadata().put("deletionTimestamp", Json.timestamp(deletionTimestamp));
        }
        return Optional.of(new StoredObject(written.kind(), written.namespace(), written.name(), written.uid(),
                written.resourceVersion(), generation, written.createdAt(), deletionTimestamp, written.body()));
    }

    public boolean delete(String kind, String namespace, String name) {
        return jdbc.update("DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?", kind, ns(namespace),
                name) > 0;
    }

    /**
     * Inserts many new objects of one kind in one statement and returns the names that went in. An object whose
     * generated name is taken, or that a unique index of the object table refuses (one live object per owner, node
     * and revision), is skipped rather than failing the whole batch: the next pass sees the gap and fills it.
     */
    public Map<String, Long> insertMany(List<StoredObject> objects) {
        Map<String, Long> inserted = new java.util.HashMap<>();
        List<String> documents = new ArrayList<>(objects.size());
        objects.forEach(o -> documents.add(Json.write(o.body())));
        int from = 0;
        for (int to : chunkEnds(documents)) {
            inserted.putAll(insertChunk(objects.subList(from, to), documents.subList(from, to)));
            from = to;
        }
        return inserted;
    }

    /**
     * Where to cut a list of documents into statements of at most 64 MiB of JSON each (a jsonb value, here the
     * array of all documents, may not exceed 256 MiB).
     */
    private static List<Integer> chunkEnds(List<String> documents) {
        return chunkEnds(documents, 64L << 20);
    }

    /** Documents as one JSON array, for {@code jsonb_array_elements(?::jsonb) WITH ORDINALITY}. */
    private static String jsonArray(List<String> documents) {
        return "[" + String.join(",", documents) + "]";
    }

    static List<Integer> chunkEnds(List<String> documents, long maxChars) {
        List<Integer> ends = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < documents.size(); i++) {
            if (bytes > 0 && bytes + documents.get(i).length() > maxChars) {
                ends.add(i);
                bytes = 0;
            }
            bytes += documents.get(i).length();
        }
        if (!documents.isEmpty()) {
            ends.add(documents.size());
        }
        return ends;
    }

    private Map<String, Long> insertChunk(List<StoredObject> objects, List<String> documents) {
        int n = objects.size();
        Object[] namespaces = new Object[n];
        Object[] names = new Object[n];
        Object[] uids = new Object[n];
        Object[] created = new Object[n];
        Object[] owners = new Object[n];
        Object[] nodes = new Object[n];
        Object[] hashes = new Object[n];
        for (int i = 0; i < n; i++) {
            StoredObject o = objects.get(i);
            namespaces[i] = ns(o.namespace());
            names[i] = o.name();
            uids[i] = o.uid();
            created[i] = Timestamp.from(o.createdAt());
            owners[i] = ownerUid(o.body());
            ResourceDefinition.IndexColumns index = index(o.kind(), o.body());
            nodes[i] = index.nodeName();
            hashes[i] = index.revisionHash();
        }
        String array = jsonArray(documents);
        return jdbc.query(con -> {
            var ps = con.prepareStatement("""
                    INSERT INTO objects (kind, namespace, name, uid, resource_version, generation, created_at,
                                         owner_uid, node_name, revision_hash, body)
                    SELECT ?::text, t.namespace, t.name, t.uid, nextval('resource_version_seq'), 0, t.created_at,
                           t.owner_uid, t.node_name, t.revision_hash, b.body
                    FROM unnest(?::text[], ?::text[], ?::uuid[], ?::timestamptz[], ?::uuid[], ?::text[], ?::text[])
                             WITH ORDINALITY AS t(namespace, name, uid, created_at, owner_uid, node_name, revision_hash, i)
                    JOIN jsonb_array_elements(?::jsonb) WITH ORDINALITY AS b(body, i) USING (i)
                    ON CONFLICT DO NOTHING
                    RETURNING name, resource_version""");
            ps.setString(1, objects.get(0).kind());
            ps.setArray(2, con.createArrayOf("text", namespaces));
            ps.setArray(3, con.createArrayOf("text", names));
            ps.setArray(4, con.createArrayOf("uuid", uids));
            ps.setArray(5, con.createArrayOf("timestamptz", created));
            ps.setArray(6, con.createArrayOf("uuid", owners));
            ps.setArray(7, con.createArrayOf("text", nodes));
            ps.setArray(8, con.createArrayOf("text", hashes));
            // The documents as one JSON array: no text[] literal for the driver to escape and PostgreSQL to parse.
            ps.setString(9, array);
            return ps;
        }, rs -> {
            Map<String, Long> out = new java.util.HashMap<>();
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
            return out;
        });
    }

    /**
     * Rewrites the documents of many objects whose indexed columns did not change (status reports) in one
     * statement, so that the statement-level triggers (watch log, notifications) run once for all of them. The
     * caller holds the rows' locks.
     */
    public void updateStatuses(List<StoredObject> objects) {
        List<String> documents = new ArrayList<>(objects.size());
        objects.forEach(o -> documents.add(Json.write(o.body())));
        int from = 0;
        for (int to : chunkEnds(documents)) {
            updateStatusChunk(objects.subList(from, to), documents.subList(from, to));
            from = to;
        }
    }

    private void updateStatusChunk(List<StoredObject> objects, List<String> documents) {
        Object[] uids = objects.stream().map(StoredObject::uid).toArray();
        String array = jsonArray(documents);
        jdbc.update(con -> {
            var ps = con.prepareStatement("""
                    UPDATE objects o SET resource_version = nextval('resource_version_seq'), body = b.body
                    FROM unnest(?::uuid[]) WITH ORDINALITY AS t(uid, i)
                    JOIN jsonb_array_elements(?::jsonb) WITH ORDINALITY AS b(body, i) USING (i)
                    WHERE o.uid = t.uid""");
            ps.setArray(1, con.createArrayOf("uuid", uids));
            ps.setString(2, array);
            return ps;
        });
    }

    /** Rewrites many objects in one batch without a resourceVersion check (the caller holds the owner's lock). */
    public void updateBatch(List<StoredObject> objects) {
        List<Object[]> args = new ArrayList<>(objects.size());
        for (StoredObject o : objects) {
            args.add(new Object[] {o.generation(), ts(o.deletionTimestamp()), ownerUid(o.body()),
                    index(o.kind(), o.body()).nodeName(), index(o.kind(), o.body()).revisionHash(), Json.write(o.body()),
                    o.uid()});
        }
        jdbc.batchUpdate("UPDATE objects SET resource_version = nextval('resource_version_seq'), generation = ?, "
                + "deletion_ts = ?, owner_uid = ?, node_name = ?, revision_hash = ?, body = ?::jsonb WHERE uid = ?", args);
    }

    /**
     * Row-locks and reads many objects of one kind by namespace and name, in a fixed order (no deadlocks): an
     * object's node (its indexed node name) first, then namespace and name, the order in which the node lifecycle
     * monitor locks them (node by node, in name order, each node's objects by namespace and name). Ordered by
     * namespace and name alone, a coalesced batch of status reports from many nodes deadlocked with the monitor
     * marking those nodes unreachable.
     */
    public List<StoredObject> getManyForUpdate(String kind, List<String> namespaces, List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        return jdbc.query(con -> {
            var ps = con.prepareStatement("SELECT " + COLUMNS + " FROM objects WHERE kind = ? AND (namespace, name) IN "
                    + "(SELECT * FROM unnest(?::text[], ?::text[])) ORDER BY node_name NULLS FIRST, namespace, name FOR UPDATE");
            ps.setString(1, kind);
            ps.setArray(2, con.createArrayOf("text", namespaces.toArray()));
            ps.setArray(3, con.createArrayOf("text", names.toArray()));
            return ps;
        }, ROW);
    }

    /** Full documents of some objects, by uid. */
    public List<StoredObject> getByUids(List<UUID> uids) {
        if (uids.isEmpty()) {
            return List.of();
        }
        return jdbc.query(con -> {
            var ps = con.prepareStatement("SELECT " + COLUMNS + " FROM objects WHERE uid = ANY(?)");
            ps.setArray(1, con.createArrayOf("uuid", uids.toArray()));
            return ps;
        }, ROW);
    }

    public void deleteBatch(List<UUID> uids) {
        if (uids.isEmpty()) {
            return;
        }
        // one statement, so that the statement-level triggers (watch log, notifications) run once
        jdbc.update(con -> {
            var ps = con.prepareStatement("DELETE FROM objects WHERE uid = ANY(?)");
            ps.setArray(1, con.createArrayOf("uuid", uids.toArray()));
            return ps;
        });
    }

    private static StoredObject read(String kind, String namespace, String name, UUID uid, long rv, long generation,
                                     Instant createdAt, ObjectNode body) {
        ObjectNode meta = Json.child(body, "metadata");
        meta.put("uid", uid.toString());
        meta.put("resourceVersion", Long.toString(rv));
        if (generation > 0) {
            meta.put("generation", generation);
        }
        meta.put("creationTimestamp", Json.timestamp(createdAt));
        return new StoredObject(kind, namespace, name, uid, rv, generation, createdAt,
                Json.parseTime(Json.text(meta, "deletionTimestamp")), Json.kubernetesOrder(body));
    }

    private static final RowMapper<StoredObject> ROW = (ResultSet rs, int i) -> {
        ObjectNode body = Json.parseObject(rs.getString(9));
        Timestamp deletion = rs.getTimestamp(8);
        StoredObject o = read(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
                rs.getLong(5), rs.getLong(6), rs.getTimestamp(7).toInstant(), body);
        body = o.body();
        if (deletion != null) {
            o.metadata().put("deletionTimestamp", Json.timestamp(deletion.toInstant()));
            return new StoredObject(o.kind(), o.namespace(), o.name(), o.uid(), o.resourceVersion(), o.generation(),
                    o.createdAt(), deletion.toInstant(), Json.kubernetesOrder(body));
        }
        o.metadata().remove("deletionTimestamp");
        return new StoredObject(o.kind(), o.namespace(), o.name(), o.uid(), o.resourceVersion(), o.generation(),
                o.createdAt(), null, Json.kubernetesOrder(body));
    };

    private static String ns(String namespace) {
        return namespace == null ? "" : namespace;
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /** The uid of the controller ownerReference, indexed so an owner finds its dependents. */
    static UUID ownerUid(ObjectNode body) {
        JsonNode refs = body.path("metadata").path("ownerReferences");
        for (JsonNode ref : refs) {
            if (ref.path("controller").asBoolean(false) && ref.path("uid").isString()) {
                try {
                    return UUID.fromString(ref.path("uid").stringValue());
                } catch (IllegalArgumentException notAUuid) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The node_name and revision_hash columns, as the kind's definition derives them. */
    private ResourceDefinition.IndexColumns index(String kind, ObjectNode body) {
        return resources.forKind(kind).map(d -> d.indexColumns(body)).orElse(ResourceDefinition.IndexColumns.NONE);
    }

}
