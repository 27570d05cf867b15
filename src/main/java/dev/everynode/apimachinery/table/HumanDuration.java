package dev.everynode.apimachinery.table;

import java.time.Duration;
import java.time.Instant;

/**
 * Ages as kubectl prints them: a port of apimachinery's {@code duration.HumanDuration} and the printers'
 * {@code translateTimestampSince}, so AGE cells read exactly like a real cluster's ("2m3s", "3h4m", "2d5h").
 */
final class HumanDuration {

    private HumanDuration() {}

    /** The age of {@code timestamp} at {@code now}; {@code <unknown>} when there is no timestamp. */
    static String since(Instant timestamp, Instant now) {
        return timestamp == null ? "<unknown>" : format(Duration.between(timestamp, now));
    }

    static String format(Duration d) {
        long seconds = d.getSeconds();
        // Up to a second of clock skew between writer and reader still reads as "now", like Kubernetes.
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        }
        if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
