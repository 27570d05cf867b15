package dev.everynode.reconcile.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.Strategy;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Semantics §5.2: GetScaledValueFromIntOrPercent and the update budget (TestGetUnavailableNumbers). */
class IntOrPercentsTest {

    record Scale(String name, IntOrPercent value, int total, boolean roundUp, int expected) {
        @Override public String toString() { return name; }
    }

    static Stream<Scale> scaling() {
        return Stream.of(
            new Scale("a plain int is taken as is", IntOrPercent.of(3), 10, true, 3),
            new Scale("a plain int ignores the total", IntOrPercent.of(3), 1, false, 3),
            new Scale("50% of 3 rounds up to 2", IntOrPercent.percent("50%"), 3, true, 2),
            new Scale("50% of 3 rounds down to 1", IntOrPercent.percent("50%"), 3, false, 1),
            new Scale("1% of 1 rounds up to 1", IntOrPercent.percent("1%"), 1, true, 1),
            new Scale("1% of 1 rounds down to 0", IntOrPercent.percent("1%"), 1, false, 0),
            new Scale("100% of 2 is 2", IntOrPercent.percent("100%"), 2, true, 2),
            new Scale("0% is 0", IntOrPercent.percent("0%"), 7, true, 0),
            new Scale("29% of 100 is exactly 29 either way", IntOrPercent.percent("29%"), 100, true, 29),
            new Scale("a null value counts as 0", null, 5, true, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scaling")
    void scales(Scale s) {
        assertThat(IntOrPercents.scaled(s.value(), s.total(), s.roundUp())).isEqualTo(s.expected());
    }

    @Test
    void aStringThatIsNotAPercentIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> IntOrPercents.scaled(IntOrPercent.percent("50"), 2, true));
        assertThatIllegalArgumentException().isThrownBy(() -> IntOrPercents.scaled(IntOrPercent.percent("x%"), 2, true));
    }

    record Budget(String name, Strategy strategy, int desired, int maxUnavailable, int maxSurge) {
        @Override public String toString() { return name; }
    }

    private static Strategy rolling(IntOrPercent maxUnavailable, IntOrPercent maxSurge) {
        return new Strategy("RollingUpdate", maxUnavailable, maxSurge, null, false);
    }

    static Stream<Budget> budgets() {
        IntOrPercent zero = IntOrPercent.of(0);
        return Stream.of(
            new Budget("one unavailable on two nodes", rolling(IntOrPercent.of(1), zero), 2, 1, 0),
            new Budget("50% unavailable on two nodes is one", rolling(IntOrPercent.percent("50%"), zero), 2, 1, 0),
            new Budget("50% unavailable on three nodes rounds up to two",
                    rolling(IntOrPercent.percent("50%"), zero), 3, 2, 0),
            new Budget("100% surge on two nodes is two", rolling(zero, IntOrPercent.percent("100%")), 2, 0, 2),
            new Budget("zero unavailable and zero surge fall back to one unavailable", rolling(zero, zero), 2, 1, 0),
            new Budget("zero and zero on no nodes stay zero", rolling(zero, zero), 0, 0, 0),
            new Budget("null values count as zero", rolling(null, null), 4, 1, 0),
            new Budget("OnDelete has no budget of its own", new Strategy("OnDelete", null, null, null, false), 3, 1,
                    0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("budgets")
    void computesTheUpdateBudget(Budget b) {
        assertThat(UpdateBudget.of(b.strategy(), b.desired()))
                .isEqualTo(new UpdateBudget(b.maxUnavailable(), b.maxSurge()));
    }

    @Test
    void anyPositiveSurgeAllowsSurging() {
        assertThat(UpdateBudget.allowsSurge(rolling(IntOrPercent.of(0), IntOrPercent.percent("1%")))).isTrue();
        assertThat(UpdateBudget.allowsSurge(rolling(IntOrPercent.of(1), IntOrPercent.of(0)))).isFalse();
        assertThat(UpdateBudget.allowsSurge(new Strategy("OnDelete", null, IntOrPercent.of(2), null, false)))
                .isFalse();
    }
}
