package dev.everynode.reconcile;

import dev.everynode.platform.EverynodeProperties;
import dev.everynode.reconcile.plan.Model;
import dev.everynode.reconcile.plan.Planner;
import dev.everynode.reconcile.plan.StatusWrite;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ObjectNode;

/**
 * One reconcile pass for one DaemonSet, in one transaction: take the DaemonSet's lock, read what the pass observes,
 * let the pure planner decide, let the executor apply the plan. Level-based: every pass starts from the database,
 * and reads the clock once. The status is planned last, from the pods as the pass's own writes left them.
 */
@Component
class DaemonSetReconciler {

    /** What the pass asks of the queue afterwards. */
    record Result(Duration requeueAfter) {}

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final PassReader reader;
    private final PlanExecutor executor;
    private final Clock clock;
    private final int burstLimit;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DaemonSetReconciler.class);

    DaemonSetReconciler(JdbcTemplate jdbc, TransactionTemplate tx, PassReader reader, PlanExecutor executor,
                        Clock clock,
                        EverynodeProperties.Reconcile settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.reader = reader;
        this.executor = executor;
        this.clock = clock;
        this.burstLimit = settings.burstLimit();
    }

    Result reconcile(String namespace, String name) {
        long start = System.nanoTime();
        int[] counts = new int[2];
        Phases phases = new Phases();
        Result result = tx.execute(status -> {
            // Lock first, then read: what another replica wrote before releasing the lock is seen.
            if (!tryLock(namespace, name)) {
                return new Result(Duration.ofMillis(500));
            }
            Instant now = clock.instant();
            PassReader.Read read = reader.read(namespace, name, phases);
            if (read instanceof PassReader.Deleting deleting) {
                Model.Plan plan = Planner.finalizeDeletion(deleting.views(), deleting.nodeNames());
                executor.apply(deleting, plan, now);
                return new Result(plan.requeueAfter());
            }
            if (!(read instanceof PassReader.Live live)) {
                return new Result(null);
            }
            Model.Pass pass = Planner.plan(live.observed(), now, burstLimit);
            phases.mark("plan");
            PlanExecutor.Outcome outcome = executor.apply(live, pass, now);
            counts[0] = outcome.created().size();
            counts[1] = outcome.deleted().size();
            phases.mark("apply");
            Map<String, ObjectNode> templates = reader.rollbackTemplates(live.ds(), live.rollout());
            Model.Action.WriteStatus write = StatusWrite.plan(new StatusWrite.Input(pass.snapshot(), outcome.written(),
                    pass.plan().statusValid(), live.stored(), live.rollout(),
                    templates == null ? null : templates.keySet(), now, pass.plan().status()));
            Duration recheck = executor.apply(live, write, templates);
            phases.mark("status");
            return new Result(earliest(earliest(pass.plan().requeueAfter(), recheck), outcome.written().followUp()));
        });
        phases.mark("commit");
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (ms > 500) {
            log.info("slow reconcile pass daemonSet={}/{} creates={} deletes={} ms={} phases={}", namespace, name,
                    counts[0], counts[1], ms, phases);
        } else if (log.isDebugEnabled()) {
            log.debug("reconciled daemonSet={}/{} creates={} deletes={} ms={}", namespace, name, counts[0], counts[1],
                    ms);
        }
        return result;
    }

    private static Duration earliest(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }

    /** A per-DaemonSet transaction lock: two replicas never plan the same DaemonSet at once. */
    private boolean tryLock(String namespace, String name) {
        Boolean locked = jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))",
                Boolean.class, "daemonset:" + namespace + "/" + name);
        return Boolean.TRUE.equals(locked);
    }
}
