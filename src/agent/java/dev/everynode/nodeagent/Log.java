package dev.everynode.nodeagent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** One line per action, to stderr: {@code 2026-11-28T01:00:00.123Z everynode-agent[node-1] message}. */
final class Log {

    static volatile String node = "-";

    private Log() {}

    static void info(String format, Object... args) {
        String text = args.length == 0 ? format : String.format(format, args);
        System.err.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " everynode-agent[" + node + "] " + text);
    }
}
