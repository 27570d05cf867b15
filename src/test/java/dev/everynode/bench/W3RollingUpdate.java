package dev.everynode.bench;

import dev.everynode.bench.Benchmark.Rollout;
import dev.everynode.bench.Benchmark.Row;
import dev.everynode.simulator.FleetSimulator;
import java.time.Duration;

/** W3: a rolling update of the W2 DaemonSet (maxUnavailable 10%, instant agents): total time and overhead per wave. */
record W3RollingUpdate(Benchmark b) {

    void run(FleetSimulator sim, String name) throws Exception {
        b.log.printf("%n== W3 rolling update, maxUnavailable 10%%, instant agents%n");
        Rollout r = b.rollout(sim, b.server, name, "registry.example/bench:2", Duration.ofSeconds(b.quick ? 180 : 300),
                "W3");
        b.rows.add(new Row("W3", "rolling update total (10% unavailable)", r.total(), "s", r.unavoidable(),
                r.waves() + " waves × report window", r.unavoidable() > 0 ? r.total() / r.unavoidable() : Double.NaN,
                "≤ 30 s (stretch 15 s)", r.total() <= 30));
        b.rows.add(new Row("W3", "overhead per wave", r.perWave(), "s", 0, "0 (instant agents)", Double.NaN,
                "≤ 1.5 s (T3)", r.perWave() <= 1.5));
        b.details.putObject("W3").put("seconds", r.total()).put("waves", r.waves())
                .put("overheadPerWaveSeconds", r.perWave())
                .put("maxUnavailableSeen", r.maxUnavailable()).put("budget", r.budget())
                .put("safetyOk", r.maxUnavailable() <= r.budget()).put("from", r.from().toString())
                .put("until", r.until().toString());
        if (r.maxUnavailable() > r.budget()) {
            b.notes.add("W3 safety: numberUnavailable reached " + r.maxUnavailable() + " > budget " + r.budget());
        }
    }
}
