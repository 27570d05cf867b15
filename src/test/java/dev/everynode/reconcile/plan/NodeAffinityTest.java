package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.fieldTerm;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.req;
import static dev.everynode.reconcile.plan.Fixtures.term;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Fixtures.DsBuilder;
import dev.everynode.reconcile.plan.Fixtures.NodeBuilder;
import dev.everynode.reconcile.plan.Model.NodeSelectorTerm;
import dev.everynode.reconcile.plan.Model.Requirement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** nodeSelector and required node affinity, semantics §2.3 and §2.4. */
class NodeAffinityTest {

    record Case(String name, DsBuilder ds, NodeBuilder node, boolean matches) {
        @Override public String toString() { return name; }
    }

    private static NodeBuilder labelled() {
        return node("n1").label("zone", "a").label("cpus", "8").label("tier", "gold");
    }

    private static DsBuilder expr(Requirement... requirements) {
        return ds().terms(term(requirements));
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("no nodeSelector and no affinity match every node", ds(), labelled(), true),
            new Case("a nodeSelector matches when every pair is present", ds().nodeSelector(Map.of("zone", "a",
                    "tier", "gold")), labelled(), true),
            new Case("a nodeSelector fails on one differing value", ds().nodeSelector(Map.of("zone", "a",
                    "tier", "silver")), labelled(), false),
            new Case("a nodeSelector fails on a missing key", ds().nodeSelector(Map.of("gpu", "yes")), labelled(),
                    false),
            new Case("In matches a listed value", expr(req("zone", "In", "b", "a")), labelled(), true),
            new Case("In fails on an unlisted value", expr(req("zone", "In", "b")), labelled(), false),
            new Case("In fails on a missing key", expr(req("gpu", "In", "yes")), labelled(), false),
            new Case("In without values is invalid and matches nothing", expr(req("zone", "In")), labelled(), false),
            new Case("NotIn fails on a listed value", expr(req("zone", "NotIn", "a")), labelled(), false),
            new Case("NotIn matches an unlisted value", expr(req("zone", "NotIn", "b")), labelled(), true),
            new Case("NotIn matches a missing key", expr(req("gpu", "NotIn", "yes")), labelled(), true),
            new Case("Exists matches a present key", expr(req("zone", "Exists")), labelled(), true),
            new Case("Exists fails on a missing key", expr(req("gpu", "Exists")), labelled(), false),
            new Case("Exists with values is invalid and matches nothing", expr(req("zone", "Exists", "a")),
                    labelled(), false),
            new Case("DoesNotExist fails on a present key", expr(req("zone", "DoesNotExist")), labelled(), false),
            new Case("DoesNotExist matches a missing key", expr(req("gpu", "DoesNotExist")), labelled(), true),
            new Case("Gt matches a larger integer", expr(req("cpus", "Gt", "4")), labelled(), true),
            new Case("Gt fails on an equal integer", expr(req("cpus", "Gt", "8")), labelled(), false),
            new Case("Gt fails on a missing key", expr(req("memory", "Gt", "4")), labelled(), false),
            new Case("Gt fails on a non-integer node value", expr(req("zone", "Gt", "4")), labelled(), false),
            new Case("Gt with a non-integer requirement value matches nothing", expr(req("cpus", "Gt", "four")),
                    labelled(), false),
            new Case("Gt with two values matches nothing", expr(req("cpus", "Gt", "1", "2")), labelled(), false),
            new Case("Gt accepts negative integers", expr(req("cpus", "Gt", "-3")), labelled(), true),
            new Case("Lt matches a smaller integer", expr(req("cpus", "Lt", "16")), labelled(), true),
            new Case("Lt fails on a larger integer", expr(req("cpus", "Lt", "2")), labelled(), false),
            new Case("Lt fails on a decimal node value", expr(req("cpus", "Lt", "16")),
                    node("n1").label("cpus", "7.5"), false),
            new Case("an unknown operator matches nothing", expr(req("zone", "Equals", "a")), labelled(), false),
            new Case("expressions in one term are ANDed", expr(req("zone", "In", "a"), req("tier", "In", "silver")),
                    labelled(), false),
            new Case("terms are ORed", ds().terms(term(req("zone", "In", "b")), term(req("tier", "In", "gold"))),
                    labelled(), true),
            new Case("an empty term matches nothing", ds().terms(new NodeSelectorTerm(List.of(), List.of())),
                    labelled(), false),
            new Case("an empty term next to a matching term still matches",
                    ds().terms(new NodeSelectorTerm(null, null), term(req("zone", "Exists"))), labelled(), true),
            new Case("an invalid term next to a matching term still matches",
                    ds().terms(term(req("zone", "In")), term(req("zone", "In", "a"))), labelled(), true),
            new Case("an empty list of terms matches nothing", ds().terms(List.of()), labelled(), false),
            new Case("matchFields metadata.name In the node name matches",
                    ds().terms(fieldTerm(req("metadata.name", "In", "n1"))), labelled(), true),
            new Case("matchFields metadata.name In another name fails",
                    ds().terms(fieldTerm(req("metadata.name", "In", "n2"))), labelled(), false),
            new Case("matchFields metadata.name NotIn the node name fails",
                    ds().terms(fieldTerm(req("metadata.name", "NotIn", "n1"))), labelled(), false),
            new Case("matchFields metadata.name NotIn another name matches",
                    ds().terms(fieldTerm(req("metadata.name", "NotIn", "n2"))), labelled(), true),
            new Case("matchFields with two values matches nothing",
                    ds().terms(fieldTerm(req("metadata.name", "In", "n1", "n2"))), labelled(), false),
            new Case("matchFields with Exists matches nothing",
                    ds().terms(fieldTerm(req("metadata.name", "Exists"))), labelled(), false),
            new Case("matchFields and matchExpressions of one term are ANDed",
                    ds().terms(new NodeSelectorTerm(List.of(req("zone", "In", "b")),
                            List.of(req("metadata.name", "In", "n1")))), labelled(), false),
            new Case("nodeSelector and affinity must both hold",
                    ds().nodeSelector(Map.of("zone", "b")).terms(term(req("tier", "In", "gold"))), labelled(),
                    false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesNodes(Case c) {
        assertThat(Eligibility.shouldRun(c.ds().build().placement(), c.node().build()).shouldRun())
                .isEqualTo(c.matches());
    }
}
