package dev.everynode.apimachinery.store;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.platform.EverynodeProperties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Bounds how many request threads of the node agents' paths (registration, a heartbeat of a node not known yet,
 * an assignments read that does not wait) use the database at once, so that a fleet arriving together (1,000
 * registrations at concurrency 64; every agent after a restart) queues here instead of in the connection pool,
 * and the pool keeps connections for the work that must not wait: the heartbeat flush (a late flush makes healthy
 * nodes look silent), the node lifecycle monitor, the coalesced status and confirmation writers, the reconcile
 * workers and the long-poll wake-ups. A request that finds no permit within {@code everynode.agents.db-wait} is
 * answered 503 ServiceUnavailable with a Retry-After: the agent sends it again, nothing is lost.
 */
@Component
public class DatabaseGate {

    private final Semaphore permits;
    private final int size;
    private final long waitNanos;

    public DatabaseGate(EverynodeProperties.Agents settings, io.micrometer.core.instrument.MeterRegistry meters) {
        this.size = Math.max(1, settings.maxDbRequests());
        this.permits = new Semaphore(this.size, true);
        this.waitNanos = settings.dbWait().toNanos();
        io.micrometer.core.instrument.Gauge.builder("everynode.agent.db.requests.waiting", permits,
                        Semaphore::getQueueLength)
                .description("Agent requests waiting for a database permit (everynode.agents.max-db-requests)")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder("everynode.agent.db.requests.active", permits,
                        p -> this.size - p.availablePermits())
                .description("Agent requests using the database right now").register(meters);
    }

    /** Runs {@code work} holding a permit; 503 ServiceUnavailable (Retry-After) when none frees up in time. */
    public <T> T call(Supplier<T> work) {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.serviceUnavailable("the server is shutting down; try again", 1, e);
        }
        if (!acquired) {
            throw ApiException.serviceUnavailable("too many node agent requests are waiting for the database; try "
                    + "again in a moment", 1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(2), null);
        }
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }

    public void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }
}
