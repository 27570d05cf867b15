package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The agent (in this JVM) against a scripted control plane: the token on every request, registration,
 * heartbeats, status batches; an outage leaves the pod running and the agent retrying; after it, statuses are
 * sent again; a terminating assignment stops the process and is confirmed with DELETE.
 */
class ControlPlaneOutageTest {

    @TempDir
    Path dir;

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<String> tokens = new CopyOnWriteArrayList<>();
    private final List<JsonNode> reports = new CopyOnWriteArrayList<>();
    private volatile String assignments;
    private volatile int version;
    private volatile String credential = "node-cred-1";
    private HttpServer server;
    private int port;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private Thread agent;
    private Main main;

    private static final String POD = """
            {"metadata": {"namespace": "default", "name": "sleeper-1", "uid": "uid-sleep"},
             "spec": {"nodeName": "n1", "terminationGracePeriodSeconds": 2,
                      "containers": [{"name": "c", "image": "x", "command": ["sleep", "300"]}]}}""";

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
        if (server != null) {
            server.stop(0);
        }
        ProcessHandle.current().descendants().filter(p -> p.info().commandLine().orElse("").contains("sleep 300"))
                .forEach(ProcessHandle::destroyForcibly);
        threads.shutdownNow();
    }

    private void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        port = server.getAddress().getPort();
        server.setExecutor(threads);
        server.createContext("/agent/v1/nodes", this::handle);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        seen.add(method + " " + path);
        tokens.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        byte[] body = ex.getRequestBody().readAllBytes();
        String bearer = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
        if (method.equals("POST") && path.equals("/agent/v1/nodes")) {
            if (bearer.equals("Bearer s3cret")) {
                ex.getResponseHeaders().add("Everynode-Node-Token", credential);
            } else if (!bearer.equals("Bearer " + credential)) {
                send(ex, 401, "{\"kind\": \"Status\", \"code\": 401}");
                return;
            }
            send(ex, 201, new String(body, StandardCharsets.UTF_8));
        } else if (!bearer.equals("Bearer " + credential)) {
            send(ex, 401, "{\"kind\": \"Status\", \"code\": 401}");
        } else if (path.endsWith("/heartbeat")) {
            send(ex, 200, "{\"heartbeatIntervalSeconds\": 1, \"gracePeriodSeconds\": 40}");
        } else if (path.endsWith("/assignments")) {
            String etag = "\"v" + version + "\"";
            if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                sleep(500); // pacing: a long-poll held a while before its 304
                ex.getResponseHeaders().add("ETag", etag);
                ex.sendResponseHeaders(304, -1);
                ex.close();
            } else {
                ex.getResponseHeaders().add("ETag", etag);
                send(ex, 200, assignments);
            }
        } else if (path.endsWith("/pod-statuses")) {
            reports.add(Js.parse(body));
            send(ex, 200, "{\"results\": [{\"namespace\": \"default\", \"name\": \"sleeper-1\", \"result\": \"applied\"}]}");
        } else if (method.equals("DELETE")) {
            send(ex, 200, "");
        } else {
            send(ex, 404, "{}");
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(String what, BooleanSupplier c) {
        dev.everynode.support.Await.until(what, Duration.ofSeconds(20), c);
    }

    private List<ProcessHandle> sleepers() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 300")).toList();
    }

    private boolean reportedReady() {
        return reports.stream().anyMatch(r -> r.at("/statuses/0/status/conditions").toString()
                .contains("\"type\":\"Ready\",\"status\":\"True\""));
    }

    @Test
    void anOutageLeavesPodsAloneAndTheAgentComesBack() throws Exception {
        assignments = "{\"node\": \"n1\", \"pods\": [" + POD + "], \"terminating\": []}";
        serve();
        Args args = Args.parse("--server", "http://127.0.0.1:" + port, "--node", "n1", "--token", "s3cret",
                "--state-dir", dir.toString(), "--host-ip", "127.0.0.1", "--poll-seconds", "1", "--label", "zone=a");
        main = new Main(args);
        agent = new Thread(main::run, "agent-under-test");
        agent.setDaemon(true);
        agent.start();

        await("a Ready report", this::reportedReady);
        assertThat(seen).contains("POST /agent/v1/nodes", "PUT /agent/v1/nodes/n1/heartbeat");
        // the bootstrap token registers; the node's own credential does the rest, and is kept for restarts
        assertThat(tokens.get(0)).isEqualTo("Bearer s3cret");
        assertThat(tokens).contains("Bearer node-cred-1");
        assertThat(java.nio.file.Files.readString(dir.resolve("node-token"))).isEqualTo("node-cred-1");
        assertThat(sleepers()).hasSize(1);
        long pid = sleepers().get(0).pid();

        // outage
        server.stop(0);
        dev.everynode.support.Await.holds("the pod left alone through the outage", Duration.ofSeconds(3),
                () -> sleepers().stream().map(ProcessHandle::pid).toList().equals(List.of(pid)));

        // back, but the node's credential was revoked meanwhile: 401 → register again with --token
        credential = "node-cred-2";
        seen.clear();
        reports.clear();
        tokens.clear();
        serve();
        await("heartbeats after the outage", () -> seen.contains("PUT /agent/v1/nodes/n1/heartbeat"));
        await("statuses sent again", this::reportedReady);
        assertThat(tokens).contains("Bearer s3cret", "Bearer node-cred-2");
        assertThat(java.nio.file.Files.readString(dir.resolve("node-token"))).isEqualTo("node-cred-2");
        assertThat(sleepers()).extracting(ProcessHandle::pid).containsExactly(pid);

        // terminating: stopped, then confirmed
        version = 2;
        assignments = "{\"node\": \"n1\", \"pods\": [], \"terminating\": [{\"namespace\": \"default\", "
                + "\"name\": \"sleeper-1\", \"uid\": \"uid-sleep\", \"gracePeriodSeconds\": 2}]}";
        await("the confirmation", () -> seen.contains("DELETE /agent/v1/nodes/n1/pods/default/sleeper-1"));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(sleepers()).isEmpty();
    }
}
