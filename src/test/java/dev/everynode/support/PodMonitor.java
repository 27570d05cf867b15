package dev.everynode.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Watches pods straight from the database (one consistent SELECT per observation, every ~50 ms) and checks an
 * invariant on each observation; violations are collected and asserted by the test at the end. Used by the
 * rollout tests (in-process) and the scale-out test (replica processes).
 */
public final class PodMonitor implements AutoCloseable {

    /** One pod as observed: live = not terminating; ready = condition Ready=True. */
    public record PodRow(String name, String node, String hash, boolean terminating, String phase, boolean ready) {
        public boolean live() {
            return !terminating;
        }
    }

    /** All pods of the observation, grouped by node (sorted by node name). */
    public record Observation(List<PodRow> pods) {
        public Map<String, List<PodRow>> byNode() {
            Map<String, List<PodRow>> out = new TreeMap<>();
            pods.forEach(p -> out.computeIfAbsent(p.node(), n -> new ArrayList<>()).add(p));
            return out;
        }

        public List<PodRow> live(String node) {
            return pods.stream().filter(p -> node.equals(p.node()) && p.live()).toList();
        }

        /** Nodes in {@code nodes} without a live Ready pod. */
        public Set<String> unavailable(Set<String> nodes) {
            Set<String> out = new TreeSet<>();
            for (String n : nodes) {
                if (live(n).stream().noneMatch(PodRow::ready)) {
                    out.add(n);
                }
            }
            return out;
        }

        /** Nodes with two or more live pods. */
        public Set<String> doubled() {
            Set<String> out = new TreeSet<>();
            byNode().forEach((n, ps) -> {
                if (ps.stream().filter(PodRow::live).count() > 1) {
                    out.add(n);
                }
            });
            return out;
        }
    }

    /** The pods of the rollout tests' DaemonSets. */
    public static final String KUBE_SYSTEM = "namespace = 'kube-system'";

    private static final String QUERY = """
            SELECT name, node_name, revision_hash, deletion_ts IS NOT NULL AS terminating,
                   body->'status'->>'phase' AS phase,
                   EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(body->'status'->'conditions', '[]'::jsonb)) c
                           WHERE c->>'type' = 'Ready' AND c->>'status' = 'True') AS ready
            FROM objects WHERE kind = 'Pod' AND\s""";

    private final JdbcTemplate jdbc;
    private final String where;
    private final Function<Observation, String> check;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int observations;

    /**
     * @param where which pods (an SQL condition on the objects table, e.g. {@link #KUBE_SYSTEM})
     * @param check returns null when the observation is fine, else a description of the violation
     */
    public PodMonitor(JdbcTemplate jdbc, String where, Function<Observation, String> check) {
        this.jdbc = jdbc;
        this.where = where;
        this.check = check;
        this.thread = new Thread(this::loop, "pod-monitor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** One observation now, also for the test's own checks. */
    public Observation observe() {
        return observe(jdbc, where);
    }

    public static Observation observe(JdbcTemplate jdbc, String where) {
        return new Observation(jdbc.query(QUERY + where, (rs, i) -> new PodRow(rs.getString("name"), rs.getString("node_name"),
                rs.getString("revision_hash"), rs.getBoolean("terminating"), rs.getString("phase"),
                rs.getBoolean("ready"))));
    }

    private void loop() {
        while (running) {
            try {
                Observation o = observe();
                String violation = check.apply(o);
                observations++;
                if (violation != null && violations.size() < 20) {
                    violations.add(violation + " in " + o.pods());
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    violations.add("monitor failed: " + e);
                }
            }
        }
    }

    public int observations() {
        return observations;
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
