package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NEW;
import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.create;
import static dev.everynode.reconcile.plan.Fixtures.delete;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static dev.everynode.reconcile.plan.Fixtures.podsOn;
import static dev.everynode.reconcile.plan.Fixtures.req;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Policy;
import dev.everynode.reconcile.plan.Model.Requirement;
import dev.everynode.reconcile.plan.Model.Snapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rollout policies of issue 17 in the pure planner: a canary that holds the rest until promoted, an update
 * selector (OpenKruise {@code rollingUpdate.selector}) and zone waves with a per-domain maxUnavailable, alone and
 * combined with partition, pause, surge and OnDelete.
 */
class RolloutPoliciesTest {

    record Case(String name, DsBuilder ds, List<NodeView> nodes, List<PodView> pods, List<Action> expected) {
        @Override public String toString() { return name; }
    }

    private static final String ZONE = Policy.DEFAULT_TOPOLOGY_KEY;

    /** Nodes n1..n9: n1-n3 in zone a, n4-n6 in zone b, n7-n9 in zone c; n2, n5, n8 labelled pool=canary. */
    private static final List<NodeView> ZONED = IntStream.rangeClosed(1, 9).mapToObj(i -> {
        Fixtures.NodeBuilder b = node("n" + i).label(ZONE, "zone-" + (char) ('a' + (i - 1) / 3));
        return (i % 3 == 2 ? b.label("pool", "canary") : b).build();
    }).toList();

    private static Policy canary(int n, boolean promoted) {
        return new Policy(IntOrPercent.of(n), promoted, null, ZONE, null);
    }

    private static Policy selector(Requirement... requirements) {
        return new Policy(null, false, List.of(requirements), ZONE, null);
    }

    private static Policy waves(int perDomain) {
        return new Policy(null, false, null, ZONE, IntOrPercent.of(perDomain));
    }

    private static List<PodView> with(List<PodView> pods, PodView... replacements) {
        List<PodView> out = new ArrayList<>(pods);
        for (PodView r : replacements) {
            out.removeIf(p -> p.nodeName().equals(r.nodeName()));
            out.add(r);
        }
        return out;
    }

    private static List<PodView> plus(List<PodView> pods, PodView extra) {
        List<PodView> out = new ArrayList<>(pods);
        out.add(extra);
        return out;
    }

    private static PodView fresh(String node) {
        return pod("p2-" + node, node).hash(NEW).build();
    }

    private static PodView unready(String node) {
        return pod("p2-" + node, node).hash(NEW).notReady().build();
    }

    private static Action update(String node) {
        return delete("p-" + node, node, DeleteReason.UPDATE);
    }

    static Stream<Case> cases() {
        List<PodView> allOld = podsOn(ZONED, OLD);
        return Stream.of(
            // canary
            new Case("canary of 2: only the last two nodes by name are replaced, whatever maxUnavailable allows",
                    ds().maxUnavailable(9).policy(canary(2, false)), ZONED, allOld,
                    List.of(update("n8"), update("n9"))),
            new Case("canary updated and available, not promoted: the rest waits",
                    ds().maxUnavailable(9).policy(canary(2, false)), ZONED,
                    with(allOld, fresh("n8"), fresh("n9")), List.of()),
            new Case("canary promoted: the rest rolls within maxUnavailable",
                    ds().maxUnavailable(2).policy(canary(2, true)), ZONED, with(allOld, fresh("n8"), fresh("n9")),
                    List.of(update("n1"), update("n2"))),
            new Case("canary of 25% of 9 nodes rounds up to 3",
                    ds().maxUnavailable(9).policy(new Policy(IntOrPercent.percent("25%"), false, null, ZONE, null)),
                    ZONED, allOld, List.of(update("n7"), update("n8"), update("n9"))),
            new Case("canary with partition 8: the partition is the tighter quota",
                    ds().maxUnavailable(9).partition(8).policy(canary(3, false)), ZONED, allOld,
                    List.of(update("n9"))),
            new Case("canary while paused: nothing is replaced",
                    ds().maxUnavailable(9).paused().policy(canary(2, false)), ZONED, allOld, List.of()),
            new Case("canary with surge: new pods beside the old ones on the canary nodes only",
                    ds().maxSurge(9).policy(canary(2, false)), ZONED, allOld, List.of(create("n8"), create("n9"))),
            new Case("canary does not hold a new node: it gets the current revision",
                    ds().maxUnavailable(9).policy(canary(1, false)), ZONED,
                    with(allOld.subList(0, 8), fresh("n8")), List.of(create("n9"))),
            new Case("OnDelete ignores the canary: nothing is replaced",
                    ds().onDelete().policy(canary(2, false)), ZONED, allOld, List.of()),
            // update selector
            new Case("selector pool=canary: only n2, n5, n8 are replaced",
                    ds().maxUnavailable(9).policy(selector(req("pool", "In", "canary"))), ZONED, allOld,
                    List.of(update("n2"), update("n5"), update("n8"))),
            new Case("selector with maxUnavailable 1: one selected node at a time, in name order as Kubernetes picks",
                    ds().maxUnavailable(1).policy(selector(req("pool", "In", "canary"))), ZONED, allOld,
                    List.of(update("n2"))),
            new Case("selector with partition 7 of 9: two updates allowed, both from the selection",
                    ds().maxUnavailable(9).partition(7).policy(selector(req("pool", "In", "canary"))), ZONED,
                    allOld, List.of(update("n5"), update("n8"))),
            new Case("selector matching nothing: nothing is replaced",
                    ds().maxUnavailable(9).policy(selector(req("pool", "In", "none"))), ZONED, allOld, List.of()),
            new Case("selector with an invalid requirement selects nothing",
                    ds().maxUnavailable(9).policy(selector(req("pool", "In"))), ZONED, allOld, List.of()),
            new Case("selector and canary of 1: one selected node",
                    ds().maxUnavailable(9).policy(new Policy(IntOrPercent.of(1), false,
                            List.of(req("pool", "In", "canary")), ZONE, null)), ZONED, allOld,
                    List.of(update("n8"))),
            // waves
            new Case("waves, 1 per zone: the first zone by name, one node",
                    ds().maxUnavailable(9).policy(waves(1)), ZONED, allOld, List.of(update("n1"))),
            new Case("waves, 2 per zone: two nodes of zone a, none elsewhere",
                    ds().maxUnavailable(9).policy(waves(2)), ZONED, allOld, List.of(update("n1"), update("n2"))),
            new Case("waves: a node of zone a still unavailable uses the zone's budget",
                    ds().maxUnavailable(9).policy(waves(1)), ZONED, with(allOld, unready("n3")), List.of()),
            new Case("waves: zone a done, zone b starts",
                    ds().maxUnavailable(9).policy(waves(1)), ZONED,
                    with(allOld, fresh("n1"), fresh("n2"), fresh("n3")), List.of(update("n4"))),
            new Case("waves: the global budget still holds (maxUnavailable 1, a node of zone c down)",
                    ds().maxUnavailable(1).policy(waves(2)), ZONED,
                    with(allOld, pod("p-n9", "n9").old().notReady().build()), List.of()),
            new Case("waves of 50% of a 3-node zone round up to 2",
                    ds().maxUnavailable(9).policy(new Policy(null, false, null, ZONE, IntOrPercent.percent("50%"))),
                    ZONED, allOld, List.of(update("n1"), update("n2"))),
            new Case("waves with partition 7: the two updatable nodes are the last by name of zone a",
                    ds().maxUnavailable(9).partition(7).policy(waves(3)), ZONED, allOld,
                    List.of(update("n2"), update("n3"))),
            new Case("waves with surge 9 and 1 per zone: one new pod in zone a",
                    ds().maxSurge(9).policy(waves(1)), ZONED, allOld, List.of(create("n1"))),
            new Case("waves with surge: an available new pod outside the wave still retires its old one",
                    ds().maxSurge(9).policy(waves(1)), ZONED,
                    plus(with(allOld, unready("n3")), fresh("n9")),
                    List.of(delete("p-n9", "n9", DeleteReason.SURGE_RETIRE))),
            new Case("waves: nodes without the zone label come last",
                    ds().maxUnavailable(9).policy(waves(1)),
                    List.of(node("m1").build(), node("n1").label(ZONE, "zone-z").build()),
                    podsOn(List.of(node("m1").build(), node("n1").build()), OLD), List.of(update("n1"))),
            new Case("waves, canary of 1 and a selector: the selected node of the first zone",
                    ds().maxUnavailable(9).policy(new Policy(IntOrPercent.of(1), false,
                            List.of(req("pool", "In", "canary")), ZONE, IntOrPercent.of(1))), ZONED, allOld,
                    List.of(update("n2")))
        );
    }

    @ParameterizedTest
    @MethodSource("cases")
    void plans(Case c) {
        assertThat(Fixtures.plan(c.ds().build(), c.nodes(), c.pods()).actions())
                .containsExactlyInAnyOrderElementsOf(c.expected());
    }

    /**
     * A whole rollout in waves, pass after pass with every replacement becoming available at once: zones are
     * finished one after the other, never two in flight, and never more than one node of a zone unavailable.
     */
    @Test
    void wavesNeverHaveTwoZonesInFlight() {
        Model.DaemonSetView view = ds().maxUnavailable(9).policy(waves(1)).build();
        Map<String, String> zoneOf = new java.util.HashMap<>();
        ZONED.forEach(n -> zoneOf.put(n.name(), n.labels().get(ZONE)));
        List<PodView> pods = new ArrayList<>(podsOn(ZONED, OLD));
        List<String> order = new ArrayList<>();
        for (int pass = 0; pass < 40 && (pods.size() < 9 || pods.stream().anyMatch(p -> p.revisionHash().equals(OLD))); pass++) {
            Model.Plan plan = Planner.plan(new Snapshot(view, ZONED, pods, Map.of()), NOW, 250);
            Set<String> zones = new HashSet<>();
            for (Action a : plan.actions()) {
                String node = a instanceof Action.DeletePod d ? d.nodeName() : ((Action.CreatePod) a).nodeName();
                zones.add(zoneOf.get(node));
                if (a instanceof Action.DeletePod d) {
                    pods.removeIf(p -> p.name().equals(d.podName()));
                    order.add(node);
                } else {
                    pods.add(fresh(node));
                }
            }
            assertThat(zones).as("zones acted on in pass " + pass).hasSizeLessThanOrEqualTo(1);
            assertThat(plan.actions().stream().filter(Action.DeletePod.class::isInstance).count())
                    .as("nodes of the zone taken down at once").isLessThanOrEqualTo(1);
        }
        assertThat(pods).allMatch(p -> p.revisionHash().equals(NEW)).hasSize(9);
        assertThat(order).containsExactly("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9");
    }
}
