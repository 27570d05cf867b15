package dev.everynode.simulator;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the simulator measured. Instants are {@link System#nanoTime()} values; durations are relative to the
 * simulator's start or to the caller's last {@link #mark()}.
 */
public final class Observations {

    private final long startNanos = System.nanoTime();
    private volatile long markNanos = startNanos;

    final Latencies registrations = new Latencies();
    final Latencies heartbeats = new Latencies();
    /** How late scheduled heartbeats were sent by the simulator (its own timers and workers falling behind). */
    final Latencies heartbeatSendLag = new Latencies();
    final Latencies reports = new Latencies();
    final Latencies confirmations = new Latencies();
    /** Per node: when its first long-poll answer with a change arrived after the last mark. */
    private final Map<String, Long> wakeups = new ConcurrentHashMap<>();
    /** Per revision (controller-revision-hash, else pod uid): per node, when it first saw a pod of it. */
    private final Map<String, Map<String, Long>> firstSeen = new ConcurrentHashMap<>();

    final AtomicLong reportBatchesSent = new AtomicLong();
    final AtomicLong statusesSent = new AtomicLong();
    final AtomicLong statusesApplied = new AtomicLong();
    final AtomicLong statusesUnchanged = new AtomicLong();
    final AtomicLong statusesIgnored = new AtomicLong();
    final AtomicLong statusesNotFound = new AtomicLong();
    final AtomicLong heartbeatsSent = new AtomicLong();
    final AtomicLong resyncs = new AtomicLong();
    final AtomicLong reRegistrations = new AtomicLong();
    final AtomicLong pollsAnswered = new AtomicLong();
    final AtomicLong pollsChanged = new AtomicLong();
    final AtomicLong terminationsConfirmed = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    /** Answers 503 with a Status body (the server could not serve it now; the simulator tried again). */
    final AtomicLong unavailable = new AtomicLong();
    /** Any other 5xx answer: a defect. */
    final AtomicLong serverErrors = new AtomicLong();
    /** Statuses of report batches answered 5xx (or not at all), queued again. */
    final AtomicLong reportsRetried = new AtomicLong();
    final AtomicInteger pollsInFlight = new AtomicInteger();
    final AtomicInteger maxPollsInFlight = new AtomicInteger();
    private final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();

    /** Starts a new measurement: wake-ups are recorded from now on, and durations are measured from now. */
    public void mark() {
        wakeups.clear();
        markNanos = System.nanoTime();
    }

    public long startNanos() {
        return startNanos;
    }

    public long markNanos() {
        return markNanos;
    }

    void wokeUp(String node, long at) {
        if (at >= markNanos) {
            wakeups.putIfAbsent(node, at);
        }
    }

    void saw(String revision, String node, long at) {
        firstSeen.computeIfAbsent(revision, r -> new ConcurrentHashMap<>()).putIfAbsent(node, at);
    }

    void error(String kind) {
        errors.incrementAndGet();
        errorKinds.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    /** Per node: time from the last mark until its long-poll first returned a change. */
    public Map<String, Duration> wakeupsSinceMark() {
        Map<String, Duration> out = new HashMap<>();
        long mark = markNanos;
        wakeups.forEach((node, at) -> out.put(node, Duration.ofNanos(at - mark)));
        return out;
    }

    /** How many nodes saw a pod of this revision (cheap enough to poll while 10,000 agents run). */
    public int seenCount(String revision) {
        return firstSeen.getOrDefault(revision, Collections.emptyMap()).size();
    }

    /** Per node: when it first saw a pod of this revision (controller-revision-hash), measured from {@code from}. */
    public Map<String, Duration> firstSeen(String revision, long fromNanos) {
        Map<String, Duration> out = new HashMap<>();
        firstSeen.getOrDefault(revision, Collections.emptyMap())
                .forEach((node, at) -> out.put(node, Duration.ofNanos(at - fromNanos)));
        return out;
    }

    /** Per node: when it first saw a pod of this revision, measured from the last mark. */
    public Map<String, Duration> firstSeenSinceMark(String revision) {
        return firstSeen(revision, markNanos);
    }

    public Latencies registrationLatencies() { return registrations; }
    public Latencies heartbeatLatencies() { return heartbeats; }
    public Latencies heartbeatSendLag() { return heartbeatSendLag; }
    public Latencies reportLatencies() { return reports; }
    public Latencies confirmationLatencies() { return confirmations; }
    public long reportBatchesSent() { return reportBatchesSent.get(); }
    public long statusesSent() { return statusesSent.get(); }
    public long statusesApplied() { return statusesApplied.get(); }
    public long heartbeatsSent() { return heartbeatsSent.get(); }
    public long resyncs() { return resyncs.get(); }
    public long pollsAnswered() { return pollsAnswered.get(); }
    public long pollsChanged() { return pollsChanged.get(); }
    public long terminationsConfirmed() { return terminationsConfirmed.get(); }
    public long errors() { return errors.get(); }
    /** Answers 503 ServiceUnavailable with a Status body: tried again, not lost. */
    public long unavailable() { return unavailable.get(); }
    /** 5xx answers other than a 503 with a Status body. */
    public long serverErrors() { return serverErrors.get(); }
    /** Reported statuses whose batch was answered 5xx (or not at all) and that were queued again. */
    public long reportsRetried() { return reportsRetried.get(); }
    /** Long-polls sent and not yet answered, right now. */
    public int pollsInFlight() { return pollsInFlight.get(); }
    /** The most long-polls that were in flight at once. */
    public int maxPollsInFlight() { return maxPollsInFlight.get(); }

    public Map<String, Long> errorKinds() {
        Map<String, Long> out = new HashMap<>();
        errorKinds.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append("registrations:     ").append(registrations.summary()).append('\n');
        s.append("heartbeats:        ").append(heartbeatsSent.get()).append(" sent, ").append(heartbeats.summary())
                .append(", resyncs=").append(resyncs.get()).append(", re-registrations=")
                .append(reRegistrations.get()).append(", sent late by ").append(heartbeatSendLag.summary()).append('\n');
        s.append("long-polls:        ").append(pollsAnswered.get()).append(" answered, ").append(pollsChanged.get())
                .append(" with changes, in flight now=").append(pollsInFlight.get()).append(", max in flight=")
                .append(maxPollsInFlight.get()).append('\n');
        s.append("status reports:    ").append(reportBatchesSent.get()).append(" batches / ").append(statusesSent.get())
                .append(" statuses (applied=").append(statusesApplied.get()).append(" unchanged=")
                .append(statusesUnchanged.get()).append(" ignored=").append(statusesIgnored.get())
                .append(" notFound=").append(statusesNotFound.get()).append("), ").append(reports.summary()).append('\n');
        s.append("terminations:      ").append(terminationsConfirmed.get()).append(" confirmed, ")
                .append(confirmations.summary()).append('\n');
        firstSeen.forEach((rev, nodes) -> {
            Latencies l = new Latencies();
            nodes.values().forEach(at -> l.add(at - startNanos));
            s.append("revision ").append(rev).append(" first seen after start: ").append(l.summary()).append('\n');
        });
        s.append("5xx answers:       ").append(unavailable.get()).append(" x 503 with a Status (retried), ")
                .append(serverErrors.get()).append(" other; ").append(reportsRetried.get())
                .append(" statuses queued again\n");
        s.append("errors:            ").append(errors.get());
        if (!errorKinds.isEmpty()) {
            s.append(' ').append(errorKinds());
        }
        return s.toString();
    }
}
