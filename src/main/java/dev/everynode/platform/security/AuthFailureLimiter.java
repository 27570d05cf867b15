package dev.everynode.platform.security;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Slows down token guessing: each client address may fail authentication a limited number of times per minute;
 * beyond that it gets 429 until the minute is over, whether or not its next token is right.
 */
@Component
class AuthFailureLimiter {

    private record Window(long minute, int failures) {}

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final SecurityProperties properties;
    private final Clock clock;

    AuthFailureLimiter(SecurityProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    boolean blocked(String address) {
        Window w = windows.get(address);
        return w != null && w.minute() == minute() && w.failures() >= properties.failuresPerMinute();
    }

    void failed(String address) {
        long minute = minute();
        if (windows.size() > 100_000) {
            windows.clear();
        }
        windows.merge(address, new Window(minute, 1),
                (old, one) -> old.minute() == minute ? new Window(minute, old.failures() + 1) : one);
    }

    long secondsLeftInWindow() {
        return 60 - (clock.millis() / 1000) % 60;
    }

    private long minute() {
        return clock.millis() / 60_000;
    }
}
