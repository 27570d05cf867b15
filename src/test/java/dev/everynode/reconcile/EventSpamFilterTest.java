package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** client-go's spam filter: 25 events at once per object, then one per 5 minutes. */
class EventSpamFilterTest {

    @Test
    void allowsABurstOf25ThenOneEveryFiveMinutesPerObject() {
        EventRecorder.SpamFilter filter = new EventRecorder.SpamFilter();
        UUID ds = UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-28T00:00:00Z");
        int allowed = 0;
        for (int i = 0; i < 1000; i++) {
            allowed += filter.allow(ds, t0) ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(25);
        assertThat(filter.allow(UUID.randomUUID(), t0)).as("another object has its own bucket").isTrue();
        assertThat(filter.allow(ds, t0.plusSeconds(299))).isFalse();
        assertThat(filter.allow(ds, t0.plusSeconds(301))).isTrue();
        assertThat(filter.allow(ds, t0.plusSeconds(302))).isFalse();
    }
}
