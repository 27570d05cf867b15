package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ProbesTest {

    private HttpServer server;
    private final ProcessRuntime runtime = new ProcessRuntime();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/broken", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.createContext("/header", ex -> {
            ex.sendResponseHeaders("yes".equals(ex.getRequestHeaders().getFirst("X-Probe")) ? 204 : 401, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static JsonNode json(String s) {
        return Js.parse(s);
    }

    private boolean run(String probe, String container) throws ConfigError {
        Probes.Spec spec = Probes.parse("readinessProbe", json(probe), json(container));
        return Probes.run(spec, "127.0.0.1", (cmd, timeout) -> runtime.exec(null, cmd, Map.of(), timeout));
    }

    @Test
    void httpGetSucceedsOn2xxAnd3xxOnly() throws Exception {
        int port = server.getAddress().getPort();
        assertThat(run("{\"httpGet\":{\"path\":\"/healthz\",\"port\":" + port + "}}", "{}")).isTrue();
        assertThat(run("{\"httpGet\":{\"path\":\"/broken\",\"port\":" + port + "}}", "{}")).isFalse();
        assertThat(run("{\"httpGet\":{\"path\":\"/header\",\"port\":" + port
                + ",\"httpHeaders\":[{\"name\":\"X-Probe\",\"value\":\"yes\"}]}}", "{}")).isTrue();
        // a named port, and an explicit host
        assertThat(run("{\"httpGet\":{\"path\":\"/healthz\",\"port\":\"http\",\"host\":\"127.0.0.1\"}}",
                "{\"ports\":[{\"name\":\"http\",\"containerPort\":" + port + "}]}")).isTrue();
    }

    @Test
    void tcpSocketNeedsSomeoneListening() throws Exception {
        assertThat(run("{\"tcpSocket\":{\"port\":" + server.getAddress().getPort() + "}}", "{}")).isTrue();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(run("{\"tcpSocket\":{\"port\":" + closed + "},\"timeoutSeconds\":1}", "{}")).isFalse();
    }

    @Test
    void execLooksAtTheExitCodeAndTheTimeout() throws Exception {
        assertThat(run("{\"exec\":{\"command\":[\"true\"]}}", "{}")).isTrue();
        assertThat(run("{\"exec\":{\"command\":[\"sh\",\"-c\",\"exit 3\"]}}", "{}")).isFalse();
        long t0 = System.nanoTime();
        assertThat(run("{\"exec\":{\"command\":[\"sleep\",\"10\"]},\"timeoutSeconds\":1}", "{}")).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void badProbesAreConfigErrors() {
        assertThatThrownBy(() -> Probes.parse("livenessProbe", json("{\"grpc\":{\"port\":1}}"), json("{}")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("unsupported probe handler");
        assertThatThrownBy(() -> Probes.parse("livenessProbe", json("{\"httpGet\":{\"port\":\"web\"}}"), json("{}")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("no container port named \"web\"");
    }

    @Test
    void thresholdsAndSchedule() throws Exception {
        Probes.Spec spec = Probes.parse("readinessProbe", json("{\"exec\":{\"command\":[\"true\"]},"
                + "\"initialDelaySeconds\":5,\"periodSeconds\":2,\"successThreshold\":2,\"failureThreshold\":3}"),
                json("{}"));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Probes.State s = new Probes.State(spec, t0);
        assertThat(s.due(t0.plusSeconds(4))).isFalse();
        assertThat(s.due(t0.plusSeconds(5))).isTrue();
        s.scheduled(t0.plusSeconds(5));
        assertThat(s.due(t0.plusSeconds(6))).isFalse();
        assertThat(s.record(true)).isFalse();
        assertThat(s.due(t0.plusSeconds(6))).isFalse();
        assertThat(s.due(t0.plusSeconds(7))).isTrue();
        assertThat(s.record(true)).isTrue();
        assertThat(s.record(false)).isTrue();
        assertThat(s.record(false)).isTrue();
        assertThat(s.failed()).isFalse();
        assertThat(s.record(false)).isFalse();
        assertThat(s.failed()).isTrue();
        assertThat(s.record(true)).isFalse();
        assertThat(s.record(true)).isTrue();
    }
}
