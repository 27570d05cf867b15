package dev.everynode.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/** Summarizes a JFR recording: the hottest top frames, and the hottest Everynode frames on the sampled stacks. */
final class JfrSummary {

    private JfrSummary() {}

    /** A recording of execution samples (every 20 ms of a running thread) and nothing else: cheap enough to run
     * from the service's start. */
    static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="everynode benchmark">
              <event name="jdk.ExecutionSample">
                <setting name="enabled">true</setting>
                <setting name="period">20 ms</setting>
              </event>
            </configuration>
            """;

    static String summarize(Path file, int top) throws IOException {
        return summarize(file, top, java.time.Instant.MIN, java.time.Instant.MAX);
    }

    /** Only samples taken in [from, to). */
    static String summarize(Path file, int top, java.time.Instant from, java.time.Instant to) throws IOException {
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> ownFrames = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> reconcile = new HashMap<>();
        int samples = 0;
        int reconcileSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            if (e.getStartTime().isBefore(from) || !e.getStartTime().isBefore(to)) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = st.getFrames();
            topFrames.merge(name(frames.get(0)), 1, Integer::sum);
            java.util.Set<String> onStack = new java.util.HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (!n.startsWith("java.") && !n.startsWith("jdk.") && !n.startsWith("sun.")
                        && !n.contains("$$") && !n.contains("Lambda") && !n.startsWith("org.springframework.aop")
                        && !n.startsWith("org.apache.catalina.core.ApplicationFilterChain")
                        && !n.startsWith("org.springframework.web.filter.OncePerRequestFilter")) {
                    onStack.add(n);
                }
            }
            onStack.forEach(n -> inclusive.merge(n, 1, Integer::sum));
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (n.startsWith("dev.everynode.")) {
                    ownFrames.merge(n, 1, Integer::sum);
                    break;
                }
            }
            var thread = e.getThread("sampledThread");
            String tn = thread == null ? "?" : thread.getJavaName();
            if (tn != null && tn.startsWith("reconcile-worker")) {
                // where a reconcile pass spends its time: our methods and the JDBC driver, inclusive
                reconcileSamples++;
                java.util.Set<String> own = new java.util.HashSet<>();
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if ((n.startsWith("dev.everynode.") && !n.contains("Lambda")) || n.startsWith("org.postgresql.")
                            && n.endsWith(".executeQuery")) {
                        own.add(n);
                    }
                }
                own.forEach(n -> reconcile.merge(n, 1, Integer::sum));
            }
            threads.merge(tn == null ? "?" : tn.replaceAll("[-#]?\\d+$", "-N"), 1, Integer::sum);
        }
        StringBuilder s = new StringBuilder();
        s.append(samples).append(" execution samples\n");
        append(s, "top frames (self time)", topFrames, samples, top);
        append(s, "innermost dev.everynode frame on the stack", ownFrames, samples, top);
        append(s, "threads", threads, samples, 6);
        append(s, "inclusive (on the stack; JDK, proxies and filter-chain plumbing left out)", inclusive, samples,
                top * 2);
        if (reconcileSamples > 0) {
            append(s, "reconcile-worker threads (" + reconcileSamples + " samples), inclusive", reconcile,
                    reconcileSamples, top * 2);
        }
        return s.toString();
    }

    private static void append(StringBuilder s, String title, Map<String, Integer> counts, int total, int top) {
        s.append(title).append(":\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> s.append("  %5.1f%%  %s%n".formatted(100.0 * e.getValue() / Math.max(1, total),
                        e.getKey())));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    public static void main(String[] args) throws IOException {
        System.out.print(summarize(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 15));
    }
}
