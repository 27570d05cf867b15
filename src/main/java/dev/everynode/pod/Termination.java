package dev.everynode.pod;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * When a pod being deleted gracefully is due, decided here for every path that starts it: a DELETE through the
 * API, the reconciler retiring pods (rolling update, failed or extra pods, Foreground deletion of their
 * DaemonSet) and the garbage collector (pods whose DaemonSet is gone). As the API server does it: the grace period
 * is the request's, else the pod's own {@code spec.terminationGracePeriodSeconds}, else 30 s; the
 * deletionTimestamp is now (the injected clock's, never the database's) plus the grace period, in whole seconds as
 * metadata keeps it; a pod already terminating keeps its deletionTimestamp. The pod then waits for its node's
 * agent to confirm (or for the node lifecycle monitor, when the node is silent).
 */
@Component
public class Termination {

    public static final long DEFAULT_GRACE_SECONDS = 30;

    /**
     * Marks the pods chosen by {@code targets} (a condition on {@code objects t}, with its own parameters), each
     * with its own grace period, in one statement: the rule of {@link #gracePeriodSeconds} and
     * {@link #deletionTimestamp} in SQL, with now and the default grace period given by Java.
     */
    private static final String MARK = """
            UPDATE objects p SET resource_version = nextval('resource_version_seq'),
                deletion_ts = g.at,
                body = jsonb_set(jsonb_set(p.body, '{metadata,deletionTimestamp}',
                           to_jsonb(to_char(g.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
                       '{metadata,deletionGracePeriodSeconds}', to_jsonb(g.grace))
            FROM (SELECT uid, grace, ?::timestamptz + make_interval(secs => grace) AS at
                  FROM (SELECT t.uid, COALESCE((t.body->'spec'->>'terminationGracePeriodSeconds')::int, ?::int) AS grace
                        FROM objects t WHERE %s) x) g
            WHERE p.uid = g.uid AND p.deletion_ts IS NULL""";

    private final JdbcTemplate jdbc;
    private final Clock clock;

    Termination(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The grace period of a pod: {@code requested} (a DELETE's gracePeriodSeconds) when given, else its own. */
    public static long gracePeriodSeconds(JsonNode pod, Long requested) {
        if (requested != null) {
            return requested;
        }
        JsonNode own = pod.path("spec").path("terminationGracePeriodSeconds");
        return own.isNumber() ? own.longValue() : DEFAULT_GRACE_SECONDS;
    }

    /** The grace period a terminating pod was given (what its agent is told), 30 s when it has none. */
    public static long givenGracePeriodSeconds(JsonNode pod) {
        JsonNode given = pod.path("metadata").path("deletionGracePeriodSeconds");
        return given.isNumber() ? given.longValue() : DEFAULT_GRACE_SECONDS;
    }

    /** When a pod marked at {@code now} with {@code graceSeconds} is due. */
    public static Instant deletionTimestamp(Instant now, long graceSeconds) {
        return now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(graceSeconds);
    }

    /** Starts the graceful deletion of these pods at {@code now} (a reconcile pass's); the caller holds their owner's lock. */
    public void mark(List<UUID> uids, Instant now) {
        if (uids.isEmpty()) {
            return;
        }
        jdbc.update(con -> {
            var ps = con.prepareStatement(MARK.formatted("t.uid = ANY(?)"));
            ps.setTimestamp(1, markedAt(now));
            ps.setLong(2, DEFAULT_GRACE_SECONDS);
            ps.setArray(3, con.createArrayOf("uuid", uids.toArray()));
            return ps;
        });
    }

    /** Starts the graceful deletion of the pods whose owner is gone (deleted in the background); returns how many. */
    public int markOrphaned() {
        return jdbc.update(MARK.formatted("""
                t.kind = 'Pod' AND t.deletion_ts IS NULL AND t.owner_uid IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.uid = t.owner_uid)"""),
                markedAt(clock.instant()), DEFAULT_GRACE_SECONDS);
    }

    /** {@link #deletionTimestamp} without the grace period, which MARK adds pod by pod. */
    private static Timestamp markedAt(Instant now) {
        return Timestamp.from(deletionTimestamp(now, 0));
    }
}
