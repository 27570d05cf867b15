package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void restartsDoubleFromOneSecondToFiveMinutes() {
        Backoff b = Backoff.restarts();
        Duration ran = Duration.ofSeconds(1);
        assertThat(b.next(ran)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.next(ran)).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.next(ran)).isEqualTo(Duration.ofSeconds(4));
        for (int i = 0; i < 10; i++) {
            b.next(ran);
        }
        assertThat(b.next(ran)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aContainerThatRanTenMinutesStartsOverAtOneSecond() {
        Backoff b = Backoff.restarts();
        for (int i = 0; i < 6; i++) {
            b.next(Duration.ofSeconds(3));
        }
        assertThat(b.next(Duration.ofMinutes(9))).isEqualTo(Duration.ofSeconds(64));
        assertThat(b.next(Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.next(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void controlPlaneRetriesAreJitteredAndCapped() {
        Backoff b = Backoff.controlPlane();
        Duration first = b.nextJittered();
        assertThat(first).isBetween(Duration.ofMillis(500), Duration.ofMillis(750));
        Duration last = first;
        for (int i = 0; i < 20; i++) {
            last = b.nextJittered();
        }
        assertThat(last).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(45));
        b.reset();
        assertThat(b.nextJittered()).isLessThanOrEqualTo(Duration.ofMillis(750));
    }
}
