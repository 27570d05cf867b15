package dev.everynode.nodeagent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off: {@code initial} doubling up to {@code max}. For container restarts (kubelet-like:
 * 1 s doubling to 5 min, reset when the container ran for {@code resetAfter}) use {@link #next(Duration)};
 * for control-plane retries {@link #nextJittered()} adds up to 50% jitter so that many agents do not return
 * in lock-step after an outage.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final Duration resetAfter;
    private Duration current;

    Backoff(Duration initial, Duration max, Duration resetAfter) {
        this.initial = initial;
        this.max = max;
        this.resetAfter = resetAfter;
        this.current = initial;
    }

    static Backoff restarts() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(10));
    }

    static Backoff controlPlane() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), null);
    }

    /** The delay before the next restart of a container that ran for {@code ranFor}. */
    synchronized Duration next(Duration ranFor) {
        if (resetAfter != null && ranFor != null && ranFor.compareTo(resetAfter) >= 0) {
            current = initial;
        }
        Duration delay = current;
        Duration doubled = current.multipliedBy(2);
        current = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    /** The next delay with jitter in [delay, 1.5 delay], capped at 1.5 max. */
    synchronized Duration nextJittered() {
        Duration base = next(null);
        long ms = base.toMillis();
        return Duration.ofMillis(ms + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }

    synchronized void reset() {
        current = initial;
    }
}
