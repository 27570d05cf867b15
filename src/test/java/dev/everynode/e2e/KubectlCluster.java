package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * A cluster as a kubectl user meets it, with nothing faked: the packaged jar ({@code java -jar
 * target/everynode-*.jar}) as a child process over https (a self-signed certificate made with keytool) with an
 * admin token, a real (embedded) PostgreSQL, nodes played by the fleet simulator, and the real kubectl on PATH in
 * a working directory of its own. The server log goes to {@code target/<name>-server.log}, kubectl's transcript
 * to {@code target/<name>.txt}.
 */
final class KubectlCluster implements AutoCloseable {

    private final String token = "e2e-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final Path dir;
    private final Path work;
    private final Path serverLog;
    private final Process server;
    private final int port;
    private final HttpClient http;
    private final FleetSimulator simulator;
    private final KubectlCli kubectl;

    private KubectlCluster(String name, List<String> nodes) throws Exception {
        dir = Files.createTempDirectory("everynode-e2e");
        work = Files.createDirectories(dir.resolve("work"));
        Path target = Path.of("target").toAbsolutePath();
        serverLog = target.resolve(name + "-server.log");
        Path jar = PackagedService.jar(target);
        Path keystore = keystore(dir);
        TestDatabase.Connection db = TestDatabase.embedded(null);
        port = PackagedService.freePort();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(FleetSimulator.trustAll())
                .connectTimeout(Duration.ofSeconds(5)).build();

        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(serverLog.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPRING_DATASOURCE_URL", db.url());
        env.put("SPRING_DATASOURCE_USERNAME", db.username());
        env.put("SPRING_DATASOURCE_PASSWORD", db.password());
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_SSL_KEY_STORE", keystore.toString());
        env.put("SERVER_SSL_KEY_STORE_PASSWORD", "changeit");
        env.put("SERVER_SSL_KEY_STORE_TYPE", "PKCS12");
        env.put("EVERYNODE_ADMIN_TOKEN", token);
        long t0 = System.nanoTime();
        server = pb.start();
        PackagedService.awaitReady("the server", server, serverLog, http,
                URI.create("https://localhost:" + port + "/actuator/health/readiness"), token, Duration.ofSeconds(120));
        System.out.printf("[e2e] %s ready on https://localhost:%d after %.1f s (PostgreSQL: %s)%n",
                jar.getFileName(), port, (System.nanoTime() - t0) / 1e9, db.url());

        simulator = FleetSimulator.start(SimulatorConfig.builder("https://localhost:" + port)
                .insecureSkipTlsVerify(true).token(token)
                .nodes(nodes.size()).prefix("node").heartbeat(Duration.ofSeconds(2)).waitSeconds(20)
                .startDelay(Duration.ofMillis(100)).build());
        assertThat(simulator.nodeNames()).containsExactlyElementsOf(nodes);
        kubectl = new KubectlCli(dir.resolve("kubectl"), port, token, work, target.resolve(name + ".txt"));
    }

    /** Starts the service and the simulated nodes (named node-00001, node-00002, ...). */
    static KubectlCluster start(String name, List<String> nodes) throws Exception {
        return new KubectlCluster(name, nodes);
    }

    KubectlCli kubectl() {
        return kubectl;
    }

    /** kubectl's working directory: manifests written here are found by relative name. */
    Path work() {
        return work;
    }

    /** GET of an API path as JSON; an empty object when it does not answer 200. */
    JsonNode get(String path) {
        HttpResponse<String> response = send("GET", path, null, null, "application/json");
        return response == null || response.statusCode() != 200 ? Json.MAPPER.createObjectNode()
                : Json.MAPPER.readTree(response.body());
    }

    /** A request with the admin token, as curl would send it; null when the server does not answer. */
    HttpResponse<String> send(String method, String path, String body, String contentType, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (simulator != null) {
            simulator.close();
        }
        server.destroy();
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Path keystore(Path dir) throws IOException, InterruptedException {
        Path keystore = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "everynode", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool: %s", output).isZero();
        return keystore;
    }
}
