package dev.everynode.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class PodOwnerTest {

    static Stream<Arguments> pods() {
        return Stream.of(
                Arguments.of("a pod controlled by a DaemonSet is owned by it",
                        "[{kind: DaemonSet, name: agent, controller: true}]", new PodOwner.DaemonSet("agent")),
                Arguments.of("a pod without owner references is an orphan", "[]", PodOwner.ORPHAN),
                Arguments.of("a DaemonSet that is not the controller does not own the pod",
                        "[{kind: DaemonSet, name: agent}]", PodOwner.ORPHAN),
                Arguments.of("a pod controlled by another kind is an orphan to the DaemonSets",
                        "[{kind: ReplicaSet, name: web, controller: true}]", PodOwner.ORPHAN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void readsTheControllingDaemonSet(String description, String ownerReferences, PodOwner expected) {
        JsonNode pod = new YAMLMapper().readTree("{metadata: {name: p, ownerReferences: " + ownerReferences + "}}");
        assertThat(PodOwner.of(pod)).isEqualTo(expected);
    }
}
