package dev.everynode.reconcile.plan;

import static dev.everynode.reconcile.plan.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.reconcile.plan.Model.Event;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.Status;
import dev.everynode.reconcile.plan.Progress.Condition;
import dev.everynode.reconcile.plan.Progress.Input;
import dev.everynode.reconcile.plan.Progress.Step;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Progressing condition: every state, every transition, and the events that mark them. */
class ProgressTest {

    private static final Duration DEADLINE = Duration.ofSeconds(600);

    /** desired, current (nodes with a pod), updated, updated and available, available. */
    private static Status st(int desired, int current, int updated, int updatedAvailable, int available) {
        return new Status(desired, current, 0, available, available, desired - available, updated, 0,
                updatedAvailable);
    }

    private static final Status COMPLETE = st(5, 5, 5, 5, 5);
    private static final Status MID_ROLLOUT = st(5, 5, 2, 2, 4);
    private static final Status HELD_AT_TWO = st(5, 5, 3, 3, 5);

    /** A stored condition of {@code reason} whose last progress was {@code secondsAgo} ago. */
    private static Condition was(String reason, long secondsAgo) {
        String status = switch (reason) {
            case Progress.PAUSED -> "Unknown";
            case Progress.DEADLINE_EXCEEDED -> "False";
            default -> "True";
        };
        return new Condition(status, reason, "", NOW.minusSeconds(secondsAgo), NOW.minusSeconds(secondsAgo));
    }

    /** A pass observing {@code after} with {@code before} stored. */
    private static In pass(Condition previous, Status before, Status after) {
        return new In(previous, before, after);
    }

    static final class In {
        private final Condition previous;
        private final Status before;
        private final Status after;
        private boolean newGeneration;
        private boolean paused;
        private IntOrPercent partition;

        In(Condition previous, Status before, Status after) {
            this.previous = previous;
            this.before = before;
            this.after = after;
        }

        In newGeneration() { newGeneration = true; return this; }
        In paused() { paused = true; return this; }
        In partition(int value) { partition = IntOrPercent.of(value); return this; }
        In partition(String percent) { partition = IntOrPercent.percent(percent); return this; }

        Input build() {
            return new Input("agent", previous, before, after, newGeneration, paused, partition, DEADLINE, NOW);
        }
    }

    /**
     * @param clockRestarted the condition's lastUpdateTime is now (else it kept the stored one)
     * @param events         the reasons of the events the pass records
     */
    record Case(String name, In pass, String status, String reason, boolean clockRestarted, List<String> events) {
        @Override public String toString() { return name; }
    }

    static Stream<Case> transitions() {
        return Stream.of(
            new Case("the first pass of a complete rollout is complete and says nothing",
                    pass(null, null, COMPLETE), "True", Progress.COMPLETE, true, List.of()),
            new Case("a rollout that updated a node is progressing and restarts the clock",
                    pass(was(Progress.PROGRESSING, 700), st(5, 5, 1, 1, 5), MID_ROLLOUT), "True",
                    Progress.PROGRESSING, true, List.of()),
            new Case("a new generation is progress", pass(was(Progress.PROGRESSING, 1000), MID_ROLLOUT, MID_ROLLOUT)
                    .newGeneration(), "True", Progress.PROGRESSING, true, List.of()),
            new Case("no progress within the deadline keeps progressing on the stored clock",
                    pass(was(Progress.PROGRESSING, 599), MID_ROLLOUT, MID_ROLLOUT), "True", Progress.PROGRESSING,
                    false, List.of()),
            new Case("no progress for the deadline exceeds it and warns once",
                    pass(was(Progress.PROGRESSING, 600), MID_ROLLOUT, MID_ROLLOUT), "False",
                    Progress.DEADLINE_EXCEEDED, false, List.of(Progress.DEADLINE_EXCEEDED)),
            new Case("an exceeded deadline without progress stays exceeded without a new warning",
                    pass(was(Progress.DEADLINE_EXCEEDED, 900), MID_ROLLOUT, MID_ROLLOUT), "False",
                    Progress.DEADLINE_EXCEEDED, false, List.of()),
            new Case("an exceeded deadline with progress is progressing again",
                    pass(was(Progress.DEADLINE_EXCEEDED, 900), MID_ROLLOUT, st(5, 5, 3, 2, 4)), "True",
                    Progress.PROGRESSING, true, List.of()),
            new Case("leaving completion restarts the clock instead of exceeding at once",
                    pass(was(Progress.COMPLETE, 86_400), COMPLETE, st(6, 5, 5, 5, 5)), "True",
                    Progress.PROGRESSING, true, List.of()),

            new Case("pausing is Unknown and records RolloutPaused",
                    pass(was(Progress.PROGRESSING, 10), MID_ROLLOUT, MID_ROLLOUT).paused(), "Unknown",
                    Progress.PAUSED, true, List.of(Progress.PAUSED)),
            new Case("the first pass of a paused DaemonSet records the pause", pass(null, null, MID_ROLLOUT).paused(),
                    "Unknown", Progress.PAUSED, true, List.of(Progress.PAUSED)),
            new Case("staying paused records nothing more and never exceeds the deadline",
                    pass(was(Progress.PAUSED, 5000), MID_ROLLOUT, MID_ROLLOUT).paused(), "Unknown", Progress.PAUSED,
                    false, List.of()),
            new Case("a complete rollout that is paused reads paused, as a paused Deployment does",
                    pass(was(Progress.COMPLETE, 50), COMPLETE, COMPLETE).paused(), "Unknown", Progress.PAUSED, true,
                    List.of(Progress.PAUSED)),
            new Case("resuming records RolloutResumed and restarts the deadline clock",
                    pass(was(Progress.PAUSED, 5000), MID_ROLLOUT, MID_ROLLOUT), "True", Progress.PROGRESSING, true,
                    List.of(Progress.RESUMED)),
            new Case("resuming a complete rollout is complete",
                    pass(was(Progress.PAUSED, 5000), COMPLETE, COMPLETE), "True", Progress.COMPLETE, true,
                    List.of(Progress.RESUMED)),

            new Case("every node the partition lets go updated and available: held at the partition",
                    pass(was(Progress.PROGRESSING, 10), MID_ROLLOUT, HELD_AT_TWO).partition(2), "True",
                    Progress.PARTITIONED, true, List.of(Progress.PARTITIONED)),
            new Case("held at the partition for long records nothing more and never exceeds the deadline",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, HELD_AT_TWO).partition(2), "True",
                    Progress.PARTITIONED, false, List.of()),
            new Case("a percent partition is of the desired nodes, rounded down",
                    pass(was(Progress.PROGRESSING, 10), HELD_AT_TWO, HELD_AT_TWO).partition("50%"), "True",
                    Progress.PARTITIONED, true, List.of(Progress.PARTITIONED)),
            new Case("fewer updated nodes than the partition lets go is progressing",
                    pass(was(Progress.PROGRESSING, 10), MID_ROLLOUT, MID_ROLLOUT).partition(2), "True",
                    Progress.PROGRESSING, false, List.of()),
            new Case("an updated pod that is not available yet is progress still to come, not held",
                    pass(was(Progress.PROGRESSING, 10), MID_ROLLOUT, st(5, 5, 3, 2, 4)).partition(2), "True",
                    Progress.PROGRESSING, true, List.of()),
            new Case("a node without a pod is progress still to come, not held",
                    pass(was(Progress.PROGRESSING, 10), HELD_AT_TWO, st(6, 5, 3, 3, 5)).partition(2), "True",
                    Progress.PROGRESSING, false, List.of()),
            new Case("a held node whose old pod is unavailable is still held: the rollout cannot help it",
                    pass(was(Progress.PROGRESSING, 10), MID_ROLLOUT, st(5, 5, 3, 3, 4)).partition(2), "True",
                    Progress.PARTITIONED, true, List.of(Progress.PARTITIONED)),
            new Case("more updated nodes than a raised partition lets go is held: updated pods are not reverted",
                    pass(was(Progress.PROGRESSING, 10), HELD_AT_TWO, HELD_AT_TWO).partition(3), "True",
                    Progress.PARTITIONED, true, List.of(Progress.PARTITIONED)),
            new Case("a partition covering every node holds them all",
                    pass(was(Progress.PROGRESSING, 10), st(5, 5, 0, 0, 5), st(5, 5, 0, 0, 5)).partition(5), "True",
                    Progress.PARTITIONED, true, List.of(Progress.PARTITIONED)),
            new Case("every node updated but one unavailable is progressing, nothing is held",
                    pass(was(Progress.PROGRESSING, 10), st(5, 5, 4, 4, 5), st(5, 5, 5, 4, 4)).partition(2), "True",
                    Progress.PROGRESSING, true, List.of()),
            new Case("without a partition nothing is held", pass(was(Progress.PROGRESSING, 10), MID_ROLLOUT,
                    HELD_AT_TWO), "True", Progress.PROGRESSING, true, List.of()),

            new Case("the partition lowered while held records PartitionChanged and restarts the clock",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, HELD_AT_TWO).partition(1), "True",
                    Progress.PROGRESSING, true, List.of(Progress.PARTITION_CHANGED)),
            new Case("the partition removed while held records PartitionReleased",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, HELD_AT_TWO), "True", Progress.PROGRESSING,
                    true, List.of(Progress.PARTITION_RELEASED)),
            new Case("a partition of zero is released",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, HELD_AT_TWO).partition(0), "True",
                    Progress.PROGRESSING, true, List.of(Progress.PARTITION_RELEASED)),
            new Case("an updated pod failing while held is no partition change",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, st(5, 5, 3, 2, 4)).partition(2), "True",
                    Progress.PROGRESSING, true, List.of()),
            new Case("a node joining while held is no partition change",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, st(6, 5, 3, 3, 5)).partition(2), "True",
                    Progress.PROGRESSING, true, List.of()),
            new Case("a template change while held is no partition change",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, st(5, 5, 0, 0, 5)).partition(2)
                            .newGeneration(), "True", Progress.PROGRESSING, true, List.of()),
            new Case("reaching the lowered partition records the new hold",
                    pass(was(Progress.PROGRESSING, 10), HELD_AT_TWO, st(5, 5, 4, 4, 5)).partition(1), "True",
                    Progress.PARTITIONED, true, List.of(Progress.PARTITIONED)),
            new Case("pausing while held records only the pause",
                    pass(was(Progress.PARTITIONED, 5000), HELD_AT_TWO, HELD_AT_TWO).partition(1).paused(), "Unknown",
                    Progress.PAUSED, true, List.of(Progress.PAUSED)),
            new Case("resuming while still held records the resume and the hold",
                    pass(was(Progress.PAUSED, 5000), HELD_AT_TWO, HELD_AT_TWO).partition(2), "True",
                    Progress.PARTITIONED, true, List.of(Progress.RESUMED, Progress.PARTITIONED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void movesBetweenStates(Case c) {
        Input input = c.pass().build();
        Step step = Progress.next(input);

        assertThat(step.condition().status()).as("status").isEqualTo(c.status());
        assertThat(step.condition().reason()).as("reason").isEqualTo(c.reason());
        assertThat(step.condition().lastUpdateTime()).as("lastUpdateTime")
                .isEqualTo(c.clockRestarted() ? NOW : input.previous().lastUpdateTime());
        assertThat(step.events()).extracting(Event::reason).as("events").isEqualTo(c.events());
    }

    @Test
    void theHeldStateSaysHowManyNodesThePartitionHolds() {
        Step step = Progress.next(pass(was(Progress.PROGRESSING, 10), MID_ROLLOUT, HELD_AT_TWO).partition(2).build());

        assertThat(step.condition().message())
                .isEqualTo("daemon set \"agent\" is held at its partition: 3 of 5 nodes updated, 5 available; "
                        + "2 held at partition");
        assertThat(step.events()).containsExactly(new Event("Normal", "RolloutPartitioned",
                "Rollout held at partition: 3 of 5 nodes updated, 5 available; 2 held at partition"));
    }

    @Test
    void partitionEventsSayWhatTheRolloutDoesNow() {
        assertThat(Progress.next(pass(was(Progress.PARTITIONED, 5), HELD_AT_TWO, HELD_AT_TWO).partition(1).build())
                .events()).containsExactly(new Event("Normal", "PartitionChanged",
                        "Partition lowered to hold 1 of 5 nodes: rolling out to 4"));
        assertThat(Progress.next(pass(was(Progress.PARTITIONED, 5), HELD_AT_TWO, HELD_AT_TWO).build()).events())
                .containsExactly(new Event("Normal", "PartitionReleased", "Partition released: rolling out to all 5 "
                        + "nodes"));
    }

    @Test
    void pauseAndResumeEventsCarryTheCounts() {
        assertThat(Progress.next(pass(was(Progress.PROGRESSING, 5), MID_ROLLOUT, MID_ROLLOUT).paused().build())
                .events()).containsExactly(new Event("Normal", "RolloutPaused",
                        "Rollout paused: 2 of 5 nodes updated, 4 available"));
        assertThat(Progress.next(pass(was(Progress.PAUSED, 5), MID_ROLLOUT, MID_ROLLOUT).build()).events())
                .containsExactly(new Event("Normal", "RolloutResumed",
                        "Rollout resumed: 2 of 5 nodes updated, 4 available"));
    }

    @Test
    void theDeadlineWarningIsTheConditionMessage() {
        Status onNotReadyNodes = new Status(5, 5, 0, 3, 3, 2, 2, 2, 0);
        Step step = Progress.next(pass(was(Progress.PROGRESSING, 600), onNotReadyNodes, onNotReadyNodes).build());

        assertThat(step.condition().message()).isEqualTo("daemon set \"agent\" has not progressed for 600s: "
                + "2 of 5 nodes updated, 3 available; 2 of 2 unavailable pods are on NotReady nodes");
        assertThat(step.events()).containsExactly(new Event("Warning", "ProgressDeadlineExceeded",
                step.condition().message()));
    }

    @Test
    void theTransitionTimeChangesOnlyWithTheStatus() {
        Condition progressing = was(Progress.PROGRESSING, 100);

        assertThat(Progress.next(pass(progressing, MID_ROLLOUT, HELD_AT_TWO).partition(2).build()).condition()
                .lastTransitionTime()).as("True to True").isEqualTo(progressing.lastTransitionTime());
        assertThat(Progress.next(pass(progressing, MID_ROLLOUT, MID_ROLLOUT).paused().build()).condition()
                .lastTransitionTime()).as("True to Unknown").isEqualTo(NOW);
    }

    @Test
    void onlyAProgressingRolloutIsLookedAtAgainForItsDeadline() {
        Condition progressing = was(Progress.PROGRESSING, 100);

        assertThat(Progress.recheckAfter(progressing, DEADLINE, NOW)).isEqualTo(Duration.ofSeconds(501));
        assertThat(Progress.recheckAfter(was(Progress.PROGRESSING, 700), DEADLINE, NOW)).isEqualTo(Duration.ZERO);
        for (String reason : List.of(Progress.COMPLETE, Progress.PAUSED, Progress.PARTITIONED,
                Progress.DEADLINE_EXCEEDED)) {
            assertThat(Progress.recheckAfter(was(reason, 100), DEADLINE, NOW)).as(reason).isNull();
        }
    }
}
