package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.toleration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.Taint;
import dev.everynode.reconcile.plan.Model.Toleration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Toleration matching and the default daemon tolerations, semantics §2.5. */
class TolerationsTest {

    record Case(String name, Toleration toleration, Taint taint, boolean tolerates) {
        @Override public String toString() { return name; }
    }

    private static final Taint GPU = new Taint("gpu", "nvidia", "NoSchedule");

    static Stream<Case> matching() {
        return Stream.of(
            new Case("Equal with the same key, value and effect tolerates",
                    toleration("gpu", "Equal", "nvidia", "NoSchedule"), GPU, true),
            new Case("Equal with another value does not tolerate",
                    toleration("gpu", "Equal", "amd", "NoSchedule"), GPU, false),
            new Case("an empty operator means Equal",
                    toleration("gpu", "", "nvidia", "NoSchedule"), GPU, true),
            new Case("a null operator means Equal and compares values",
                    toleration("gpu", null, "amd", "NoSchedule"), GPU, false),
            new Case("Exists tolerates any value of the key",
                    toleration("gpu", "Exists", "", "NoSchedule"), GPU, true),
            new Case("Exists with an empty key tolerates every taint",
                    toleration("", "Exists", "", ""), GPU, true),
            new Case("an empty effect tolerates every effect",
                    toleration("gpu", "Exists", "", ""), new Taint("gpu", "x", "NoExecute"), true),
            new Case("another effect does not tolerate",
                    toleration("gpu", "Exists", "", "NoExecute"), GPU, false),
            new Case("another key does not tolerate",
                    toleration("fpga", "Exists", "", "NoSchedule"), GPU, false),
            new Case("an unknown operator does not tolerate",
                    toleration("gpu", "Gt", "1", "NoSchedule"), GPU, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matching")
    void matchesTaints(Case c) {
        assertThat(Tolerations.tolerates(c.toleration(), c.taint())).isEqualTo(c.tolerates());
    }

    private static final List<String> DEFAULT_KEYS = List.of("node.kubernetes.io/not-ready",
            "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
            "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable");

    @Test
    void aPlainPodGetsTheSixDefaultTolerationsInKubernetesOrder() {
        List<Toleration> result = Tolerations.withDefaults(List.of(), false);

        assertThat(result).extracting(Toleration::key).containsExactlyElementsOf(DEFAULT_KEYS);
        assertThat(result).extracting(Toleration::operator).containsOnly("Exists");
        assertThat(result).extracting(Toleration::effect)
                .containsExactly("NoExecute", "NoExecute", "NoSchedule", "NoSchedule", "NoSchedule", "NoSchedule");
    }

    @Test
    void aHostNetworkPodAlsoToleratesAnUnavailableNetwork() {
        List<Toleration> result = Tolerations.withDefaults(null, true);

        assertThat(result).hasSize(7);
        assertThat(result.get(6)).isEqualTo(toleration("node.kubernetes.io/network-unavailable", "Exists", "",
                "NoSchedule"));
    }

    @Test
    void templateTolerationsComeFirstAndAnIdenticalDefaultIsNotDuplicated() {
        Toleration own = toleration("team", "Equal", "infra", "NoSchedule");
        Toleration sameAsDefault = toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule");

        List<Toleration> result = Tolerations.withDefaults(List.of(own, sameAsDefault), false);

        assertThat(result).hasSize(7);
        assertThat(result.subList(0, 2)).containsExactly(own, sameAsDefault);
        assertThat(result).filteredOn(t -> t.key().equals("node.kubernetes.io/unschedulable")).hasSize(1);
    }

    @Test
    void aTemplateTolerationThatOnlyResemblesADefaultKeepsBoth() {
        Toleration narrower = toleration("node.kubernetes.io/not-ready", "Exists", "", "NoSchedule");

        List<Toleration> result = Tolerations.withDefaults(List.of(narrower), false);

        assertThat(result).hasSize(7);
        assertThat(result).filteredOn(t -> t.key().equals("node.kubernetes.io/not-ready")).hasSize(2);
    }
}
