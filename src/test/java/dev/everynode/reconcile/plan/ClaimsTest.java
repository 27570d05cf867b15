package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.BURST;
import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static dev.everynode.reconcile.plan.Fixtures.create;
import static dev.everynode.reconcile.plan.Fixtures.ds;
import static dev.everynode.reconcile.plan.Fixtures.node;
import static dev.everynode.reconcile.plan.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.Candidate;
import dev.everynode.reconcile.plan.Model.Observed;
import dev.everynode.reconcile.plan.Model.Pass;
import dev.everynode.reconcile.plan.Model.PodView;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A pass claims its pods first (Kubernetes ClaimPods): adopt matching orphans, release owned pods it no longer selects. */
class ClaimsTest {

    record Case(String name, List<Candidate> candidates, List<Action> expected, List<String> claimed) {
        @Override public String toString() { return name; }
    }

    private static Candidate owned(PodView pod) {
        return new Candidate(pod, true, true);
    }

    private static Candidate ownedNotMatching(PodView pod) {
        return new Candidate(pod, true, false);
    }

    private static Candidate orphan(PodView pod) {
        return new Candidate(pod, false, true);
    }

    private static Candidate orphanNotMatching(PodView pod) {
        return new Candidate(pod, false, false);
    }

    static Stream<Case> cases() {
        PodView p1 = pod("p1", "n1").build();
        PodView p2 = pod("p2", "n2").build();
        return Stream.of(
            new Case("owned pods that match: claimed, nothing to write", List.of(owned(p1), owned(p2)), List.of(),
                    List.of("p1", "p2")),
            new Case("matching orphan: adopted and claimed, so its node gets no second pod",
                    List.of(owned(p1), orphan(p2)), List.of(new Action.AdoptPod("p2")), List.of("p1", "p2")),
            new Case("terminating orphan: left alone, its node gets a pod",
                    List.of(owned(p1), orphan(pod("p2", "n2").terminating().build())), List.of(create("n2")),
                    List.of("p1")),
            new Case("orphan that does not match: left alone", List.of(owned(p1), orphanNotMatching(p2)),
                    List.of(create("n2")), List.of("p1")),
            new Case("owned pod that stopped matching: released, its node gets a pod",
                    List.of(owned(p1), ownedNotMatching(p2)), List.of(new Action.ReleasePod("p2"), create("n2")),
                    List.of("p1")),
            new Case("a terminating owned pod that stopped matching is released too",
                    List.of(owned(p1), ownedNotMatching(pod("p2", "n2").terminating().build())),
                    List.of(new Action.ReleasePod("p2"), create("n2")), List.of("p1")),
            new Case("releases come before adoptions, each by name",
                    List.of(orphan(pod("b", "n2").build()), ownedNotMatching(pod("z", "n1").build()),
                            orphan(pod("a", "n1").build()), ownedNotMatching(pod("y", "n2").build())),
                    List.of(new Action.ReleasePod("y"), new Action.ReleasePod("z"), new Action.AdoptPod("a"),
                            new Action.AdoptPod("b")),
                    List.of("a", "b")),
            new Case("no candidates: every node gets a pod", List.of(), List.of(create("n1"), create("n2")),
                    List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void claimsThenPlans(Case c) {
        Observed observed = new Observed(ds().build(), List.of(node("n1").build(), node("n2").build()),
                c.candidates(), Map.of());
        Pass pass = Planner.plan(observed, NOW, BURST);
        assertThat(pass.plan().actions()).containsExactlyElementsOf(c.expected());
        assertThat(pass.snapshot().pods()).extracting(PodView::name).containsExactlyElementsOf(c.claimed());
    }
}
