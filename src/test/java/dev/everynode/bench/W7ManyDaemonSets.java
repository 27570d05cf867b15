package dev.everynode.bench;

import static dev.everynode.bench.Benchmark.daemonSet;
import static dev.everynode.bench.Benchmark.podJsonSample;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.bench.Benchmark.LoadResult;
import dev.everynode.bench.Benchmark.Profiler;
import dev.everynode.bench.Benchmark.Row;
import dev.everynode.simulator.SimulatorConfig;
import java.net.http.HttpRequest;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.ObjectNode;

/** W7: D DaemonSets on M labelled nodes (agents stopped) until all pods are committed, then one DaemonSet's update. */
record W7ManyDaemonSets(Benchmark b) {

    void run() throws Exception {
        int dsCount = b.w7Ds;
        int n = Math.min(b.w7Nodes, b.nodes);
        long pods = (long) dsCount * n;
        b.log.printf("%n== W7 %d DaemonSets × %,d nodes (%,d pods), agents stopped%n", dsCount, n, pods);
        String ns = "bench-w7";
        // The agents are stopped (they would each fetch and report D pods); keep every node's heartbeat going so
        // that no node turns NotReady/unreachable (a DaemonSet does not place new pods on unreachable nodes).
        SimulatorConfig all = b.simulatorConfig(b.nodes, "sim").build();
        java.util.concurrent.ScheduledExecutorService pump = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-heartbeats");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger beatCursor = new AtomicInteger();
        int perSecond = Math.max(1, b.nodes / 8);
        pump.scheduleAtFixedRate(() -> {
            try {
                int start = beatCursor.getAndAdd(perSecond);
                b.closedLoop(perSecond, 16, i -> b.req("/agent/v1/nodes/" + all.nodeName((start + i) % b.nodes + 1)
                        + "/heartbeat").PUT(HttpRequest.BodyPublishers.noBody()).build());
            } catch (RuntimeException ignored) {
                // next round
            }
        }, 0, 1, TimeUnit.SECONDS);
        try {
            runIn(ns);
        } finally {
            pump.shutdownNow();
        }
    }

    private void runIn(String ns) throws Exception {
        int dsCount = b.w7Ds;
        int n = Math.min(b.w7Nodes, b.nodes);
        long pods = (long) dsCount * n;
        b.send(b.req("/api/v1/namespaces").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}"))
                .build());
        SimulatorConfig names = b.simulatorConfig(b.nodes, "sim").build();
        b.closedLoop(n, 16, i -> b.req("/api/v1/nodes/" + names.nodeName(i + 1))
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(
                        "{\"metadata\":{\"labels\":{\"bench.everynode.dev/w7\":\"true\"}}}")).build());
        Thread.sleep(3000); // let label-triggered reconciles settle
        double insertFloor = Double.NaN;
        double insertOneFloor = Double.NaN;
        if (b.db != null) {
            try (Statement s = b.db.createStatement()) {
                s.execute("CREATE TABLE bench_scratch (kind text NOT NULL, namespace text NOT NULL, name text NOT NULL,"
                        + " uid uuid NOT NULL UNIQUE, resource_version bigint NOT NULL, node_name text, owner_uid uuid,"
                        + " body jsonb NOT NULL, PRIMARY KEY (kind, namespace, name))");
            }
            long f0 = System.nanoTime();
            b.insertScratch((int) pods, podJsonSample(), "w7");
            insertFloor = (System.nanoTime() - f0) / 1e9;
            f0 = System.nanoTime();
            b.insertScratch(n, podJsonSample(), "w7one");
            insertOneFloor = (System.nanoTime() - f0) / 1e9;
            try (Statement s = b.db.createStatement()) {
                s.execute("DROP TABLE bench_scratch");
            }
            b.log.printf("floor: %,d pod rows batched INSERT %.2f s; %,d rows %.3f s%n", pods, insertFloor, n,
                    insertOneFloor);
        }
        Profiler prof = b.startProfile("W7");
        long t0 = System.nanoTime();
        LoadResult creates = b.closedLoop(dsCount, 4, i -> b.req("/apis/apps/v1/namespaces/" + ns + "/daemonsets")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(daemonSet(ns,
                        "w7-%03d".formatted(i), "bench.everynode.dev/w7", "true", "registry.example/w7:1", "0",
                        "100%")))).build());
        b.log.printf("%d DaemonSets created in %.2f s (%s)%n", dsCount, creates.seconds(), creates.lat().summary());
        Duration limit = Duration.ofSeconds(b.quick ? 150 : 180);
        String countSql = "SELECT count(*) FROM objects WHERE kind='Pod' AND namespace = ? AND deletion_ts IS NULL";
        double all = b.waitForCount(limit, t0, pods, () -> b.count(countSql, ns));
        long have = b.count(countSql, ns);
        b.stopProfile(prof);
        boolean done = have >= pods;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        b.log.printf("%s: %,d of %,d pods committed after %.1f s (%.0f pods/s)%n", done ? "done" : "TIMEOUT", have,
                pods, done ? all : elapsed, have / (done ? all : elapsed));
        double figure = done ? all : Double.NaN;
        b.rows.add(new Row("W7", "100k pods committed (" + dsCount + " DS × " + n + ")", done ? all : elapsed, "s",
                insertFloor, pods + " pod rows, batched INSERT", (done ? all : elapsed) / insertFloor, "≤ 10 s",
                done && all <= 10));
        if (!done) {
            b.notes.add("W7 did not finish within " + limit.toSeconds() + " s: " + have + " of " + pods
                    + " pods committed (" + Math.round(have / elapsed) + " pods/s); the W7 figure is the time limit.");
        }
        ObjectNode w7 = b.details.putObject("W7");
        w7.put("daemonSets", dsCount).put("nodes", n).put("podsCommitted", have).put("seconds", done ? all : elapsed)
                .put("finished", done).put("createSeconds", creates.seconds());
        if (!done) {
            // let the backlog drain a little more, so the update below measures the update and not the backlog
            b.waitForCount(Duration.ofSeconds(b.quick ? 60 : 90), System.nanoTime(), pods, () -> b.count(countSql, ns));
            have = b.count(countSql, ns);
            w7.put("podsCommittedAfterGrace", have);
        }
        // update one DaemonSet: time until its N surge pods of the new revision are committed
        String target = "w7-000";
        String uid = b.scalar("SELECT uid::text FROM objects WHERE kind='DaemonSet' AND namespace=? AND name=?", ns,
                target);
        String oldHash = b.scalar("SELECT coalesce(min(revision_hash),'') FROM objects WHERE kind='Pod'"
                + " AND owner_uid = ?::uuid", uid);
        Profiler prof2 = b.startProfile("W7-update");
        long u0 = System.nanoTime();
        b.patchImage(ns, target, "registry.example/w7:2");
        double upd = b.waitForCount(Duration.ofSeconds(120), u0, n, () -> b.count("SELECT count(*) FROM objects"
                + " WHERE kind='Pod' AND owner_uid = ?::uuid AND deletion_ts IS NULL AND revision_hash <> '" + oldHash
                + "'", uid));
        b.stopProfile(prof2);
        boolean updDone = !Double.isNaN(upd);
        double updFig = updDone ? upd : 120;
        double proportional = done ? all / dsCount : Double.NaN;
        b.log.printf("update of one DS (%,d new pods committed): %s s; proportional share of W7 = %.2f s%n", n,
                updDone ? "%.3f".formatted(upd) : "TIMEOUT", proportional);
        b.rows.add(new Row("W7", "update 1 DS of " + dsCount + " (" + n + " new pods committed)", updFig, "s",
                insertOneFloor, n + " pod rows, batched INSERT", updFig / insertOneFloor,
                "∝ own pods (≈ W7 total / " + dsCount + " = " + (done ? "%.2f s".formatted(proportional) : "n/a") + ")",
                done && updDone ? upd <= Math.max(1.0, 2 * proportional) : null));
        w7.put("updateSeconds", updFig).put("updateFinished", updDone);
    }
}
