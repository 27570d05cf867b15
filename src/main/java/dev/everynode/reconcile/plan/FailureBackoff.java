package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per-node failed-pod backoff, Kubernetes {@code flowcontrol.Backoff(1s, 15m)} keyed by node. An entry made
 * under another observedGeneration counts as absent, which is how the Kubernetes key (that contains the
 * generation) resets on a spec change. Steps are held back until the plan knows which deletes survive the
 * burst limit, so a cut delete neither advances the backoff nor blocks the next pass.
 */
final class FailureBackoff {

    static final Duration INITIAL = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(15);
    private static final Duration EXPIRY = MAX.multipliedBy(2);

    private final Map<String, Backoff> stored;
    private final Map<String, Backoff> stepped = new HashMap<>();
    private final long generation;

    FailureBackoff(Map<String, Backoff> stored, long generation) {
        this.stored = stored == null ? Map.of() : stored;
        this.generation = generation;
    }

    /** {@code IsInBackOffSinceUpdate}: the remaining wait when the node is still backing off. */
    Optional<Duration> remaining(String node, Instant now) {
        Backoff entry = current(node, now);
        if (entry == null) {
            return Optional.empty();
        }
        Duration idle = Duration.between(entry.lastUpdate(), now);
        return idle.compareTo(entry.delay()) < 0 ? Optional.of(entry.delay().minus(idle)) : Optional.empty();
    }

    /** {@code Next}: 1 s for a fresh or long-idle entry, otherwise double the delay up to 15 min. */
    void step(String node, Instant now) {
        Backoff entry = current(node, now);
        Duration delay = entry == null ? INITIAL : min(entry.delay().multipliedBy(2), MAX);
        stepped.put(node, new Backoff(generation, now, delay));
    }

    /** The map to store: unexpired entries plus the steps of nodes whose failed pod is really deleted. */
    Map<String, Backoff> result(Set<String> committedNodes, Instant now) {
        Map<String, Backoff> result = new TreeMap<>();
        stored.forEach((node, entry) -> {
            if (!expired(entry, now)) {
                result.put(node, entry);
            }
        });
        stepped.forEach((node, entry) -> {
            if (committedNodes.contains(node)) {
                result.put(node, entry);
            }
        });
        return Collections.unmodifiableMap(result);
    }

    private Backoff current(String node, Instant now) {
        Backoff entry = stepped.containsKey(node) ? stepped.get(node) : stored.get(node);
        if (entry == null || entry.generation() != generation || expired(entry, now)) {
            return null;
        }
        return entry;
    }

    private static boolean expired(Backoff entry, Instant now) {
        return Duration.between(entry.lastUpdate(), now).compareTo(EXPIRY) > 0;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
