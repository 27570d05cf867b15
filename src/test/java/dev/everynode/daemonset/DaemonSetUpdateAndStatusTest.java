package dev.everynode.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.errors.Cause;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class DaemonSetUpdateAndStatusTest {

    @Test
    void anUnchangedSelectorIsAccepted() {
        ObjectNode old = Fixtures.fluentd();
        ObjectNode updated = Fixtures.set(Fixtures.fluentd(), "/spec/template/spec/containers/0/image",
                "'fluent/fluentd:v2'");
        assertThat(DaemonSetValidation.validateUpdate(updated, old)).isEmpty();
    }

    @Test
    void anEmptyMatchExpressionsListEqualsAnAbsentOne() {
        ObjectNode updated = Fixtures.set(Fixtures.fluentd(), "/spec/selector/matchExpressions", "[]");
        assertThat(DaemonSetValidation.validateUpdate(updated, Fixtures.fluentd())).isEmpty();
    }

    @Test
    void theSelectorIsImmutable() {
        ObjectNode updated = Fixtures.fluentd();
        Fixtures.set(updated, "/spec/selector/matchLabels/tier", "logging");
        Fixtures.set(updated, "/spec/template/metadata/labels/tier", "logging");
        assertThat(DaemonSetValidation.validateUpdate(updated, Fixtures.fluentd())).containsExactly(new Cause(
                "FieldValueInvalid", "spec.selector",
                "Invalid value: {\"matchLabels\":{\"name\":\"fluentd\",\"tier\":\"logging\"}}: field is immutable"));
    }

    @Test
    void theNameIsImmutableAndCreateRulesStillApply() {
        ObjectNode updated = Fixtures.set(Fixtures.fluentd(), "/metadata/name", "other");
        Fixtures.set(updated, "/spec/minReadySeconds", "-5");
        assertThat(DaemonSetValidation.validateUpdate(updated, Fixtures.fluentd())).containsExactly(
                new Cause("FieldValueInvalid", "metadata.name", "Invalid value: \"other\": field is immutable"),
                new Cause("FieldValueInvalid", "spec.minReadySeconds",
                        "Invalid value: -5: must be greater than or equal to 0"));
    }

    static Stream<Arguments> counters() {
        return Stream.of("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady",
                "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
                "collisionCount").map(Arguments::of);
    }

    @ParameterizedTest(name = "a negative status.{0} is invalid")
    @MethodSource("counters")
    void negativeStatusCountersAreInvalid(String counter) {
        ObjectNode status = (ObjectNode) Fixtures.value("{numberReady: 1, observedGeneration: 2}");
        status.put(counter, -1);
        assertThat(DaemonSetValidation.validateStatus(status)).containsExactly(new Cause("FieldValueInvalid",
                "status." + counter, "Invalid value: -1: must be greater than or equal to 0"));
    }

    @Test
    void aHealthyStatusIsValid() {
        assertThat(DaemonSetValidation.validateStatus((ObjectNode) Fixtures.value(
                "{currentNumberScheduled: 3, desiredNumberScheduled: 3, numberReady: 3, numberMisscheduled: 0, "
                        + "observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3}"))).isEmpty();
    }

    @Test
    void collisionCountCannotBeDecremented() {
        assertThat(DaemonSetValidation.validateStatusUpdate((ObjectNode) Fixtures.value("{collisionCount: 1}"),
                (ObjectNode) Fixtures.value("{collisionCount: 2}"))).containsExactly(new Cause("FieldValueInvalid",
                "status.collisionCount", "Invalid value: 1: cannot be decremented"));
    }
}
