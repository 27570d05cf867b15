package dev.everynode.bench;

import dev.everynode.simulator.FleetSimulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * W6 "two replicas": a second service process on the same database (same jar, tokens and settings, another port),
 * started after W5 while every simulated agent stays connected to replica 1. Two phases:
 * <ol>
 *   <li>W3's rolling update (maxUnavailable 10%) of the W2 DaemonSet, the PATCH sent to replica 2 and the status
 *       polled there; the agents see their pods through replica 1's long-polls and report to replica 1. The
 *       reconcile passes of that DaemonSet are counted per replica from the two service logs (DEBUG line per
 *       pass, enabled on both replicas from their start).</li>
 *   <li>W5's status reports (c=64, same duration), requests alternating between replica 1 and replica 2.</li>
 * </ol>
 * Replica 2 is stopped in a finally. Only run when the benchmark started the service itself.
 */
final class ScaleOutWorkload {

    static final Path LOG_1 = Path.of("target/benchmark-service.log");
    static final Path LOG_2 = Path.of("target/benchmark-service-2.log");

    /** The reconciler's per-pass lines: DEBUG "reconciled ...", or above 500 ms instead INFO "slow reconcile pass". */
    private static final Pattern PASS = Pattern.compile(
            "(reconciled|slow reconcile pass) daemonSet=(\\S+) creates=(\\d+) deletes=(\\d+) ms=(\\d+)");

    private final Benchmark b;

    ScaleOutWorkload(Benchmark b) {
        this.b = b;
    }

    /** Reconcile passes of one DaemonSet found in one replica's log over a window. */
    record Passes(int lines, int changing, int slow, long creates, long deletes, long ms) {
        @Override
        public String toString() {
            if (lines < 0) return "log not readable";
            return "%d passes (%d with creates or deletes, %d creates and %d deletes in all; %d over 500 ms; %.1f s"
                    .formatted(lines, changing, creates, deletes, slow, ms / 1000.0) + " inside passes)";
        }
    }

    void run(FleetSimulator sim, String ds) throws Exception {
        b.log.printf("%n== W6 two replicas on one database (agents stay on replica 1)%n");
        ObjectNode w6 = b.details.putObject("W6");
        long w0 = System.nanoTime();
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String base2 = "http://127.0.0.1:" + port;
        Process replica2 = null;
        try {
            long t0 = System.nanoTime();
            int[][] atSpawn = new int[1][];
            replica2 = b.startService(port, LOG_2, pid -> atSpawn[0] = renice(pid, 0));
            double startSecs = (System.nanoTime() - t0) / 1e9;
            long pid2 = replica2.pid();
            // again, now that it is up: threads started before the first renice were created at nice 10
            int[] nice = renice(pid2, 0);
            b.log.printf("replica 2 pid %d on port %d up in %.1f s (replica 1: %.1f s at the start of the run);"
                    + " %d of %d threads at nice 0%n", pid2, port, startSecs,
                    b.details.path("serviceStartSeconds").asDouble(), nice[1], nice[0]);
            w6.put("replica2Port", port).put("replica2StartSeconds", startSecs).put("replica2Threads", nice[0])
                    .put("replica2ThreadsAtNice0", nice[1]).put("replica2ThreadsAtSpawn", atSpawn[0][0])
                    .put("replica2ThreadsAtNice0AtSpawn", atSpawn[0][1]);
            if (nice[0] == 0 || nice[1] < nice[0] || atSpawn[0][1] < atSpawn[0][0]) {
                b.notes.add("W6: renice of replica 2 to nice 0 failed for " + (atSpawn[0][0] - atSpawn[0][1]) + " of "
                        + atSpawn[0][0] + " threads right after it was started and for " + (nice[0] - nice[1]) + " of "
                        + nice[0] + " once it answered: it ran (partly) at the benchmark JVM's nice 10, below replica"
                        + " 1's priority.");
            }

            String rolloutNote = rolloutPhase(sim, ds, base2, pid2, w6);
            String reportsNote = reportsPhase(ds, base2, pid2, w6);
            b.notes.add("W6: replica 2 (same jar, database, tokens and settings, port " + port + ", log " + LOG_2
                    + ") answered /livez %.1f s after it was started (replica 1: %.1f s at the start of the run)"
                    .formatted(startSecs, b.details.path("serviceStartSeconds").asDouble()) + ". " + rolloutNote
                    + " " + reportsNote);
        } finally {
            stop(replica2);
            w6.put("seconds", (System.nanoTime() - w0) / 1e9);
            b.log.printf("W6 took %.1f s%n", (System.nanoTime() - w0) / 1e9);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private String rolloutPhase(FleetSimulator sim, String ds, String base2, long pid2, ObjectNode w6)
            throws Exception {
        b.log.printf("-- W6 rolling update of %s through replica 2, maxUnavailable 10%%, agents on replica 1%n", ds);
        Duration limit = Duration.ofSeconds(120);
        long off1 = size(LOG_1);
        long off2 = size(LOG_2);
        Cpu cpu = new Cpu(pid2);
        Benchmark.Rollout r = b.rollout(sim, base2, ds, "registry.example/bench:3", limit, null);
        String cpuText = cpu.end();
        Thread.sleep(200); // let the last lines reach the logs
        String key = "default/" + ds;
        Passes p1 = passes(LOG_1, off1, key, List.<Instant[]>of(new Instant[] {r.from(), r.until()})).get(0);
        Passes p2 = passes(LOG_2, off2, key, List.<Instant[]>of(new Instant[] {r.from(), r.until()})).get(0);
        String w3Passes = window("W3") == null ? "W3 not run"
                : "W3, replica 1 alone: " + passes(LOG_1, 0, key, List.<Instant[]>of(window("W3"))).get(0);
        b.log.printf("reconcile passes of %s during the rollout: replica 1 %s; replica 2 %s (%s)%n  %s%n", key, p1,
                p2, w3Passes, cpuText);
        double w3 = b.details.path("W3").path("seconds").asDouble(Double.NaN);
        b.rows.add(new Benchmark.Row("W6", "rolling update through replica 2 (agents on replica 1)", r.total(), "s",
                r.unavoidable(), r.waves() + " waves × report window",
                r.unavoidable() > 0 ? r.total() / r.unavoidable() : Double.NaN, "≤ 30 s (stretch 15 s)",
                r.total() <= 30));
        ObjectNode o = w6.putObject("rollout");
        o.put("seconds", r.total()).put("waves", r.waves()).put("overheadPerWaveSeconds", r.perWave())
                .put("maxUnavailableSeen", r.maxUnavailable()).put("budget", r.budget())
                .put("safetyOk", r.maxUnavailable() <= r.budget()).put("cpu", cpuText)
                .put("from", r.from().toString()).put("until", r.until().toString()).put("w3Passes", w3Passes);
        putPasses(o.putObject("passesReplica1"), p1);
        putPasses(o.putObject("passesReplica2"), p2);
        if (r.maxUnavailable() > r.budget()) {
            b.notes.add("W6 safety: numberUnavailable reached " + r.maxUnavailable() + " > budget " + r.budget());
        }
        String text = (Double.isNaN(r.total()) ? "The rolling update through replica 2 did not finish within "
                + limit.toSeconds() + " s" : "The rolling update through replica 2 took %.2f s".formatted(r.total()))
                + (Double.isNaN(w3) ? " (W3 not run)" : " (W3, replica 1 alone: %.2f s)".formatted(w3))
                + ", %d waves, overhead %.3f s per wave, max numberUnavailable %d (budget %d); %s."
                .formatted(r.waves(), r.perWave(), r.maxUnavailable(), r.budget(), cpuText)
                + " Reconcile passes of " + key + " between the PATCH and the end, counted as that DaemonSet's"
                + " `reconciled`/`slow reconcile pass` lines in each log: replica 1 " + p1 + "; replica 2 " + p2 + " ("
                + w3Passes + ")."
                + " A pass that finds the DaemonSet's advisory lock taken by the other replica also logs a line (with"
                + " creates=0 deletes=0), so passes without creates/deletes are lock-skipped or no-op passes, which"
                + " the log does not tell apart; a line is timestamped when its pass ends; passes that failed with an"
                + " exception log no line.";
        return text;
    }

    private String reportsPhase(String ds, String base2, long pid2, ObjectNode w6) throws Exception {
        int seconds = b.quick ? 10 : 20;
        b.log.printf("-- W6 status reports, c=64, %d s, alternating replica 1 / replica 2%n", seconds);
        String base1 = b.server;
        long off1 = size(LOG_1);
        long off2 = size(LOG_2);
        Cpu cpu = new Cpu(pid2);
        Benchmark.Reports res = b.statusReports(ds, "registry.example/bench:3", i -> (i & 1) == 0 ? base1 : base2,
                seconds, null);
        String cpuText = cpu.end();
        Thread.sleep(200);
        String key = "default/" + ds;
        Passes p1 = passes(LOG_1, off1, key, List.<Instant[]>of(new Instant[] {res.from(), res.until()})).get(0);
        Passes p2 = passes(LOG_2, off2, key, List.<Instant[]>of(new Instant[] {res.from(), res.until()})).get(0);
        String w5Passes = window("W5") == null ? "W5 not run"
                : "W5, replica 1 alone: " + passes(LOG_1, 0, key, List.<Instant[]>of(window("W5"))).get(0);
        b.log.printf("%,d reports in %.2f s: %.0f applied/s, %s, not applied %d%n  reconcile passes of %s (warm-up"
                + " included): replica 1 %s; replica 2 %s (%s)%n  %s%n", res.requests(), res.seconds(), res.rate(),
                res.lat().summary(), res.notApplied(), key, p1, p2, w5Passes, cpuText);
        Benchmark.Row w5Rate = w5Row("status reports sustained");
        Benchmark.Row w5P99 = w5Row("status report p99");
        String w5r = w5Rate == null ? "W5 not run" : "W5 one replica: %s/s".formatted(Benchmark.fmt(w5Rate.value()));
        String w5p = w5P99 == null ? "W5 not run" : "W5 one replica: %s ms".formatted(Benchmark.fmt(w5P99.value()));
        b.rows.add(new Benchmark.Row("W6", "status reports sustained (c=64, alternating replica 1/2; " + w5r + ")",
                res.rate(), "reports/s", b.livezRate64, "GET /livez c=64 req/s", b.livezRate64 / res.rate(),
                "≥ 5,000/s (stretch 10,000)", res.rate() >= 5000));
        b.rows.add(new Benchmark.Row("W6", "status report p99 (alternating replica 1/2; " + w5p + ")", res.p99(), "ms",
                b.livezP99At64, "GET /livez c=64 p99", res.p99() / b.livezP99At64, "≤ 50 ms", res.p99() <= 50));
        ObjectNode o = w6.putObject("reports");
        o.put("requests", res.requests()).put("seconds", res.seconds()).put("appliedPerSec", res.rate())
                .put("notApplied", res.notApplied()).put("latency", res.lat().summary()).put("cpu", cpuText)
                .put("from", res.from().toString()).put("until", res.until().toString()).put("w5Passes", w5Passes);
        putPasses(o.putObject("passesReplica1"), p1);
        putPasses(o.putObject("passesReplica2"), p2);
        String w5 = w5Rate == null ? "W5 not run" : "W5, replica 1 alone: %s/s, p99 %s ms"
                .formatted(Benchmark.fmt(w5Rate.value()), Benchmark.fmt(w5P99.value()));
        return ("Status reports alternating between the replicas (c=64, %d s after a 3 s warm-up): %.0f applied/s,"
                + " p99 %.1f ms, not applied %d (%s); %s. Reconcile passes of %s over warm-up and run: replica 1 %s;"
                + " replica 2 %s (%s).").formatted(seconds, res.rate(), res.p99(), res.notApplied(), w5, cpuText, key,
                p1, p2, w5Passes);
    }

    /** The wall-clock window [from, until] another workload recorded in the details, or null. */
    private Instant[] window(String workload) {
        var d = b.details.path(workload);
        if (!d.has("from") || !d.has("until")) return null;
        return new Instant[] {Instant.parse(d.path("from").asString()), Instant.parse(d.path("until").asString())};
    }

    private Benchmark.Row w5Row(String prefix) {
        for (Benchmark.Row r : b.rows) {
            if (r.workload().equals("W5") && r.figure().startsWith(prefix)) return r;
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------------------

    /** CPU of replica 1, replica 2 and PostgreSQL over a phase, as shares of all cores. */
    private final class Cpu {
        final long pid2;
        final long t0 = System.nanoTime();
        final long r1;
        final long r2;
        final long pg;

        Cpu(long pid2) {
            this.pid2 = pid2;
            r1 = Benchmark.cpuTicks(b.servicePid);
            r2 = Benchmark.cpuTicks(pid2);
            pg = b.postmasterPid > 0 ? b.pgTicks() : -1;
        }

        String end() {
            long t1 = System.nanoTime();
            double s1 = b.cpuShare(r1, Benchmark.cpuTicks(b.servicePid), t0, t1);
            double s2 = b.cpuShare(r2, Benchmark.cpuTicks(pid2), t0, t1);
            double p = pg >= 0 ? b.cpuShare(pg, b.pgTicks(), t0, t1) : Double.NaN;
            return "CPU replica 1 %.1f%%, replica 2 %.1f%%, PostgreSQL %.1f%% of %d cores over %.1f s"
                    .formatted(s1 * 100, s2 * 100, p * 100, b.cores, (t1 - t0) / 1e9);
        }
    }

    static void putPasses(ObjectNode o, Passes p) {
        o.put("lines", p.lines()).put("withCreatesOrDeletes", p.changing()).put("slow", p.slow())
                .put("creates", p.creates()).put("deletes", p.deletes()).put("msInPasses", p.ms());
    }

    static long size(Path log) {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The pass lines of one DaemonSet ("ns/name") written to the log after byte offset {@code offset}, counted per
     * window [from, until] of their timestamps (a line's timestamp is when its pass ended).
     */
    static List<Passes> passes(Path log, long offset, String key, List<Instant[]> windows) {
        int n = windows.size();
        int[] lines = new int[n];
        int[] changing = new int[n];
        int[] slow = new int[n];
        long[] creates = new long[n];
        long[] deletes = new long[n];
        long[] ms = new long[n];
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            ch.position(Math.min(offset, ch.size()));
            BufferedReader in = new BufferedReader(Channels.newReader(ch, StandardCharsets.UTF_8), 1 << 16);
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.contains("daemonSet=" + key + " ")) continue;
                Matcher m = PASS.matcher(line);
                if (!m.find() || !m.group(2).equals(key)) continue;
                Instant at;
                try {
                    at = OffsetDateTime.parse(line.substring(0, line.indexOf(' '))).toInstant();
                } catch (RuntimeException e) {
                    continue; // not a log line of ours
                }
                for (int w = 0; w < n; w++) {
                    if (at.isBefore(windows.get(w)[0]) || at.isAfter(windows.get(w)[1])) continue;
                    int c = Integer.parseInt(m.group(3));
                    int d = Integer.parseInt(m.group(4));
                    lines[w]++;
                    creates[w] += c;
                    deletes[w] += d;
                    ms[w] += Long.parseLong(m.group(5));
                    if (c + d > 0) changing[w]++;
                    if (m.group(1).startsWith("slow")) slow[w]++;
                }
            }
        } catch (IOException | RuntimeException e) {
            List<Passes> none = new ArrayList<>();
            for (int w = 0; w < n; w++) none.add(new Passes(-1, -1, -1, -1, -1, -1));
            return none;
        }
        List<Passes> out = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            out.add(new Passes(lines[w], changing[w], slow[w], creates[w], deletes[w], ms[w]));
        }
        return out;
    }

    /**
     * Sets every thread of the process to the given nice value (renice -n v -p TID...; setpriority is per thread on
     * Linux, so the pid alone would only move the main thread). Returns {threads, threads at that nice value}.
     */
    int[] renice(long pid, int value) {
        int[] state = {0, 0};
        for (int attempt = 0; attempt < 3; attempt++) {
            List<String> cmd = new ArrayList<>(List.of("renice", "-n", Integer.toString(value), "-p"));
            List<String> off = threadsNotAt(pid, value, state);
            if (state[0] > 0 && off.isEmpty()) return state;
            if (state[0] == 0) return state; // gone
            cmd.addAll(off);
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                b.log.println("renice failed: " + e);
                break;
            }
        }
        threadsNotAt(pid, value, state);
        return state;
    }

    /** Thread ids of the process whose nice value (field 19 of /proc/pid/task/tid/stat) differs from value. */
    static List<String> threadsNotAt(long pid, int value, int[] state) {
        List<String> off = new ArrayList<>();
        state[0] = 0;
        state[1] = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    state[0]++;
                    if (Integer.parseInt(f[16]) == value) state[1]++;
                    else off.add(t.getFileName().toString());
                } catch (IOException | RuntimeException ignored) {
                    // thread ended
                }
            }
        } catch (IOException ignored) {
            // no such process
        }
        return off;
    }

    void stop(Process p) {
        if (p == null) return;
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        b.log.println("replica 2 stopped" + (p.isAlive() ? " (STILL ALIVE)" : ", exit code " + p.exitValue()));
    }
}
