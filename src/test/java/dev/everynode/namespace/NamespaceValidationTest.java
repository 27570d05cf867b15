package dev.everynode.namespace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.Messages;
import dev.everynode.apimachinery.errors.Cause;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class NamespaceValidationTest {

    private static ObjectNode yaml(String text) {
        return (ObjectNode) new YAMLMapper().readTree(text);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("a dotted name is not a DNS label", "{metadata: {name: kube.system}}",
                        new Cause("FieldValueInvalid", "metadata.name", "Invalid value: \"kube.system\": "
                                + Messages.LABEL)),
                Arguments.of("a name is required", "{metadata: {}}", new Cause("FieldValueRequired",
                        "metadata.name", "Required value: name or generateName is required")),
                Arguments.of("a bare finalizer must be a standard one", "{metadata: {name: a}, spec: {finalizers: "
                        + "[custom]}}", new Cause("FieldValueInvalid", "spec.finalizers", "Invalid value: \"custom\": "
                        + "name is neither a standard finalizer name nor is it fully qualified")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String description, String ns, Cause expected) {
        assertThat(NamespaceValidation.validate(yaml(ns))).containsExactly(expected);
    }

    @Test
    void defaultsAddFinalizerPhaseAndNameLabel() {
        ObjectNode ns = yaml("{metadata: {name: logging, labels: {team: ops}}}");
        NamespaceValidation.applyDefaults(ns);
        assertThat(ns).isEqualTo(yaml("{metadata: {name: logging, labels: {team: ops, "
                + "kubernetes.io/metadata.name: logging}}, spec: {finalizers: [kubernetes]}, "
                + "status: {phase: Active}}"));
        assertThat(NamespaceValidation.validate(ns)).isEmpty();
    }

    @Test
    void theNameLabelCannotBeSpoofedAndFinalizersAreNotDuplicated() {
        ObjectNode ns = yaml("{metadata: {name: a, labels: {kubernetes.io/metadata.name: b}}, "
                + "spec: {finalizers: [kubernetes, example.com/cleanup]}}");
        NamespaceValidation.applyDefaults(ns);
        assertThat(ns.at("/metadata/labels/kubernetes.io~1metadata.name").stringValue()).isEqualTo("a");
        assertThat(ns.at("/spec/finalizers").size()).isEqualTo(2);
        assertThat(NamespaceValidation.validate(ns)).isEmpty();
    }
}
