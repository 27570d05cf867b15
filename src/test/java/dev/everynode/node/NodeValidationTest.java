package dev.everynode.node;

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

class NodeValidationTest {

    private static ObjectNode node(String taints) {
        return (ObjectNode) new YAMLMapper().readTree("{metadata: {name: worker-1.example}, spec: {taints: "
                + taints + "}}");
    }

    static Stream<Arguments> taints() {
        return Stream.of(
                Arguments.of("a taint key must be a qualified name", "[{key: '-k', effect: NoSchedule}]",
                        new Cause("FieldValueInvalid", "spec.taints[0].key", "Invalid value: \"-k\": "
                                + Messages.NAME_PART)),
                Arguments.of("a taint value must be a label value", "[{key: k, value: '-v', effect: NoSchedule}]",
                        new Cause("FieldValueInvalid", "spec.taints[0].value", "Invalid value: \"-v\": "
                                + Messages.LABEL_VALUE)),
                Arguments.of("a taint effect is required", "[{key: k}]",
                        new Cause("FieldValueRequired", "spec.taints[0].effect", "Required value")),
                Arguments.of("a taint effect must be known", "[{key: k, effect: NoRun}]",
                        new Cause("FieldValueNotSupported", "spec.taints[0].effect", "Unsupported value: \"NoRun\": "
                                + "supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"")),
                Arguments.of("taints are unique by key and effect",
                        "[{key: k, effect: NoSchedule}, {key: k, value: v, effect: NoSchedule}]",
                        new Cause("FieldValueDuplicate", "spec.taints[1]", "Duplicate value: {\"key\":\"k\","
                                + "\"value\":\"v\",\"effect\":\"NoSchedule\"}: taints must be unique by key and "
                                + "effect pair")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("taints")
    void validatesTaints(String description, String taints, Cause expected) {
        assertThat(NodeValidation.validate(node(taints))).containsExactly(expected);
    }

    @Test
    void theSameKeyWithDifferentEffectsIsValid() {
        assertThat(NodeValidation.validate(node("[{key: k, effect: NoSchedule}, {key: k, effect: NoExecute}]")))
                .isEmpty();
    }

    @Test
    void aNodeNameMustBeADnsSubdomain() {
        ObjectNode node = node("[]");
        ((ObjectNode) node.get("metadata")).put("name", "Worker_1");
        assertThat(NodeValidation.validate(node)).containsExactly(new Cause("FieldValueInvalid", "metadata.name",
                "Invalid value: \"Worker_1\": " + Messages.SUBDOMAIN));
    }

    @Test
    void defaultingAddsEmptySpecAndStatus() {
        ObjectNode node = (ObjectNode) new YAMLMapper().readTree("{metadata: {name: n}}");
        NodeValidation.applyDefaults(node);
        assertThat(node.toString()).isEqualTo("{\"metadata\":{\"name\":\"n\"},\"spec\":{},\"status\":{}}");
        assertThat(NodeValidation.validate(node)).isEmpty();
    }
}
