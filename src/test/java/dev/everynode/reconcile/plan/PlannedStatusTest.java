package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Written;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A pass that wrote no pod takes the plan's own counters as its status instead of counting the pods again
 * (StatusWrite.Input.planned): on random snapshots, those counters equal a full count, and the status write planned
 * with them equals the one planned without.
 */
class PlannedStatusTest {

    private static final long SEED = Long.getLong("planned.seed", System.nanoTime());
    private static final int TRIES = 500;

    @Test
    void thePlansCountersEqualAFullCountAndGiveTheSameStatusWrite() {
        Random random = new Random(SEED);
        for (int i = 0; i < TRIES; i++) {
            Snapshot snapshot = snapshot(random);
            Model.Plan plan = Planner.plan(snapshot, NOW, Fixtures.BURST);
            String context = "seed " + SEED + ", try " + i + ": " + snapshot;

            assertThat(plan.status()).as(context).isEqualTo(Planner.statusAfter(snapshot, Written.NOTHING, NOW));

            StatusWrite.Stored stored = new StatusWrite.Stored(random.nextBoolean() ? plan.status() : null, null,
                    null);
            StatusWrite.Rollout rollout = StatusWrite.Rollout.DEFAULTS;
            Model.Action.WriteStatus counted = StatusWrite.plan(new StatusWrite.Input(snapshot, Written.NOTHING,
                    plan.statusValid(), stored, rollout, Set.of(), NOW));
            Model.Action.WriteStatus reused = StatusWrite.plan(new StatusWrite.Input(snapshot, Written.NOTHING,
                    plan.statusValid(), stored, rollout, Set.of(), NOW, plan.status()));
            assertThat(reused).as(context).isEqualTo(counted);
        }
    }

    @Test
    void aPassThatWrotePodsCountsThemAgain() {
        List<NodeView> nodes = Fixtures.nodes(3);
        Snapshot snapshot = new Snapshot(Fixtures.ds().build(), nodes, List.of(), Map.of());
        Model.Plan plan = Planner.plan(snapshot, NOW, Fixtures.BURST);
        List<PodView> created = List.of(Fixtures.pod("p0", nodes.get(0).name()).pending().created(NOW).build());

        Model.Action.WriteStatus write = StatusWrite.plan(new StatusWrite.Input(snapshot,
                new Written(created, Set.of(), Set.of()), plan.statusValid(), StatusWrite.Stored.NONE,
                StatusWrite.Rollout.DEFAULTS, Set.of(), NOW, plan.status()));

        assertThat(plan.status().currentNumberScheduled()).isZero();
        assertThat(write.counters().currentNumberScheduled()).isEqualTo(1);
    }

    private static Snapshot snapshot(Random random) {
        int nodeCount = random.nextInt(8);
        List<NodeView> nodes = new ArrayList<>();
        for (int n = 0; n < nodeCount; n++) {
            Fixtures.NodeBuilder node = Fixtures.node("node-" + n);
            if (random.nextInt(4) == 0) {
                node.notReady();
            }
            if (random.nextInt(4) == 0) {
                node.taint("dedicated", random.nextBoolean() ? "NoSchedule" : "NoExecute");
            }
            if (random.nextBoolean()) {
                node.label("role", random.nextBoolean() ? "web" : "db");
            }
            nodes.add(node.build());
        }
        Fixtures.DsBuilder ds = Fixtures.ds().minReadySeconds(random.nextInt(3) * 30);
        switch (random.nextInt(5)) {
            case 0 -> ds.onDelete();
            case 1 -> ds.maxSurge(1 + random.nextInt(2));
            case 2 -> ds.nodeSelector(Map.of("role", "web"));
            case 3 -> ds.partition(random.nextInt(3));
            default -> ds.maxUnavailable(1 + random.nextInt(3));
        }
        if (random.nextInt(5) == 0) {
            ds.paused();
        }
        if (random.nextInt(10) == 0) {
            ds.observedGeneration(0);
        }
        DaemonSetView view = ds.build();
        List<PodView> pods = new ArrayList<>();
        int podCount = random.nextInt(nodeCount * 2 + 2);
        for (int p = 0; p < podCount; p++) {
            String node = random.nextInt(10) == 0 || nodeCount == 0 ? "gone-node" : "node-" + random.nextInt(nodeCount);
            Fixtures.PodBuilder pod = Fixtures.pod("pod-" + p, node)
                    .created(NOW.minus(Duration.ofSeconds(random.nextInt(3600))));
            if (random.nextBoolean()) {
                pod.old();
            }
            switch (random.nextInt(6)) {
                case 0 -> pod.pending();
                case 1 -> pod.failed();
                case 2 -> pod.succeeded();
                case 3 -> pod.readySince(NOW.minus(Duration.ofSeconds(random.nextInt(90))));
                case 4 -> pod.notReady();
                default -> { }
            }
            if (random.nextInt(6) == 0) {
                pod.terminating();
            }
            pods.add(pod.build());
        }
        return new Snapshot(view, nodes, pods, Map.of());
    }
}
