package dev.everynode.nodeagent;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Kubernetes probes: httpGet (2xx/3xx succeeds), tcpSocket (connects), exec (exit code 0), with
 * initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold and failureThreshold.
 */
final class Probes {

    private Probes() {}

    /** Runs an exec probe's command. */
    interface Exec {
        int run(List<String> command, Duration timeout) throws IOException, InterruptedException;
    }

    /** A parsed probe. {@code port} is resolved (named ports via the container's ports). */
    record Spec(String kind, String host, int port, String path, String scheme, JsonNode headers,
                List<String> command, Duration initialDelay, Duration period, Duration timeout,
                int successThreshold, int failureThreshold) {}

    static Spec parse(String which, JsonNode probe, JsonNode container) throws ConfigError {
        Duration delay = Duration.ofSeconds(probe.path("initialDelaySeconds").asInt(0));
        Duration period = Duration.ofSeconds(Math.max(1, probe.path("periodSeconds").asInt(10)));
        Duration timeout = Duration.ofSeconds(Math.max(1, probe.path("timeoutSeconds").asInt(1)));
        int success = Math.max(1, probe.path("successThreshold").asInt(1));
        int failure = Math.max(1, probe.path("failureThreshold").asInt(3));
        if (probe.has("httpGet")) {
            JsonNode h = probe.get("httpGet");
            return new Spec("httpGet", Js.str(h, "host"), port(which, h.get("port"), container),
                    h.path("path").asString("/"), h.path("scheme").asString("HTTP"), h.get("httpHeaders"), null,
                    delay, period, timeout, success, failure);
        }
        if (probe.has("tcpSocket")) {
            JsonNode t = probe.get("tcpSocket");
            return new Spec("tcpSocket", Js.str(t, "host"), port(which, t.get("port"), container), null, null, null,
                    null, delay, period, timeout, success, failure);
        }
        if (probe.has("exec")) {
            List<String> command = Js.strings(probe.get("exec").get("command"));
            if (command.isEmpty()) {
                throw new ConfigError("CreateContainerConfigError", which + ".exec.command is empty");
            }
            return new Spec("exec", null, 0, null, null, null, command, delay, period, timeout, success, failure);
        }
        throw new ConfigError("CreateContainerConfigError", which + ": unsupported probe handler (supported: "
                + "httpGet, tcpSocket, exec)");
    }

    private static int port(String which, JsonNode port, JsonNode container) throws ConfigError {
        if (port != null && port.isNumber()) {
            return port.intValue();
        }
        if (port != null && port.isString()) {
            String name = port.stringValue();
            if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
                return Integer.parseInt(name);
            }
            for (JsonNode p : container.path("ports")) {
                if (name.equals(Js.str(p, "name")) && p.path("containerPort").isNumber()) {
                    return p.get("containerPort").intValue();
                }
            }
            throw new ConfigError("CreateContainerConfigError", which + ": no container port named \"" + name + "\"");
        }
        throw new ConfigError("CreateContainerConfigError", which + ": port is required");
    }

    /** Runs one probe against {@code defaultHost} (the pod IP) unless it names its host. */
    static boolean run(Spec spec, String defaultHost, Exec exec) {
        try {
            return switch (spec.kind()) {
                case "httpGet" -> httpGet(spec, spec.host() != null && !spec.host().isEmpty() ? spec.host() : defaultHost);
                case "tcpSocket" -> tcp(spec, spec.host() != null && !spec.host().isEmpty() ? spec.host() : defaultHost);
                case "exec" -> exec.run(spec.command(), spec.timeout()) == 0;
                default -> false;
            };
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean httpGet(Spec spec, String host) throws IOException {
        String path = spec.path().startsWith("/") ? spec.path() : "/" + spec.path();
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        URI uri = URI.create(spec.scheme().toLowerCase() + "://" + h + ":" + spec.port() + path);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
        int ms = (int) spec.timeout().toMillis();
        c.setConnectTimeout(ms);
        c.setReadTimeout(ms);
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("User-Agent", "kube-probe/everynode");
        if (spec.headers() != null) {
            for (JsonNode header : spec.headers()) {
                c.setRequestProperty(header.path("name").asString(""), header.path("value").asString(""));
            }
        }
        try {
            int code = c.getResponseCode();
            return code >= 200 && code < 400;
        } finally {
            c.disconnect();
        }
    }

    private static boolean tcp(Spec spec, String host) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, spec.port()), (int) spec.timeout().toMillis());
            return true;
        }
    }

    /**
     * A probe's schedule and counters. Readiness starts false and turns true after successThreshold successes in
     * a row, false again after failureThreshold failures; liveness and startup fail after failureThreshold.
     */
    static final class State {
        final Spec spec;
        private int successes;
        private int failures;
        private boolean ok;
        private Instant nextRun;
        volatile boolean inFlight;

        State(Spec spec, Instant containerStart) {
            this.spec = spec;
            this.nextRun = containerStart.plus(spec.initialDelay());
        }

        boolean due(Instant now) {
            return !inFlight && !now.isBefore(nextRun);
        }

        synchronized void scheduled(Instant now) {
            inFlight = true;
            nextRun = now.plus(spec.period());
        }

        /** Records a result; answers the probe's verdict so far (ready / alive / started). */
        synchronized boolean record(boolean success) {
            inFlight = false;
            if (success) {
                successes++;
                failures = 0;
                if (successes >= spec.successThreshold()) {
                    ok = true;
                }
            } else {
                failures++;
                successes = 0;
                if (failures >= spec.failureThreshold()) {
                    ok = false;
                }
            }
            return ok;
        }

        synchronized boolean ok() {
            return ok;
        }

        /** failureThreshold failures in a row: a liveness or startup probe wants the container restarted. */
        synchronized boolean failed() {
            return failures >= spec.failureThreshold();
        }
    }
}
