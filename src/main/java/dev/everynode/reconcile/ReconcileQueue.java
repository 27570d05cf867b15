package dev.everynode.reconcile;

import dev.everynode.platform.EverynodeProperties;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * A work queue of DaemonSet keys ("namespace/name"), like client-go's: a key is processed by one worker at a
 * time, a key added while it is being processed runs once more afterwards, duplicates collapse, and failures
 * come back after a growing delay. It reports client-go's workqueue metrics with {@code name="daemonset"}
 * (workqueue_adds_total, _depth, _queue_duration_seconds, _work_duration_seconds, _unfinished_work_seconds,
 * _longest_running_processor_seconds, _retries_total).
 *
 * <p>Paused ({@code everynode.reconcile.paused}, for tests): no worker starts; keys are queued as always and
 * {@link #runPending()} runs them on the caller's thread, through the same steps as a worker.
 */
@Component
class ReconcileQueue {

    private static final Logger log = LoggerFactory.getLogger(ReconcileQueue.class);

    private final Set<String> pending = new LinkedHashSet<>();
    /** Periodic resyncs wait behind every key that something actually changed for. */
    private final Set<String> background = new LinkedHashSet<>();
    private final Set<String> running = new java.util.HashSet<>();
    private final Set<String> dirty = new java.util.HashSet<>();
    private final java.util.Map<String, Integer> failures = new java.util.HashMap<>();
    /** Keys that may not start before this Ticker.nanoTime() (adaptive batching), and those waiting for it. */
    private final java.util.Map<String, Long> notBefore = new java.util.HashMap<>();
    private final Set<String> deferred = new java.util.HashSet<>();
    private final ExecutorService workers;
    private final Ticker ticker;
    private final int workerCount;
    private final boolean paused;
    private volatile Consumer<String> handler;
    private volatile boolean stopped;
    /** When each queued key was added (for the queue duration), and since when each running key runs. */
    private final java.util.Map<String, Long> queuedSince = new java.util.HashMap<>();
    private final java.util.Map<String, Long> runningSince = new java.util.concurrent.ConcurrentHashMap<>();
    private final io.micrometer.core.instrument.Counter adds;
    private final io.micrometer.core.instrument.Counter retries;
    private final io.micrometer.core.instrument.Timer queueDuration;
    private final io.micrometer.core.instrument.Timer workDuration;

    /**
     * The queue's time: a monotonic reading in nanoseconds (System.nanoTime() in production) and a timer on the same
     * time line, for delayed adds. Tests drive both by hand.
     */
    interface Ticker {
        long nanoTime();

        void schedule(Runnable task, long delayNanos);

        void shutdown();
    }

    /** System.nanoTime() and one daemon timer thread. */
    static final class SystemTicker implements Ticker {
        private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reconcile-timer");
            t.setDaemon(true);
            return t;
        });

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void schedule(Runnable task, long delayNanos) {
            timers.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void shutdown() {
            timers.shutdownNow();
        }
    }

    @Autowired
    ReconcileQueue(EverynodeProperties.Reconcile settings, io.micrometer.core.instrument.MeterRegistry meters) {
        this(settings.workers(), meters, new SystemTicker(), settings.paused());
    }

    ReconcileQueue(int workerCount, io.micrometer.core.instrument.MeterRegistry meters, Ticker ticker) {
        this(workerCount, meters, ticker, false);
    }

    ReconcileQueue(int workerCount, io.micrometer.core.instrument.MeterRegistry meters, Ticker ticker,
                   boolean paused) {
        this.ticker = ticker;
        this.paused = paused;
        var tag = io.micrometer.core.instrument.Tags.of("name", "daemonset");
        adds = io.micrometer.core.instrument.Counter.builder("workqueue.adds").tags(tag)
                .description("Total number of adds handled by workqueue").register(meters);
        retries = io.micrometer.core.instrument.Counter.builder("workqueue.retries").tags(tag)
                .description("Total number of retries handled by workqueue").register(meters);
        queueDuration = io.micrometer.core.instrument.Timer.builder("workqueue.queue.duration").tags(tag)
                .description("How long an item stays in workqueue before being requested")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60)).register(meters);
        workDuration = io.micrometer.core.instrument.Timer.builder("workqueue.work.duration").tags(tag)
                .description("How long processing an item from workqueue takes")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60)).register(meters);
        io.micrometer.core.instrument.Gauge.builder("workqueue.depth", this, ReconcileQueue::depth).tags(tag)
                .description("Current depth of workqueue").register(meters);
        io.micrometer.core.instrument.Gauge.builder("workqueue.unfinished.work", this, q -> q.running(false))
                .tags(tag).baseUnit("seconds").description("How many seconds of work has been done that is in "
                        + "progress and hasn't been observed by work_duration").register(meters);
        io.micrometer.core.instrument.Gauge.builder("workqueue.longest.running.processor", this, q -> q.running(true))
                .tags(tag).baseUnit("seconds").description("How many seconds has the longest running processor for "
                        + "workqueue been running").register(meters);
        if (workerCount < 1) {
            // Pod changes (agents' reports) are queued by the replica that accepted them: every replica reconciles.
            throw new IllegalArgumentException("everynode.reconcile.workers must be at least 1, not " + workerCount);
        }
        this.workerCount = workerCount;
        this.workers = Executors.newFixedThreadPool(workerCount, r -> {
            Thread t = new Thread(r, "reconcile-worker");
            t.setDaemon(true);
            return t;
        });
    }

    void start(Consumer<String> handler) {
        this.handler = handler;
        for (int i = 0; i < (paused ? 0 : workerCount); i++) {
            workers.submit(this::work);
        }
    }

    void add(String key) {
        synchronized (this) {
            if (running.contains(key)) {
                dirty.add(key);
                return;
            }
            if (holdBack(key)) {
                return;
            }
            boolean wasBackground = background.remove(key);
            if (pending.add(key)) {
                if (!wasBackground) {
                    adds.increment();
                    queuedSince.put(key, ticker.nanoTime());
                }
                notifyAll();
            }
        }
    }

    /**
     * Adaptive batching: after a pass of a large DaemonSet (longer than 50 ms), its next pass starts no sooner than
     * that pass took again (at most 1 s later). Under a storm of status reports a 10,000-pod DaemonSet then takes at
     * most about half a core, and each pass handles all that arrived meanwhile; small DaemonSets never wait.
     * Returns true when the key was deferred (a timer adds it when its time comes). Off when paused: there the
     * test says when passes run, and a slow pass on a busy machine must not hide a key from the next driven run.
     */
    private boolean holdBack(String key) {
        Long at = notBefore.get(key);
        long now = ticker.nanoTime();
        if (at == null || at <= now) {
            notBefore.remove(key);
            return false;
        }
        if (deferred.add(key)) {
            ticker.schedule(() -> {
                synchronized (this) {
                    deferred.remove(key);
                    notBefore.remove(key);
                }
                add(key);
            }, at - now);
        }
        return true;
    }

    /** A periodic resync: runs after all keys added by real changes. */
    void addResync(String key) {
        synchronized (this) {
            if (running.contains(key) || pending.contains(key)) {
                return;
            }
            if (background.add(key)) {
                adds.increment();
                queuedSince.put(key, ticker.nanoTime());
                notifyAll();
            }
        }
    }

    void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        ticker.schedule(() -> add(key), TimeUnit.MILLISECONDS.toNanos(delay.toMillis()));
    }


    private void work() {
        while (!stopped) {
            String key;
            synchronized (this) {
                while (pending.isEmpty() && background.isEmpty() && !stopped) {
                    try {
                        wait(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                key = take();
            }
            process(key);
        }
    }

    /**
     * Paused mode: runs the queued keys on the caller's thread, each as a worker would (the same handler, the same
     * bookkeeping: a key added during its pass runs once more, a failure comes back after its backoff), until none
     * is queued, keys queued meanwhile included (a pass's immediate requeue, a pod it wrote). Delayed keys run once
     * their timer has queued them; those not due yet stay scheduled. Returns the number of passes run.
     *
     * @throws IllegalStateException when not paused (workers own the queue), or when keys are still queued after
     *     {@code limit} passes (a loop that never settles fails the test rather than hanging it)
     */
    int runPending(int limit) {
        if (!paused) {
            throw new IllegalStateException("runPending() needs everynode.reconcile.paused=true");
        }
        int passes = 0;
        while (true) {
            String key;
            synchronized (this) {
                if (stopped || (pending.isEmpty() && background.isEmpty())) {
                    return passes;
                }
                if (passes == limit) {
                    throw new IllegalStateException("the reconcile queue still has " + (pending.size()
                            + background.size()) + " key(s) after " + limit + " passes: " + pending + background);
                }
                key = take();
            }
            process(key);
            passes++;
        }
    }

    /** Takes the next key: a changed one before a resync. Holding the lock, with something queued. */
    private String take() {
        var it = pending.isEmpty() ? background.iterator() : pending.iterator();
        String key = it.next();
        it.remove();
        running.add(key);
        Long since = queuedSince.remove(key);
        if (since != null) {
            queueDuration.record(ticker.nanoTime() - since, TimeUnit.NANOSECONDS);
        }
        return key;
    }

    /** One pass of a taken key, and what follows it: a rerun if it was added meanwhile, a retry if it failed. */
    private void process(String key) {
        boolean ok = false;
        long started = ticker.nanoTime();
        runningSince.put(key, started);
        try {
            handler.accept(key);
            ok = true;
        } catch (RuntimeException e) {
            log.warn("reconcile failed daemonSet={} error={}", key, e.toString());
        }
        runningSince.remove(key);
        workDuration.record(ticker.nanoTime() - started, TimeUnit.NANOSECONDS);
        synchronized (this) {
            running.remove(key);
            long took = ticker.nanoTime() - started;
            if (took > 50_000_000L && !paused) {
                notBefore.put(key, ticker.nanoTime() + Math.min(took, 1_000_000_000L));
            }
            if (dirty.remove(key)) {
                add(key);
            }
            if (ok) {
                failures.remove(key);
            } else {
                int n = failures.merge(key, 1, Integer::sum);
                long delayMs = Math.min(5L << Math.min(n, 20), 60_000L);
                retries.increment();
                addAfter(key, Duration.ofMillis(delayMs));
            }
        }
    }

    /** Keys queued now (changed and resyncs), not counting running or delayed ones. */
    synchronized int queued() {
        return pending.size() + background.size();
    }

    private synchronized double depth() {
        return pending.size() + background.size();
    }

    /** Seconds the running passes have taken so far: their sum, or the longest. */
    private double running(boolean longest) {
        long now = ticker.nanoTime();
        double total = 0;
        double max = 0;
        for (long since : runningSince.values()) {
            double seconds = (now - since) / 1e9;
            total += seconds;
            max = Math.max(max, seconds);
        }
        return longest ? max : total;
    }

    @PreDestroy
    void stop() {
        stopped = true;
        synchronized (this) {
            notifyAll();
        }
        ticker.shutdown();
        workers.shutdownNow();
    }
}
