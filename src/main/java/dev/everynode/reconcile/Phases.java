package dev.everynode.reconcile;

/** Where a reconcile pass spent its time, for the slow-pass log line. */
final class Phases {

    private final StringBuilder text = new StringBuilder();
    private long last = System.nanoTime();

    void mark(String phase) {
        long now = System.nanoTime();
        text.append(text.isEmpty() ? "" : ",").append(phase).append('=').append((now - last) / 1_000_000);
        last = now;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
