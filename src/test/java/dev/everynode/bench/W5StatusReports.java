package dev.everynode.bench;

import dev.everynode.bench.Benchmark.Reports;
import dev.everynode.bench.Benchmark.Row;
import dev.everynode.simulator.FleetSimulator;

/** W5: sustained pod-status reports (64 concurrent POST /agent/v1/nodes/{n}/pod-statuses): rate and p99. */
record W5StatusReports(Benchmark b) {

    void run(FleetSimulator sim, String dsName) throws Exception {
        b.log.printf("%n== W5 status reports (batched endpoint, changed status each time)%n");
        int seconds = b.quick ? 10 : 20;
        Reports res = b.statusReports(dsName, "registry.example/bench:2", i -> b.server, seconds, "W5");
        b.log.printf("%,d reports in %.2f s: %.0f applied/s, %s, not applied %d%n", res.requests(), res.seconds(),
                res.rate(), res.lat().summary(), res.notApplied());
        b.rows.add(new Row("W5", "status reports sustained (c=64)", res.rate(), "reports/s", b.livezRate64,
                "GET /livez c=64 req/s", b.livezRate64 / res.rate(), "≥ 5,000/s (stretch 10,000)",
                res.rate() >= 5000));
        b.rows.add(new Row("W5", "status report p99", res.p99(), "ms", b.livezP99At64, "GET /livez c=64 p99",
                res.p99() / b.livezP99At64, "≤ 50 ms", res.p99() <= 50));
        b.details.putObject("W5").put("requests", res.requests()).put("seconds", res.seconds())
                .put("appliedPerSec", res.rate()).put("notApplied", res.notApplied()).put("latency", res.lat().summary()).put("from", res.from().toString())
                .put("until", res.until().toString());
    }
}
