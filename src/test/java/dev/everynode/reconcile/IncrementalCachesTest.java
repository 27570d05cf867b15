package dev.everynode.reconcile;

import dev.everynode.support.RandomHistories;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the reconciler's incremental caches equal a full read on random histories of writes, on a real
 * PostgreSQL (see {@link CacheHistory}). After every step of every history the long-lived cache, which saw the whole
 * history (and what passes remembered, also of passes that rolled back), must return exactly what a fresh instance
 * reads. A failure reports the history shrunk to the steps that still fail, and the seed that reruns it.
 */
class IncrementalCachesTest {

    /** PodSummaries.forClaim of each DaemonSet: the same summaries, field by field, as a full read. */
    @Test
    void podSummariesEqualAFullRead() {
        RandomHistories.check("PodSummaries equal a full read", 40, 25, CacheHistory::podStep,
                () -> new CacheHistory(CacheHistory.Checks.PODS));
    }

    /** NodeCache.snapshot: the same node views, in the same order, and the same names, as a full read. */
    @Test
    void nodeCacheEqualsAFullRead() {
        RandomHistories.check("NodeCache equals a full read", 40, 25, CacheHistory::nodeStep,
                () -> new CacheHistory(CacheHistory.Checks.NODES));
    }

    /**
     * Planner.plan on the Observed a pass builds from the caches (its candidates in the cache's order) equals the
     * plan on freshly read ones, over histories of pod and node writes alike.
     */
    @Test
    void plansOnTheCachesEqualPlansOnAFullRead() {
        RandomHistories.check("plans on the caches equal plans on a full read", 30, 25, CacheHistory::anyStep,
                () -> new CacheHistory(CacheHistory.Checks.PODS, CacheHistory.Checks.NODES,
                        CacheHistory.Checks.PLANS));
    }
}
