package dev.everynode.bench;

import dev.everynode.bench.Benchmark.Row;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.Latencies;

/** W1: how fast N simulated agents register (POST /agent/v1/nodes, 64 in flight), beside the GET /livez c=64 floor. */
record W1Register(Benchmark b) {

    FleetSimulator run() {
        b.log.printf("%n== W1 register %,d nodes%n", b.nodes);
        long t0 = System.nanoTime();
        FleetSimulator sim = FleetSimulator.start(b.simulatorConfig(b.nodes, "sim").build());
        double secs = (System.nanoTime() - t0) / 1e9;
        Latencies reg = sim.observations().registrationLatencies();
        double rate = b.nodes / secs;
        double p99 = reg.percentileMillis(99);
        b.log.printf("registered %,d in %.2f s = %.0f nodes/s, %s%n", b.nodes, secs, rate, reg.summary());
        b.rows.add(new Row("W1", "register nodes/s (c=64)", rate, "nodes/s", b.livezRate64, "GET /livez c=64 req/s",
                b.livezRate64 / rate, "≥ 5,000/s (T8)", rate >= 5000));
        b.rows.add(new Row("W1", "register p99", p99, "ms", b.livezP99At64, "GET /livez c=64 p99",
                p99 / b.livezP99At64, "—", null));
        b.details.putObject("W1").put("seconds", secs).put("nodesPerSec", rate).put("summary", reg.summary());
        return sim;
    }
}
