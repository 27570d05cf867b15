package dev.everynode.simulator;

import java.util.Arrays;

/** A growable, thread-safe list of durations in nanoseconds, with percentiles. */
public final class Latencies {

    private long[] values = new long[256];
    private int size;

    public synchronized void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    public synchronized int count() {
        return size;
    }

    public synchronized long[] snapshot() {
        return Arrays.copyOf(values, size);
    }

    public synchronized void clear() {
        size = 0;
    }

    /** The p-th percentile (0..100, nearest rank) in milliseconds, or NaN when empty. */
    public double percentileMillis(double p) {
        long[] s = snapshot();
        if (s.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))] / 1e6;
    }

    public double maxMillis() {
        return percentileMillis(100);
    }

    /** {@code n=…, p50=… ms, p99=… ms, max=… ms}. */
    public String summary() {
        int n = count();
        if (n == 0) {
            return "n=0";
        }
        return "n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms".formatted(n, percentileMillis(50), percentileMillis(99),
                maxMillis());
    }
}
