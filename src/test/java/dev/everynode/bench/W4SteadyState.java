package dev.everynode.bench;

import static dev.everynode.bench.Benchmark.cpuTicks;
import static dev.everynode.bench.Benchmark.rssMiB;
import static dev.everynode.bench.Benchmark.threadTicks;

import dev.everynode.bench.Benchmark.Profiler;
import dev.everynode.bench.Benchmark.Row;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.Latencies;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.ObjectNode;

/** W4: N idle agents (service CPU, heap, RSS, heartbeat p99), then API writes and a Prometheus scrape under load. */
record W4SteadyState(Benchmark b) {

    void run(FleetSimulator sim) throws Exception {
        b.log.printf("%n== W4 steady state, %d s%n", b.w4Seconds);
        Thread.sleep(2000);
        sim.observations().heartbeatLatencies().clear();
        long hb0 = sim.observations().heartbeatsSent();
        long polls0 = sim.observations().pollsAnswered();
        long c0 = b.servicePid > 0 ? cpuTicks(b.servicePid) : -1;
        Map<String, Long> threads0 = threadTicks(b.servicePid);
        long pg0 = b.postmasterPid > 0 ? b.pgTicks() : -1;
        long sim0 = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        Profiler prof = b.startProfile("W4-steady");
        long t0 = System.nanoTime();
        double rssMax = 0;
        double heapMax = 0;
        long end = t0 + TimeUnit.SECONDS.toNanos(b.w4Seconds);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(5000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            if (b.servicePid > 0) rssMax = Math.max(rssMax, rssMiB(b.servicePid));
        }
        long t1 = System.nanoTime();
        double cpu = c0 >= 0 ? b.cpuShare(c0, cpuTicks(b.servicePid), t0, t1) : Double.NaN;
        b.stopProfile(prof);
        Map<String, Long> threads1 = threadTicks(b.servicePid);
        String byThread = b.threadCpuSummary(threads0, threads1, t0, t1);
        long jitTicks = 0;
        for (var e : threads1.entrySet()) {
            if (e.getKey().contains("CompilerThre")) jitTicks += e.getValue() - threads0.getOrDefault(e.getKey(), 0L);
        }
        double jit = jitTicks / (double) b.clkTck / ((t1 - t0) / 1e9 * b.cores);
        b.log.print("service CPU by thread group (share of " + b.cores + " cores):\n" + byThread);
        b.profiles.put("W4 service CPU by thread group (/proc/<pid>/task/*/stat over the window)", byThread);
        double pgCpu = pg0 >= 0 ? b.cpuShare(pg0, b.pgTicks(), t0, t1) : Double.NaN;
        double simCpu = (((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() - sim0) / ((t1 - t0) * (double) b.cores);
        heapMax = b.heapMiB();
        Latencies hb = sim.observations().heartbeatLatencies();
        double hbP99 = hb.percentileMillis(99);
        long hbs = sim.observations().heartbeatsSent() - hb0;
        long polls = sim.observations().pollsAnswered() - polls0;
        b.log.printf("service CPU %.2f%% of %d cores (PostgreSQL %.2f%%, simulator %.2f%%), heap %.0f MiB, RSS %.0f MiB;"
                + " %d heartbeats (%s), %d polls answered%n", cpu * 100, b.cores, pgCpu * 100, simCpu * 100, heapMax,
                rssMax, hbs, hb.summary(), polls);
        b.rows.add(new Row("W4", "service CPU share (2 cores)", cpu * 100, "%", b.idleCpuShare * 100,
                "idle service, no agents", b.idleCpuShare > 0 ? cpu / b.idleCpuShare : Double.NaN, "≤ 15%",
                cpu <= 0.15));
        b.rows.add(new Row("W4", "service CPU share without JIT compiler threads", (cpu - jit) * 100, "%",
                b.idleCpuShare * 100, "idle service, no agents", b.idleCpuShare > 0 ? (cpu - jit) / b.idleCpuShare
                : Double.NaN, "≤ 15% (JIT warm-up left out)", cpu - jit <= 0.15));
        b.rows.add(new Row("W4", "PostgreSQL CPU share", pgCpu * 100, "%", Double.NaN, "—", Double.NaN, "—", null));
        b.rows.add(new Row("W4", "service heap used", heapMax, "MiB", b.idleHeapMiB, "idle service",
                heapMax / b.idleHeapMiB, "≤ 1024 MiB", heapMax <= 1024));
        b.rows.add(new Row("W4", "service RSS (max)", rssMax, "MiB", b.idleRssMiB, "idle service",
                rssMax / b.idleRssMiB, "—", null));
        b.rows.add(new Row("W4", "heartbeat p99", hbP99, "ms", b.livezP99At4, "GET /livez c=4 p99",
                hbP99 / b.livezP99At4, "≤ 20 ms (T4)", hbP99 <= 20));
        ObjectNode w4 = b.details.putObject("W4");
        w4.put("seconds", (t1 - t0) / 1e9).put("cpuShare", cpu).put("jitCompilerCpuShare", jit).put("pgCpuShare", pgCpu).put("simulatorCpuShare", simCpu)
                .put("heapMiB", heapMax).put("rssMiB", rssMax).put("heartbeats", hbs).put("heartbeatSummary", hb.summary())
                .put("pollsAnswered", polls);

        // API writes under the steady load: merge-patch node annotations, 4 writers, ~40/s
        int writes = b.quick ? 200 : 400;
        Latencies api = new Latencies();
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<String> names = sim.nodeNames();
        long w0 = System.nanoTime();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            pool.submit(() -> {
                for (int i = worker; i < writes; i += 4) {
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> r = b.send(b.req("/api/v1/nodes/" + names.get(i % names.size()))
                                .header("Content-Type", "application/merge-patch+json")
                                .method("PATCH", HttpRequest.BodyPublishers.ofString(
                                        "{\"metadata\":{\"annotations\":{\"bench.everynode.dev/w4\":\"" + i + "\"}}}"))
                                .build());
                        if (r.statusCode() != 200) errors.incrementAndGet();
                        else api.add(System.nanoTime() - s);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    long sleep = 100 - (System.nanoTime() - s) / 1_000_000;
                    if (sleep > 0) {
                        try { Thread.sleep(sleep); } catch (InterruptedException e) { return; }
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.MINUTES);
        double apiP99 = api.percentileMillis(99);
        b.log.printf("API writes (PATCH node) under steady load: %s, errors %d, %.1f s%n", api.summary(), errors.get(),
                (System.nanoTime() - w0) / 1e9);
        b.rows.add(new Row("W4", "API write p99 (PATCH node, ~40/s)", apiP99, "ms", b.livezP99At4, "GET /livez c=4 p99",
                apiP99 / b.livezP99At4, "≤ 50 ms", apiP99 <= 50));
        w4.put("apiWriteSummary", api.summary()).put("apiWriteErrors", errors.get());
        scrape(w4);
    }

    /**
     * The cost of a Prometheus scrape with the whole fleet in place (kube_node_status_condition for every node):
     * GET /actuator/prometheus, 5 times 1 s apart (a service started here computes the kube-state-metrics
     * families on every scrape: min-interval 0), beside a GET /livez floor.
     */
    private void scrape(ObjectNode w4) throws IOException, InterruptedException {
        Latencies scrapes = new Latencies();
        Latencies floor = new Latencies();
        int bytes = 0;
        for (int i = 0; i < 5; i++) {
            Thread.sleep(1000);
            long s = System.nanoTime();
            HttpResponse<String> r = b.send(b.req("/actuator/prometheus").setHeader("Accept", "text/plain").GET()
                    .build());
            scrapes.add(System.nanoTime() - s);
            bytes = r.body().length();
            if (r.statusCode() != 200) {
                b.notes.add("W4 scrape answered " + r.statusCode());
                return;
            }
            s = System.nanoTime();
            b.get("/livez");
            floor.add(System.nanoTime() - s);
        }
        double median = scrapes.percentileMillis(50);
        double floorMedian = floor.percentileMillis(50);
        b.log.printf("Prometheus scrape (%,d bytes): %s; /livez %s%n", bytes, scrapes.summary(), floor.summary());
        b.rows.add(new Row("W4", "Prometheus scrape median (all N nodes)", median, "ms", floorMedian,
                "GET /livez median", median / floorMedian, "—", null));
        w4.put("scrapeSummary", scrapes.summary()).put("scrapeBytes", bytes);
    }
}
