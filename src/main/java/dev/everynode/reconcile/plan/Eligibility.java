package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.Placement;
import dev.everynode.reconcile.plan.Model.Toleration;
import java.util.List;

/** Kubernetes {@code NodeShouldRunDaemonPod}. */
public final class Eligibility {

    /** Whether a new daemon pod belongs on the node, and whether an existing one may stay there. */
    public record Result(boolean shouldRun, boolean shouldContinueRunning) {}

    private static final Result NO = new Result(false, false);
    private static final Result YES = new Result(true, true);

    private Eligibility() {}

    public static Result shouldRun(Placement placement, NodeView node) {
        return shouldRun(placement, Tolerations.withDefaults(placement.tolerations(), placement.hostNetwork()), node);
    }

    /** The same with the placement's tolerations already completed by {@link Tolerations#withDefaults}. */
    public static Result shouldRun(Placement placement, List<Toleration> tolerations, NodeView node) {
        String nodeName = placement.nodeName();
        if (nodeName != null && !nodeName.isEmpty() && !nodeName.equals(node.name())) {
            return NO;
        }
        if (!NodeAffinity.matches(placement.nodeSelector(), placement.requiredTerms(), node)) {
            return NO;
        }
        boolean fitsTaints = Tolerations.firstUntolerated(node.taints(), tolerations,
                taint -> Tolerations.NO_SCHEDULE.equals(taint.effect())
                        || Tolerations.NO_EXECUTE.equals(taint.effect())).isEmpty();
        if (fitsTaints) {
            return YES;
        }
        // A pod already on the node may stay unless a NoExecute taint would evict it.
        boolean evicted = Tolerations.firstUntolerated(node.taints(), tolerations,
                taint -> Tolerations.NO_EXECUTE.equals(taint.effect())).isPresent();
        return new Result(false, !evicted);
    }
}
