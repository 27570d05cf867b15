package dev.everynode.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer thread that applies queued items in batches: each batch is everything that arrived while the
 * previous one was written (up to {@code maxWeight}), so an idle server writes a lone item at once and a busy one
 * shares each commit among many. The thread survives any failure of a batch: that batch's items are failed, and
 * the next batch is written. A batch that lost a deadlock or a lock wait (Spring's ConcurrencyFailureException:
 * nothing of it was committed) is written again, up to {@value #ATTEMPTS} times, before its items are failed.
 */
final class CoalescingWriter<T> {

    private static final Logger log = LoggerFactory.getLogger(CoalescingWriter.class);
    static final int ATTEMPTS = 3;

    private final String name;
    private final int maxWeight;
    private final ToIntFunction<T> weight;
    private final Consumer<List<T>> write;
    private final BiConsumer<List<T>, RuntimeException> fail;
    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param write writes one batch (its items are answered by it)
     * @param fail  answers the items of a batch that could not be written
     */
    CoalescingWriter(String name, int maxWeight, ToIntFunction<T> weight, Consumer<List<T>> write,
                     BiConsumer<List<T>, RuntimeException> fail) {
        this.name = name;
        this.maxWeight = Math.max(1, maxWeight);
        this.weight = weight;
        this.write = write;
        this.fail = fail;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void submit(T item) {
        if (!running) {
            throw new IllegalStateException("shutting down");
        }
        queue.add(item);
    }

    private void loop() {
        while (running) {
            List<T> batch = new ArrayList<>();
            try {
                T first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int total = weight.applyAsInt(first);
                T next;
                while (total < maxWeight && (next = queue.poll()) != null) {
                    batch.add(next);
                    total += weight.applyAsInt(next);
                }
                for (int attempt = 1; ; attempt++) {
                    try {
                        write.accept(batch);
                        break;
                    } catch (org.springframework.dao.ConcurrencyFailureException e) {
                        if (attempt >= ATTEMPTS || !running) {
                            throw e;
                        }
                        log.info("{}: a batch of {} is written again after attempt {}: {}", name, batch.size(), attempt,
                                e.getMostSpecificCause().getMessage());
                        Thread.sleep(10L * attempt + java.util.concurrent.ThreadLocalRandom.current().nextInt(20));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail.accept(batch, new IllegalStateException("shutting down"));
                return;
            } catch (RuntimeException | Error e) {
                log.warn("{}: a batch of {} failed: {}", name, batch.size(), e.toString());
                fail.accept(batch, e instanceof RuntimeException r ? r : new IllegalStateException(e));
            }
        }
    }

    /** Stops the thread and fails whatever is still queued. */
    void stop() {
        running = false;
        thread.interrupt();
        List<T> left = new ArrayList<>();
        queue.drainTo(left);
        fail.accept(left, new IllegalStateException("shutting down"));
    }
}
