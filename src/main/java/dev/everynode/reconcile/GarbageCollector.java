package dev.everynode.reconcile;

import dev.everynode.pod.PodRepository;
import dev.everynode.pod.Termination;
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
    private final PodRepository pods;
    private final Termination termination;
    private final AtomicBoolean requested = new AtomicBoolean();

    GarbageCollector(JdbcTemplate jdbc, PodRepository pods, Termination termination) {
        this.jdbc = jdbc;
        this.pods = pods;
        this.termination = termination;
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

    @Scheduled(fixedDelayString = "#{@gcProperties.period().toMillis()}")
    void collect() {
        int revisions = jdbc.update("""
                DELETE FROM objects r WHERE r.kind = 'ControllerRevision' AND r.owner_uid IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.uid = r.owner_uid)""");
        int removed = pods.deleteStranded();
        int terminating = termination.markOrphaned();
        if (revisions + removed + terminating > 0) {
            log.info("garbage collected revisions={} podsRemoved={} podsTerminating={}", revisions, removed,
                    terminating);
        }
    }
}
