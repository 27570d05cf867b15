package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.nodes;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.RolloutCounts.Canary;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The rollout view counts with the planner's rules: what the Progressing condition and the status see. */
class RolloutCountsTest {

    record Case(String name, DaemonSetView ds, List<PodView> pods, Canary expected) {
        @Override public String toString() { return name; }
    }

    private static DaemonSetView canary(Object size) {
        IntOrPercent canary = size instanceof Integer i ? IntOrPercent.of(i) : IntOrPercent.percent((String) size);
        return ds().policy(new Model.Policy(canary, false, null, Model.Policy.DEFAULT_TOPOLOGY_KEY, null)).build();
    }

    static Stream<Case> cases() {
        List<PodView> oneUpdated = List.of(pod("a", "n1").build(), pod("b", "n2").old().build(),
                pod("c", "n3").old().build(), pod("d", "n4").old().build());
        return Stream.of(
            new Case("one of four updated and available", canary(1), oneUpdated, new Canary(1, 1, 1)),
            new Case("a percent rounds up, at least one", canary("10%"), oneUpdated, new Canary(1, 1, 1)),
            new Case("an updated pod not yet available counts as updated only", canary(2),
                    List.of(pod("a", "n1").pending().build(), pod("b", "n2").old().build()), new Canary(2, 1, 0)),
            new Case("ready but inside minReadySeconds is not available",
                    ds().minReadySeconds(60).policy(new Model.Policy(IntOrPercent.of(1), false, null,
                            Model.Policy.DEFAULT_TOPOLOGY_KEY, null)).build(),
                    List.of(pod("a", "n1").readySince(NOW.minusSeconds(10)).build()), new Canary(1, 1, 0)),
            new Case("the partition caps the canary at what it lets roll",
                    ds().partition(3).policy(new Model.Policy(IntOrPercent.of(2), false, null,
                            Model.Policy.DEFAULT_TOPOLOGY_KEY, null)).build(), oneUpdated, new Canary(1, 1, 1)),
            new Case("a second, surge pod on a node counts once", canary(1),
                    List.of(pod("a", "n1").build(), pod("a2", "n1").created(NOW).build()), new Canary(1, 1, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void countsTheCanary(Case c) {
        Snapshot snapshot = new Snapshot(c.ds(), nodes(4), c.pods(), Map.of());
        assertThat(RolloutCounts.canary(snapshot, RolloutCounts.status(snapshot, NOW))).isEqualTo(c.expected());
    }

    @Test
    void revisionsCountLivePodsAndTheReadyOnes() {
        Snapshot snapshot = new Snapshot(ds().build(), nodes(4), List.of(pod("a", "n1").build(),
                pod("b", "n2").old().build(), pod("c", "n3").old().notReady().build(),
                pod("d", "n4").old().terminating().build()), Map.of());
        assertThat(RolloutCounts.revisions(snapshot)).isEqualTo(Map.of(Fixtures.NEW, new RolloutCounts.Revision(1, 1),
                OLD, new RolloutCounts.Revision(2, 1)));
    }
}
