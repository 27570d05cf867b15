package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NEW;
import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.OLD;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.newFrom;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.nodes;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static dev.everynode.reconcile.plan.Fixtures.podsOn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.RolloutNodes.Nodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The rollout view's node lists: pending, updating, held (by the partition or the pause), unavailable. */
class RolloutNodesTest {

    record Case(String name, DsBuilder ds, List<NodeView> nodes, List<PodView> pods, Nodes expected) {
        @Override public String toString() { return name; }
    }

    private static final List<NodeView> FIVE = nodes(5);

    private static List<PodView> with(List<PodView> pods, PodView... more) {
        List<PodView> all = new ArrayList<>(pods);
        all.addAll(List.of(more));
        return all;
    }

    private static Nodes nodesOf(List<String> pending, List<String> updating, List<String> held,
                                 List<String> unavailable) {
        return new Nodes(pending, updating, held, unavailable);
    }

    static Stream<Case> cases() {
        List<NodeView> six = with6();
        return Stream.of(
            new Case("held at a partition of two: the first two nodes by name are held, not updating",
                    ds().partition(2), FIVE, newFrom(FIVE, 3),
                    nodesOf(List.of(), List.of(), List.of("n1", "n2"), List.of())),
            new Case("nodes the partition lets go that are not updated yet are updating",
                    ds().partition(2), FIVE, podsOn(FIVE, OLD),
                    nodesOf(List.of(), List.of("n3", "n4", "n5"), List.of("n1", "n2"), List.of())),
            new Case("without a partition every old node is updating", ds(), FIVE, newFrom(FIVE, 3),
                    nodesOf(List.of(), List.of("n1", "n2"), List.of(), List.of())),
            new Case("paused: every node on an older revision is held", ds().paused(), FIVE, newFrom(FIVE, 5),
                    nodesOf(List.of(), List.of(), List.of("n1", "n2", "n3", "n4"), List.of())),
            new Case("paused: a node added without a pod yet is pending, not held", ds().paused(), six,
                    podsOn(FIVE, OLD), nodesOf(List.of("n6"), List.of(), List.of("n1", "n2", "n3", "n4", "n5"),
                            List.of("n6"))),
            new Case("paused: a node added with its new pod not ready is unavailable only", ds().paused(), six,
                    with(podsOn(FIVE, OLD), pod("p-n6", "n6").pending().build()),
                    nodesOf(List.of(), List.of(), List.of("n1", "n2", "n3", "n4", "n5"), List.of("n6"))),
            new Case("paused: a replacement under way is updating", ds().paused(), FIVE,
                    with(newFrom(FIVE, 2).subList(1, 5), pod("p-n1", "n1").old().terminating().build()),
                    nodesOf(List.of(), List.of("n1"), List.of(), List.of("n1"))),
            new Case("held: an old pod that is not ready is held and unavailable", ds().partition(2), FIVE,
                    with(newFrom(FIVE, 3).subList(1, 5), pod("p-n1", "n1").old().notReady().build()),
                    nodesOf(List.of(), List.of(), List.of("n1", "n2"), List.of("n1"))),
            new Case("surging: a node with an old and a new pod is updating", ds().maxSurge(1), FIVE,
                    with(newFrom(FIVE, 2), pod("s-n1", "n1").notReady().created(NOW).build()),
                    nodesOf(List.of(), List.of("n1"), List.of(), List.of())),
            new Case("OnDelete holds nothing: old nodes wait for a delete", ds().onDelete(), FIVE, newFrom(FIVE, 4),
                    nodesOf(List.of(), List.of("n1", "n2", "n3"), List.of(), List.of())),
            new Case("a node that should not run the pod is not listed", ds().partition(2),
                    List.of(node("n1").taint("x", "NoExecute").build(), node("n2").build()),
                    List.of(pod("p-n1", "n1").old().build(), pod("p-n2", "n2").old().build()),
                    nodesOf(List.of(), List.of(), List.of("n2"), List.of())));
    }

    private static List<NodeView> with6() {
        List<NodeView> six = new ArrayList<>(FIVE);
        six.add(node("n6").build());
        return six;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void saysWhereEachNodeStands(Case c) {
        Nodes nodes = RolloutNodes.of(new Snapshot(c.ds().build(), c.nodes(), c.pods(), Map.of()), NOW);

        assertThat(nodes).isEqualTo(c.expected());
    }

    record CellCase(String name, DsBuilder ds, List<NodeView> nodes, List<PodView> pods, List<String> expected) {
        @Override public String toString() { return name; }
    }

    static Stream<CellCase> cellCases() {
        List<NodeView> six = with6();
        return Stream.of(
            new CellCase("mid-rollout: updated, a replacement under way, old", ds(), FIVE,
                    with(newFrom(FIVE, 3).subList(1, 5), pod("p-n1", "n1").old().terminating().build()),
                    List.of("n1 Updating -", "n2 Old " + OLD, "n3 Updated " + NEW, "n4 Updated " + NEW,
                            "n5 Updated " + NEW)),
            new CellCase("a new pod not ready yet is updating; a failed one is unavailable", ds(), FIVE,
                    with(newFrom(FIVE, 3).subList(2, 5), pod("p-n1", "n1").notReady().build(),
                            pod("p-n2", "n2").failed().build()),
                    List.of("n1 Updating " + NEW, "n2 Unavailable " + NEW, "n3 Updated " + NEW, "n4 Updated " + NEW,
                            "n5 Updated " + NEW)),
            new CellCase("held at a partition of two; a node without a pod is unavailable", ds().partition(2), six,
                    newFrom(FIVE, 3),
                    List.of("n1 Held " + OLD, "n2 Held " + OLD, "n3 Updated " + NEW, "n4 Updated " + NEW,
                            "n5 Updated " + NEW, "n6 Unavailable -")),
            new CellCase("paused: old nodes are held, an old pod not ready is unavailable", ds().paused(), FIVE,
                    with(newFrom(FIVE, 4).subList(1, 5), pod("p-n1", "n1").old().notReady().build()),
                    List.of("n1 Unavailable " + OLD, "n2 Held " + OLD, "n3 Held " + OLD, "n4 Updated " + NEW,
                            "n5 Updated " + NEW)),
            new CellCase("OnDelete: old nodes are old, not held", ds().onDelete(), FIVE, newFrom(FIVE, 4),
                    List.of("n1 Old " + OLD, "n2 Old " + OLD, "n3 Old " + OLD, "n4 Updated " + NEW,
                            "n5 Updated " + NEW)),
            new CellCase("surging: two pods on a node is updating", ds().maxSurge(1), FIVE,
                    with(newFrom(FIVE, 2), pod("s-n1", "n1").notReady().created(NOW).build()),
                    List.of("n1 Updating " + NEW, "n2 Updated " + NEW, "n3 Updated " + NEW, "n4 Updated " + NEW,
                            "n5 Updated " + NEW)),
            new CellCase("a tainted node: misscheduled with a pod, not scheduled without", ds(),
                    List.of(node("n1").taint("x", "NoExecute").build(), node("n2").taint("x", "NoSchedule").build(),
                            node("n3").build()),
                    List.of(pod("p-n1", "n1").build(), pod("p-n3", "n3").build()),
                    List.of("n1 Misscheduled " + NEW, "n2 NotScheduled -", "n3 Updated " + NEW)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellCases")
    void givesEachNodeOneCell(CellCase c) {
        List<String> cells = RolloutNodes.cells(new Snapshot(c.ds().build(), c.nodes(), c.pods(), Map.of()), NOW)
                .stream().map(cell -> cell.node() + " " + cell.state() + " "
                        + (cell.revisionHash() == null ? "-" : cell.revisionHash())).toList();

        assertThat(cells).isEqualTo(c.expected());
        assertThat(RolloutNodes.CELL_STATES).containsAll(cells.stream().map(s -> s.split(" ")[1]).toList());
    }
}
