package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Times one reconcile pass's planning (plan + statusAfter) on a mid-rollout snapshot of N nodes. */
public final class PlannerCost {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        List<NodeView> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(Fixtures.node("node-" + String.format("%05d", (i * 7919) % n)).label("kubernetes.io/os", "linux")
                    .label("kubernetes.io/hostname", "node-" + i).label("topology.kubernetes.io/zone", "z" + (i % 3))
                    .label("node-role", "worker").build());
        }
        List<PodView> pods = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String node = nodes.get(i).name();
            var b = Fixtures.pod("fluentd-" + Integer.toString(i, 36), node);
            if (i % 10 == 0) {
                b.pending();
            } else if (i < n / 2) {
                b.hash(Fixtures.NEW);
            } else {
                b.old();
            }
            pods.add(b.build());
        }
        var ds = Fixtures.ds().maxUnavailable(Model.IntOrPercent.percent("10%"))
                .tolerations(Fixtures.toleration("node-role.kubernetes.io/control-plane", "Exists", "", "NoSchedule"))
                .build();
        Snapshot snapshot = new Snapshot(ds, nodes, pods, Map.of());
        long[] plan = new long[reps];
        long[] after = new long[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            Model.Plan p = Planner.plan(snapshot, Fixtures.NOW, 10_000);
            long t1 = System.nanoTime();
            Planner.statusAfter(snapshot, new Model.Written(List.of(), Set.of(), Set.of()), Fixtures.NOW);
            long t2 = System.nanoTime();
            plan[r] = t1 - t0;
            after[r] = t2 - t1;
            if (r == 0) {
                System.out.println("actions=" + p.actions().size());
            }
        }
        Arrays.sort(plan);
        Arrays.sort(after);
        System.out.printf("N=%d plan median %.1f ms (min %.1f), statusAfter median %.1f ms (min %.1f)%n", n,
                plan[reps / 2] / 1e6, plan[0] / 1e6, after[reps / 2] / 1e6, after[0] / 1e6);
    }
}
