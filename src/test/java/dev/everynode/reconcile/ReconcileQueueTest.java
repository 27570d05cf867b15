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

    /** The worker schedules a retry after its pass returns: wait until it has. */
    private void awaitScheduled() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ticker.scheduled() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(ticker.scheduled()).isPositive();
    }
}
