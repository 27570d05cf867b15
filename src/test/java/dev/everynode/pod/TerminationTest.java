package dev.everynode.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TerminationTest {

    record Case(String name, String pod, Long requested, long expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> gracePeriods() {
        return Stream.of(
                new Case("no grace period anywhere: 30 s", "{\"spec\": {}}", null, 30),
                new Case("the pod's own terminationGracePeriodSeconds", "{\"spec\": {\"terminationGracePeriodSeconds\": 5}}",
                        null, 5),
                new Case("the request's gracePeriodSeconds wins", "{\"spec\": {\"terminationGracePeriodSeconds\": 5}}",
                        12L, 12),
                new Case("a malformed own grace period: 30 s", "{\"spec\": {\"terminationGracePeriodSeconds\": \"x\"}}",
                        null, 30));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gracePeriods")
    void gracePeriodSeconds(Case c) {
        assertThat(Termination.gracePeriodSeconds(Json.parseObject(c.pod()), c.requested())).isEqualTo(c.expected());
    }

    @Test
    void deletionTimestampIsNowPlusGraceInWholeSeconds() {
        assertThat(Termination.deletionTimestamp(Instant.parse("2026-01-02T03:04:05.987654Z"), 30))
                .isEqualTo(Instant.parse("2026-01-02T03:04:35Z"));
    }

    @Test
    void givenGracePeriodIsTheOneInMetadata() {
        assertThat(Termination.givenGracePeriodSeconds(Json.parseObject(
                "{\"metadata\": {\"deletionGracePeriodSeconds\": 7}, \"spec\": {\"terminationGracePeriodSeconds\": 5}}")))
                .isEqualTo(7);
        assertThat(Termination.givenGracePeriodSeconds(Json.parseObject("{\"metadata\": {}}"))).isEqualTo(30);
    }
}
