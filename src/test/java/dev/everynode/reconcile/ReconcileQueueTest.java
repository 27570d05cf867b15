package dev.everynode.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The work queue on its own: one worker, a handler that records what it processes and can hold a key, and a ticker
 * the test moves by hand, so delays and backoffs happen when the test says, not after sleeping.
 */
class ReconcileQueueTest {

    /** A clock and timer that move only when told; due tasks run on the caller's thread. */
    static final class ManualTicker implements ReconcileQueue.Ticker {
        private record Task(long at, Runnable run) {}

        private final List<Task> tasks = new ArrayList<>();
        private long now = 1_000_000_000L;
        private boolean shutdown;

        @Override
        public synchronized long nanoTime() {
            return now;
        }

        @Override
        public synchronized void schedule(Runnable task, long delayNanos) {
            tasks.add(new Task(now + delayNanos, task));
        }

        @Override
        public synchronized void shutdown() {
            shutdown = true;
            tasks.clear();
        }

        void advance(Duration by) {
            List<Runnable> due = new ArrayList<>();
            synchronized (this) {
                now += by.toNanos();
                tasks.removeIf(t -> {
                    if (t.at() <= now) {
                        due.add(t.run());
                        return true;
                    }
                    return false;
                });
            }
            due.forEach(Runnable::run);
        }

        synchronized int scheduled() {
            return tasks.size();
        }
    }

    private final ManualTicker ticker = new ManualTicker();
    private final ReconcileQueue queue = new ReconcileQueue(1, new SimpleMeterRegistry(), ticker);
    private final BlockingQueue<String> processed = new LinkedBlockingQueue<>();
    /** Keys whose pass waits for the latch before it ends. */
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    private final BlockingQueue<String> started = new LinkedBlockingQueue<>();

    private Consumer<String> handler = key -> { };

    @AfterEach
    void stop() {
        holds.values().forEach(CountDownLatch::countDown);
        queue.stop();
        paused.stop();
    }

    private void start() {
        queue.start(key -> {
            started.add(key);
            CountDownLatch hold = holds.remove(key);
            if (hold != null) {
                await(hold);
            }
            try {
                handler.accept(key);
            } finally {
                processed.add(key);
            }
        });
    }

    /** Starts the queue and processes {@code key} until the test releases it; returns the release. */
    private CountDownLatch holding(String key) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        holds.put(key, release);
        start();
        queue.add(key);
        assertThat(started.poll(5, TimeUnit.SECONDS)).isEqualTo(key);
        return release;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String next() throws InterruptedException {
        return processed.poll(5, TimeUnit.SECONDS);
    }

    /** Nothing more is processed for a moment (the worker is idle or waiting). */
    private void nothingMore() throws InterruptedException {
        assertThat(processed.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void keyAlreadyQueuedIsProcessedOnce() throws InterruptedException {
        CountDownLatch release = holding("busy");
        queue.add("a");
        queue.add("a");
        queue.add("a");
        release.countDown();

        assertThat(List.of(next(), next())).containsExactly("busy", "a");
        nothingMore();
    }

    @Test
    void keysRunInTheOrderTheyWereAdded() throws InterruptedException {
        CountDownLatch release = holding("busy");
        queue.add("b");
        queue.add("a");
        queue.add("c");
        release.countDown();

        assertThat(List.of(next(), next(), next(), next())).containsExactly("busy", "b", "a", "c");
    }

    @Test
    void keyAddedWhileProcessedRunsOnceMoreAfterwards() throws InterruptedException {
        CountDownLatch release = holding("a");
        queue.add("a");
        queue.add("a");
        nothingMore();
        release.countDown();

        assertThat(List.of(next(), next())).containsExactly("a", "a");
        nothingMore();
    }

    @Test
    void addAfterWaitsForTheClock() throws InterruptedException {
        start();
        queue.addAfter("a", Duration.ofSeconds(5));
        nothingMore();

        ticker.advance(Duration.ofMillis(4_999));
        nothingMore();
        ticker.advance(Duration.ofMillis(1));
        assertThat(next()).isEqualTo("a");
    }

    @Test
    void addAfterWithoutDelayAddsAtOnce() throws InterruptedException {
        start();
        queue.addAfter("a", Duration.ZERO);
        assertThat(next()).isEqualTo("a");
        assertThat(ticker.scheduled()).isZero();
    }

    @Test
    void resyncWaitsBehindRealChanges() throws InterruptedException {
        CountDownLatch release = holding("busy");
        queue.addResync("r");
        queue.add("c");
        queue.addResync("c");
        release.countDown();

        assertThat(List.of(next(), next(), next())).containsExactly("busy", "c", "r");
        nothingMore();
    }

    @Test
    void realChangeOfAResyncingKeyTakesItsPlaceAmongChanges() throws InterruptedException {
        CountDownLatch release = holding("busy");
        queue.addResync("r");
        queue.add("c");
        queue.add("r");
        release.countDown();

        assertThat(List.of(next(), next(), next())).containsExactly("busy", "c", "r");
        nothingMore();
    }

    @Test
    void resyncOfAKeyBeingProcessedIsDropped() throws InterruptedException {
        CountDownLatch release = holding("a");
        queue.addResync("a");
        release.countDown();

        assertThat(next()).isEqualTo("a");
        nothingMore();
    }

    @Test
    void failedPassComesBackAfterAGrowingDelay() throws InterruptedException {
        int[] failures = {2};
        handler = key -> {
            if (failures[0]-- > 0) {
                throw new IllegalStateException("boom");
            }
        };
        start();
        queue.add("a");
        assertThat(next()).isEqualTo("a");
        awaitScheduled();
        ticker.advance(Duration.ofMillis(9));
        nothingMore();
        ticker.advance(Duration.ofMillis(1));
        assertThat(next()).isEqualTo("a");

        awaitScheduled();
        ticker.advance(Duration.ofMillis(19));
        nothingMore();
        ticker.advance(Duration.ofMillis(1));
        assertThat(next()).isEqualTo("a");
        nothingMore();
        assertThat(ticker.scheduled()).isZero();
    }

    @Test
    void longPassDefersTheKeysNextPassByItsDuration() throws InterruptedException {
        handler = key -> ticker.advance(Duration.ofMillis(300));
        start();
        queue.add("a");
        assertThat(next()).isEqualTo("a");
        handler = key -> { };
        // the worker picks up the next key only after it has booked the long pass
        queue.add("x");
        assertThat(next()).isEqualTo("x");

        queue.add("a");
        queue.add("b");
        assertThat(next()).isEqualTo("b");
        nothingMore();
        ticker.advance(Duration.ofMillis(300));
        assertThat(next()).isEqualTo("a");
    }

    @Test
    void stopEndsTheWorkersAndTheTimer() throws InterruptedException {
        start();
        queue.addAfter("later", Duration.ofSeconds(1));
        queue.stop();

        queue.add("a");
        nothingMore();
        assertThat(ticker.shutdown).isTrue();
        assertThat(ticker.scheduled()).isZero();
    }

    // Paused (everynode.reconcile.paused): no worker; runPending runs the queue on the test's thread.

    private final ReconcileQueue paused = new ReconcileQueue(1, new SimpleMeterRegistry(), ticker, true);
    private final List<String> driven = new ArrayList<>();

    private void startPaused(Consumer<String> pass) {
        paused.start(key -> {
            driven.add(key);
            pass.accept(key);
        });
    }

    @Test
    void pausedQueueRunsNothingByItselfAndDeduplicates() throws InterruptedException {
        startPaused(key -> processed.add(key));
        paused.add("a");
        paused.add("b");
        paused.add("a");
        nothingMore();
        assertThat(paused.queued()).isEqualTo(2);

        assertThat(paused.runPending(100)).isEqualTo(2);
        assertThat(driven).containsExactly("a", "b");
        assertThat(paused.queued()).isZero();
        assertThat(paused.runPending(100)).isZero();
    }

    @Test
    void runPendingRunsWhatItsPassesQueueAndDueDelayedKeys() {
        // "a" is added again during its pass (it reruns after it, behind "b", added at once meanwhile); "b" asks
        // for "c" in 5 s; the resync "r" waits behind them all
        startPaused(key -> {
            if (key.equals("a") && driven.size() == 1) {
                paused.add("a");
                paused.addAfter("b", Duration.ZERO);
            } else if (key.equals("b")) {
                paused.addAfter("c", Duration.ofSeconds(5));
            }
        });
        paused.addResync("r");
        paused.add("a");

        assertThat(paused.runPending(100)).isEqualTo(4);
        assertThat(driven).containsExactly("a", "b", "a", "r");
        ticker.advance(Duration.ofMillis(4_999));
        assertThat(paused.runPending(100)).isZero();
        ticker.advance(Duration.ofMillis(1));
        assertThat(paused.runPending(100)).isEqualTo(1);
        assertThat(driven).endsWith("c");
    }

    @Test
    void drivenFailureComesBackAfterItsBackoffAndSlowPassesAreNotDeferred() {
        int[] failures = {1};
        startPaused(key -> {
            ticker.advance(Duration.ofMillis(300)); // a slow pass: a worker would defer the key's next one
            if (failures[0]-- > 0) {
                throw new IllegalStateException("boom");
            }
        });
        paused.add("a");
        assertThat(paused.runPending(100)).isEqualTo(1);
        assertThat(ticker.scheduled()).isEqualTo(1);
        ticker.advance(Duration.ofMillis(10));
        assertThat(paused.runPending(100)).isEqualTo(1);

        paused.add("a");
        assertThat(paused.queued()).as("not held back after a 300 ms pass").isEqualTo(1);
        assertThat(paused.runPending(100)).isEqualTo(1);
        assertThat(driven).containsExactly("a", "a", "a");
    }

    @Test
    void runPendingStopsALoopThatNeverSettles() {
        startPaused(key -> paused.add(key));
        paused.add("a");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> paused.runPending(10))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("after 10 passes");
    }

    @Test
    void runPendingIsRefusedWhenWorkersOwnTheQueue() {
        start();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> queue.runPending(10))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("paused");
    }

    /** The worker schedules a retry after its pass returns: wait until it has. */
    private void awaitScheduled() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ticker.scheduled() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(ticker.scheduled()).isPositive();
    }
}
