package dev.everynode.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AuthFailureLimiterTest {

    @Test
    void blocksAnAddressAfterTheLimitUntilTheMinuteEnds() {
        var props = new SecurityProperties(true, null, null, null, null, 3);
        Instant t0 = Instant.parse("2026-11-28T01:00:05Z");
        Instant[] now = {t0};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        var limiter = new AuthFailureLimiter(props, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.blocked("10.0.0.1")).isFalse();
            limiter.failed("10.0.0.1");
        }
        assertThat(limiter.blocked("10.0.0.1")).isTrue();
        assertThat(limiter.blocked("10.0.0.2")).isFalse();
        assertThat(limiter.secondsLeftInWindow()).isEqualTo(55);
        now[0] = t0.plusSeconds(60);
        assertThat(limiter.blocked("10.0.0.1")).isFalse();
    }
}
