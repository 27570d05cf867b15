package dev.everynode.reconcile;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes what lost its owner or its node: pods and revisions of a DaemonSet deleted in the background
 * (pods on live nodes get a deletionTimestamp and wait for their agent, the rest go at once), and pods bound to
 * nodes that no longer exist (Kubernetes' pod garbage collector).
 */
@Component
class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final JdbcTemplate jdbc;
    private final AtomicBoolean requested = new AtomicBoolean();

    GarbageCollector(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void collectSoon() {
        requested.set(true);
    }

    @Scheduled(fixedDelay = 250)
    void onRequest() {
        if (requested.getAndSet(false)) {
            collect();
        }
    }

    @Scheduled(fixedDelayString = "${everynode.gc.period:5s}")
    void collect() {
        int revisions = jdbc.update("""
                DELETE FROM objects r WHERE r.kind = 'ControllerRevision' AND r.owner_uid IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.uid = r.owner_uid)""");
        int removed = jdbc.update("""
                DELETE FROM objects p WHERE p.kind = 'Pod' AND (
                    (p.node_name IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM objects n WHERE n.kind = 'Node' AND n.namespace = '' AND n.name = p.node_name))
                 OR (p.owner_uid IS NOT NULL AND p.body->'status'->>'phase' IN ('Succeeded', 'Failed')
                     AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.uid = p.owner_uid)))""");
        int terminating = jdbc.update("""
                UPDATE objects p SET resource_version = nextval('resource_version_seq'),
                    deletion_ts = now() + make_interval(secs => COALESCE((p.body->'spec'->>'terminationGracePeriodSeconds')::int, 30)),
                    body = jsonb_set(jsonb_set(p.body, '{metadata,deletionTimestamp}',
                        to_jsonb(to_char((now() + make_interval(secs => COALESCE((p.body->'spec'->>'terminationGracePeriodSeconds')::int, 30)))
                                 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
                        '{metadata,deletionGracePeriodSeconds}',
                        to_jsonb(COALESCE((p.body->'spec'->>'terminationGracePeriodSeconds')::int, 30)))
                WHERE p.kind = 'Pod' AND p.deletion_ts IS NULL AND p.owner_uid IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.uid = p.owner_uid)""");
        if (revisions + removed + terminating > 0) {
            log.info("garbage collected revisions={} podsRemoved={} podsTerminating={}", revisions, removed,
                    terminating);
        }
    }
}
