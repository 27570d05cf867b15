package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** What the end-to-end tests that run the packaged jar as a process share. */
final class PackagedService {

    private PackagedService() {}

    /** The service jar `mvn package` built in {@code target}. */
    static Path jar(Path target) throws IOException {
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("everynode-") && n.endsWith(".jar") && !n.endsWith("-agent.jar")
                        && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar");
            }).toList();
            assertThat(jars).as("the packaged service jar in %s (run mvn verify, not mvn test)", target).hasSize(1);
            return jars.get(0);
        }
    }

    /** The last 60 lines of a server log, for a failure message. */
    static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** A free TCP port for a child process to listen on. */
    /** The environment every packaged service of the end-to-end tests starts with: its database, port and tokens. */
    static void environment(java.util.Map<String, String> env, dev.everynode.support.TestDatabase.Connection db,
            int port, String adminToken, String bootstrapToken) {
        env.put("SPRING_DATASOURCE_URL", db.url());
        env.put("SPRING_DATASOURCE_USERNAME", db.username());
        env.put("SPRING_DATASOURCE_PASSWORD", db.password());
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("EVERYNODE_ADMIN_TOKEN", adminToken);
        env.put("EVERYNODE_BOOTSTRAP_TOKEN", bootstrapToken);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Waits until {@code process} answers its readiness probe at {@code readiness}; fails with the tail of its
     * {@code log} when it exits or is not ready in time. {@code who} names it in the failure.
     */
    static void awaitReady(String who, Process process, Path log, HttpClient http, URI readiness, String token,
                           Duration timeout) throws IOException, InterruptedException {
        try {
            dev.everynode.support.Await.await(who + " ready").pollInterval(Duration.ofMillis(250)).atMost(timeout)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError(who + " exited with code " + process.exitValue() + ":\n"
                                    + tail(log));
                        }
                        try {
                            return http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(5))
                                    .header("Authorization", "Bearer " + token).build(),
                                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                        } catch (IOException notYet) {
                            return false; // not listening yet
                        }
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(who + " was not ready within " + timeout + ":\n" + tail(log));
        }
    }
}
