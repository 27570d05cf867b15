package dev.everynode.bench;

import static dev.everynode.bench.Benchmark.daemonSet;
import static dev.everynode.bench.Benchmark.waitUntil;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.bench.Benchmark.Profiler;
import dev.everynode.bench.Benchmark.Row;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.Latencies;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.node.ObjectNode;

/** W2: one DaemonSet on every simulated node, until its N pods are committed, seen by the agents and Ready. */
record W2OneDaemonSet(Benchmark b) {

    String run(FleetSimulator sim) throws Exception {
        b.log.printf("%n== W2 one DaemonSet on %,d nodes%n", b.nodes);
        // Start from a quiet fleet: every agent had its first answer (W1's tail: N first polls) and parked again.
        waitUntil(Duration.ofSeconds(120), () -> sim.nodesWithAssignments() >= b.nodes
                && sim.observations().pollsInFlight() >= b.nodes);
        Thread.sleep(2000);
        b.log.printf("long-polls parked: %d (every agent had its first answer)%n", sim.observations().pollsInFlight());
        String name = "w2";
        ObjectNode ds = daemonSet("default", name, "everynode.dev/simulated", "true", "registry.example/bench:1",
                "10%", "0");
        Profiler prof = b.startProfile("W2");
        sim.observations().mark();
        double wakeups0 = b.wakeups();
        long t0 = System.nanoTime();
        HttpResponse<String> r = b.send(b.req("/apis/apps/v1/namespaces/default/daemonsets")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(ds))).build());
        double accepted = (System.nanoTime() - t0) / 1e6;
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new IllegalStateException("create DaemonSet: HTTP " + r.statusCode() + " " + r.body());
        }
        String uid = Json.MAPPER.readTree(r.body()).path("metadata").path("uid").asString();
        double committed = b.waitForCount(Duration.ofSeconds(120), t0, b.nodes,
                () -> b.count("SELECT count(*) FROM objects WHERE kind='Pod' AND owner_uid = ?::uuid"
                        + " AND deletion_ts IS NULL", uid));
        // When the service had written every agent's changed assignments (its own counter, polled every 20 ms):
        // what is left until the agents saw them is the simulated agents' share of the same two cores.
        double answered = Double.isNaN(wakeups0) ? Double.NaN : b.waitForCount(Duration.ofSeconds(120), t0, b.nodes,
                () -> (long) (b.wakeups() - wakeups0));
        String hash = b.scalar("SELECT min(revision_hash) FROM objects WHERE kind='Pod' AND owner_uid = ?::uuid", uid);
        b.log.printf("DS accepted in %.1f ms; all %,d pods committed after %.3f s (revision %s)%n", accepted, b.nodes,
                committed, hash);
        waitUntil(Duration.ofSeconds(120), () -> sim.observations().seenCount(hash) >= b.nodes);
        Latencies seen = new Latencies();
        sim.observations().firstSeen(hash, t0).values().forEach(d -> seen.add(d.toNanos()));
        b.log.printf("service answered all %,d parked polls after %.3f s; agents saw their pod: %s%n", b.nodes,
                answered, seen.summary());
        double ready = b.waitForDs("default", name, Duration.ofSeconds(120), t0, s ->
                s.path("numberReady").asLong() >= b.nodes);
        b.stopProfile(prof);
        b.log.printf("all %,d pods Ready (reported by instant agents) after %.3f s%n", b.nodes, ready);
        double commitFloor = b.dbInsertNSeconds;
        b.rows.add(new Row("W2", "all N pods committed", committed, "s", commitFloor,
                "N pod rows, batched INSERT (JDBC)", committed / commitFloor, "≤ 1 s (stretch 0.25 s)",
                committed <= 1.0));
        double notifyFloor = b.livezWallN256;
        for (double p : new double[] {50, 99, 100}) {
            double v = seen.percentileMillis(p) / 1000;
            b.rows.add(new Row("W2", "agents saw assignment " + (p == 100 ? "max" : "p" + (int) p), v, "s",
                    notifyFloor, "N × GET /livez at c=256 (wall)", v / notifyFloor,
                    p == 99 ? "≤ 3 s" : "—", p == 99 ? v <= 3.0 : null));
        }
        if (!Double.isNaN(answered)) {
            b.rows.add(new Row("W2", "service answered all N parked polls", answered, "s", notifyFloor + commitFloor,
                    "commit floor + notify floor", answered / (notifyFloor + commitFloor), "—", null));
        }
        b.rows.add(new Row("W2", "all N pods Ready", ready, "s", notifyFloor + commitFloor,
                "commit floor + notify floor", ready / (notifyFloor + commitFloor), "—", null));
        b.details.putObject("W2").put("acceptedMs", accepted).put("committedSeconds", committed)
                .put("seenSummary", seen.summary()).put("answeredSeconds", answered).put("readySeconds", ready)
                .put("revision", hash);
        return name;
    }
}
