package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.create;
import static dev.everynode.reconcile.plan.Fixtures.delete;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.plan;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static dev.everynode.reconcile.plan.Fixtures.toleration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Fixtures.NodeBuilder;
import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision matrix of semantics §2.2, as a verdict and as the controller's action. */
class EligibilityTest {

    record Row(String name, DsBuilder ds, NodeBuilder node, boolean shouldRun, boolean shouldContinueRunning,
               List<Action> withoutPod, List<Action> withPod) {
        @Override public String toString() { return name; }
    }

    private static final List<Action> CREATE = List.of(create("n1"));
    private static final List<Action> KEEP = List.of();
    private static final List<Action> DELETE = List.of(delete("p1", "n1", DeleteReason.NOT_ELIGIBLE));

    static Stream<Row> matrix() {
        return Stream.of(
            new Row("a node where everything matches runs the pod", ds(), node("n1"), true, true, CREATE, KEEP),
            new Row("a template nodeName naming another node excludes the node",
                    ds().nodeName("n2"), node("n1"), false, false, KEEP, DELETE),
            new Row("a template nodeName naming this node includes it",
                    ds().nodeName("n1"), node("n1"), true, true, CREATE, KEEP),
            new Row("a nodeSelector that does not match excludes the node",
                    ds().nodeSelector(Map.of("disk", "ssd")), node("n1").label("disk", "hdd"), false, false,
                    KEEP, DELETE),
            new Row("a required affinity that does not match excludes the node",
                    ds().terms(Fixtures.term(Fixtures.req("zone", "In", "a"))), node("n1").label("zone", "b"),
                    false, false, KEEP, DELETE),
            new Row("an untolerated NoSchedule taint blocks new pods but keeps the running one",
                    ds(), node("n1").taint("dedicated", "NoSchedule"), false, true, KEEP, KEEP),
            new Row("an untolerated NoExecute taint evicts the pod",
                    ds(), node("n1").taint("dedicated", "NoExecute"), false, false, KEEP, DELETE),
            new Row("untolerated NoSchedule and NoExecute taints together evict the pod",
                    ds(), node("n1").taint("a", "NoSchedule").taint("b", "NoExecute"), false, false, KEEP, DELETE),
            new Row("an untolerated PreferNoSchedule taint is ignored",
                    ds(), node("n1").taint("dedicated", "PreferNoSchedule"), true, true, CREATE, KEEP),
            new Row("a tolerated NoSchedule taint does not block the pod",
                    ds().tolerations(toleration("dedicated", "Exists", "", "NoSchedule")),
                    node("n1").taint("dedicated", "NoSchedule"), true, true, CREATE, KEEP),
            new Row("a not-ready node is tolerated by default",
                    ds(), node("n1").notReady().taint("node.kubernetes.io/not-ready", "NoExecute"), true, true,
                    CREATE, KEEP),
            new Row("an unreachable node is tolerated by default",
                    ds(), node("n1").taint("node.kubernetes.io/unreachable", "NoExecute"), true, true, CREATE, KEEP),
            new Row("a cordoned node is tolerated by default",
                    ds(), node("n1").taint("node.kubernetes.io/unschedulable", "NoSchedule"), true, true, CREATE,
                    KEEP),
            new Row("disk, memory and pid pressure are tolerated by default",
                    ds(), node("n1").taint("node.kubernetes.io/disk-pressure", "NoSchedule")
                            .taint("node.kubernetes.io/memory-pressure", "NoSchedule")
                            .taint("node.kubernetes.io/pid-pressure", "NoSchedule"), true, true, CREATE, KEEP),
            new Row("network-unavailable blocks new pods without hostNetwork",
                    ds(), node("n1").taint("node.kubernetes.io/network-unavailable", "NoSchedule"), false, true,
                    KEEP, KEEP),
            new Row("network-unavailable is tolerated with hostNetwork",
                    ds().hostNetwork(), node("n1").taint("node.kubernetes.io/network-unavailable", "NoSchedule"),
                    true, true, CREATE, KEEP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void decidesWhetherTheNodeRunsTheDaemon(Row row) {
        Eligibility.Result result = Eligibility.shouldRun(row.ds().build().placement(), row.node().build());

        assertThat(result).isEqualTo(new Eligibility.Result(row.shouldRun(), row.shouldContinueRunning()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void actsOnAnEmptyNodeAndOnANodeWithAPod(Row row) {
        List<Model.NodeView> nodes = List.of(row.node().build());

        assertThat(plan(row.ds().build(), nodes, List.of()).actions()).isEqualTo(row.withoutPod());
        assertThat(plan(row.ds().build(), nodes, List.of(pod("p1", "n1").build())).actions())
                .isEqualTo(row.withPod());
    }
}
