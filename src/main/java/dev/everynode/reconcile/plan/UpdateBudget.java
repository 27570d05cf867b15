package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Strategy;

/** Kubernetes {@code updatedDesiredNodeCounts}: how many pods a rolling update may take down or add. */
record UpdateBudget(int maxUnavailable, int maxSurge) {

    static final String ROLLING_UPDATE = "RollingUpdate";

    static UpdateBudget of(Strategy strategy, int desired) {
        int maxUnavailable = isRolling(strategy) ? IntOrPercents.scaled(strategy.maxUnavailable(), desired, true) : 0;
        int maxSurge = surgeCount(strategy, desired);
        // Validation forbids both being zero; should it happen anyway, Kubernetes falls back to one at a time.
        if (desired > 0 && maxUnavailable == 0 && maxSurge == 0) {
            maxUnavailable = 1;
        }
        return new UpdateBudget(maxUnavailable, maxSurge);
    }

    /** {@code util.AllowsSurge}: any positive surge; a percent of one pod rounds up to one. */
    static boolean allowsSurge(Strategy strategy) {
        return surgeCount(strategy, 1) > 0;
    }

    static boolean isRolling(Strategy strategy) {
        return strategy != null && ROLLING_UPDATE.equals(strategy.type());
    }

    private static int surgeCount(Strategy strategy, int desired) {
        return isRolling(strategy) ? IntOrPercents.scaled(strategy.maxSurge(), desired, true) : 0;
    }
}
