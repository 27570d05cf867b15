package dev.everynode.support;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The tests' shorthand for Awaitility: polls a condition every 50 ms until it holds or the time is up. The
 * condition's description is Awaitility's alias, so a timeout says what was awaited.
 */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(50);

    private Await() {}

    /** Assertions that may throw a checked exception. */
    @FunctionalInterface
    public interface Checks {
        void run() throws Exception;
    }

    /** Awaitility with this project's polling (first check at once, then every 50 ms), aliased {@code what}. */
    public static ConditionFactory await(String what) {
        return Awaitility.await(what).pollDelay(Duration.ZERO).pollInterval(POLL).pollInSameThread();
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        try {
            await(what).atMost(timeout).until(condition::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what, e);
        }
    }

    /**
     * That something does NOT happen: {@code condition} holds on every poll (every 100 ms) for all of
     * {@code during}; the first poll on which it does not fails at once.
     */
    public static void holds(String what, Duration during, BooleanSupplier condition) {
        throughout(what, during, () -> {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("no longer " + what);
            }
        });
    }

    /** As {@link #holds}, with assertions: the first poll on which they fail fails with their message. */
    public static void throughout(String what, Duration during, Checks assertions) {
        try {
            await(what).pollInterval(Duration.ofMillis(100)).during(during).atMost(during.plusSeconds(1)).until(() -> {
                assertions.run();
                return true;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not for " + during + ": " + what, e);
        }
    }

    /**
     * Polls until {@code value} gives the same non-null value on every poll for {@code during} (it has settled), and
     * returns that value.
     */
    public static <T> T settled(String what, Duration during, Duration timeout, Supplier<T> value) {
        java.util.concurrent.atomic.AtomicReference<T> last = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            await(what).during(during).atMost(timeout).until(() -> {
                T now = value.get();
                return now != null && now.equals(last.getAndSet(now));
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what, e);
        }
        return last.get();
    }

    /** Polls until {@code value} gives a non-null value, and returns it. */
    public static <T> T value(String what, Duration timeout, Supplier<T> value) {
        try {
            return await(what).atMost(timeout).until(value::get, Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what, e);
        }
    }
}
