package dev.everynode.bench;

import dev.everynode.simulator.FleetSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.node.ObjectNode;

/**
 * SOAK (issue 16, the file-descriptor stall): after W2, the whole fleet stays connected for {@code --soak=SECONDS}
 * with churn: rolling updates back to back, and every 20 s 2 % of the nodes stop heartbeating for 30 s (longer than
 * nothing, shorter than the grace period) and come back. Every 10 s it samples the service's open file
 * descriptors ({@code /proc/<pid>/fd}) and threads, and the simulator's heartbeats and errors. A stall is a
 * 10-second window without a single heartbeat answered; the result says whether one happened and how descriptors
 * and threads moved (a leak grows with time; a healthy service stays flat).
 */
final class SoakWorkload {

    private final Benchmark b;

    SoakWorkload(Benchmark b) {
        this.b = b;
    }

    void run(FleetSimulator sim, String ds, int seconds) throws Exception {
        b.log.printf("%n== SOAK %d s: %d agents, rolling updates back to back, heartbeat churn%n", seconds, b.nodes);
        List<String> names = sim.nodeNames();
        int churn = Math.max(1, names.size() / 50);
        long t0 = System.nanoTime();
        long end = t0 + Duration.ofSeconds(seconds).toNanos();
        List<String> samples = new ArrayList<>();
        int fdMin = Integer.MAX_VALUE;
        int fdMax = 0;
        int threadsMax = 0;
        int stalls = 0;
        long hbPrev = sim.observations().heartbeatsSent();
        long errPrev = sim.observations().errors();
        int firstFd = -1;
        int lastFd = -1;
        int paused = 0;
        List<String> pausedNow = List.of();
        long nextChurn = t0;
        long resumeAt = Long.MAX_VALUE;
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        Thread roller = new Thread(() -> {
            int v = 0;
            while (System.nanoTime() < end - Duration.ofSeconds(60).toNanos()) {
                try {
                    Benchmark.Rollout r = b.rollout(sim, b.server, ds, "registry.example/soak:v" + (++v),
                            Duration.ofSeconds(300), null);
                    if (!Double.isNaN(r.total())) {
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    b.notes.add("SOAK rollout " + v + " failed: " + e);
                    return;
                }
            }
        }, "soak-rollouts");
        roller.setDaemon(true);
        roller.start();
        while (System.nanoTime() < end) {
            Thread.sleep(10_000);
            long now = System.nanoTime();
            if (now >= resumeAt) {
                sim.resumeHeartbeats(pausedNow);
                resumeAt = Long.MAX_VALUE;
            }
            if (now >= nextChurn && resumeAt == Long.MAX_VALUE) {
                int from = (paused * churn) % names.size();
                pausedNow = names.subList(from, Math.min(names.size(), from + churn));
                sim.pauseHeartbeats(pausedNow);
                paused++;
                resumeAt = now + Duration.ofSeconds(30).toNanos();
                nextChurn = now + Duration.ofSeconds(20).toNanos();
            }
            int fds = count(Path.of("/proc/" + b.servicePid + "/fd"));
            int threads = threads(b.servicePid);
            long hb = sim.observations().heartbeatsSent();
            long err = sim.observations().errors();
            if (hb == hbPrev) {
                stalls++;
            }
            if (firstFd < 0) {
                firstFd = fds;
            }
            lastFd = fds;
            fdMin = Math.min(fdMin, fds);
            fdMax = Math.max(fdMax, fds);
            threadsMax = Math.max(threadsMax, threads);
            String line = "t=%3.0f s fds=%d threads=%d heartbeats +%d errors +%d".formatted((now - t0) / 1e9, fds,
                    threads, hb - hbPrev, err - errPrev);
            b.log.println(line);
            samples.add(line);
            hbPrev = hb;
            errPrev = err;
        }
        sim.resumeHeartbeats(pausedNow);
        roller.join(Duration.ofSeconds(310).toMillis());
        int rollouts = done.get();
        String summary = ("%d s, %d agents: file descriptors first %d, last %d, min %d, max %d; threads max %d; "
                + "10-s windows without a heartbeat answered: %d; %d rolling updates finished; heartbeat churn rounds "
                + "%d of %d nodes").formatted(seconds, b.nodes, firstFd, lastFd, fdMin, fdMax, threadsMax, stalls,
                rollouts, paused, churn);
        b.log.println("SOAK: " + summary);
        ObjectNode soak = b.details.putObject("SOAK");
        soak.put("summary", summary).put("stalls", stalls).put("fdFirst", firstFd).put("fdLast", lastFd)
                .put("fdMax", fdMax).put("threadsMax", threadsMax).put("rollouts", rollouts);
        soak.putPOJO("samples", samples);
    }

    private static int count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int threads(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("Threads:")) {
                    return Integer.parseInt(l.substring(8).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
