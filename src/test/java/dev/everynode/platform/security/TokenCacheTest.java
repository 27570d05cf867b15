package dev.everynode.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.Await;
import dev.everynode.support.IntegrationTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A database token's lookup is cached for a minute; after that a known token is answered from the cache while one
 * background lookup refreshes it, so requests of known agents never wait on the database (with it unreachable, they
 * held every Tomcat thread and /livez went unanswered). On the real database of the test context, with a clock the
 * test moves.
 */
class TokenCacheTest extends IntegrationTest {

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-07T12:00:00Z"));

    private TokenRegistry registry() {
        return new TokenRegistry(jdbc, new SecurityProperties(true, null, null, null, null, null), clock);
    }

    @Test
    void anExpiredEntryIsAnsweredAtOnceAndRefreshedBehind() {
        TokenRegistry tokens = registry();
        TokenRegistry.Issued issued = tokens.issueNodeCredential("cache-node");
        assertThat(tokens.resolve(issued.token())).map(Principal::nodeName).contains("cache-node");

        // Revoked by another replica: this one does not know until it looks again.
        jdbc.update("UPDATE api_tokens SET revoked_at = now() WHERE node_name = 'cache-node'");
        clock.advance(Duration.ofSeconds(30));
        assertThat(tokens.resolve(issued.token())).as("within the cache time").isPresent();

        clock.advance(Duration.ofSeconds(31));
        assertThat(tokens.resolve(issued.token())).as("stale: answered from the cache, refresh started").isPresent();
        Await.until("the background lookup saw the revocation", Duration.ofSeconds(10),
                () -> tokens.resolve(issued.token()).isEmpty());
        tokens.stop();
    }

    @Test
    void pastTheStaleLimitTheLookupIsDirect() {
        TokenRegistry tokens = registry();
        TokenRegistry.Issued issued = tokens.issueNodeCredential("old-node");
        assertThat(tokens.resolve(issued.token())).isPresent();
        jdbc.update("UPDATE api_tokens SET revoked_at = now() WHERE node_name = 'old-node'");
        clock.advance(Duration.ofMinutes(12));
        assertThat(tokens.resolve(issued.token())).as("too old to answer from the cache").isEqualTo(Optional.empty());
        tokens.stop();
    }

    @Test
    void anUnknownTokenIsNotServedStale() {
        TokenRegistry tokens = registry();
        assertThat(tokens.resolve("enn_not-a-token")).isEmpty();
        TokenRegistry.Issued issued = tokens.issueNodeCredential("late-node");
        clock.advance(Duration.ofSeconds(61));
        assertThat(tokens.resolve("enn_not-a-token")).isEmpty();
        assertThat(tokens.resolve(issued.token())).isPresent();
        tokens.stop();
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
