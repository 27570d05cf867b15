package dev.everynode.nodeagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;

/**
 * A real Docker engine for the Docker tier, once per JVM. By default it starts its own {@code dockerd} (root
 * only): data root, exec root, pid file and socket under {@code /tmp/everynode-dockerd-<pid>}, its own bridge
 * {@code evn<pid>} on a private /24 ({@code --iptables=false --ip-forward=false --ip-masq=false}: the host's
 * iptables and sysctls are not touched; published ports go through docker-proxy, containers are reached from the
 * host on their bridge IP), stopped at JVM exit with its mounts, directory and bridge removed.
 * {@code EVERYNODE_TEST_DOCKER_HOST=unix:///var/run/docker.sock} uses an engine that already runs instead (its
 * test containers and the test image are removed at the end). The image {@link #IMAGE} is a busybox root
 * filesystem imported from the host's static busybox (Debian's {@code busybox-static}), no registry needed; with
 * an engine of one's own and no host busybox, Docker Hub's {@code busybox:1.36} tagged so.
 * When no engine can be had, {@link #get()} prints one line saying why and aborts the test (reported skipped).
 */
final class DockerEngine {

    static final String IMAGE = "everynode-test/busybox:1";

    private static DockerEngine instance;
    private static String unavailable;

    final Path socket;
    final UnixHttp http;
    private final Path dir;
    private final String bridge;
    private Process dockerd;

    private DockerEngine(Path socket, Path dir, String bridge) {
        this.socket = socket;
        this.http = new UnixHttp(socket);
        this.dir = dir;
        this.bridge = bridge;
    }

    /** The engine, started at the first call; aborts the calling test when there can be none. */
    static synchronized DockerEngine get() {
        if (instance == null && unavailable == null) {
            long t0 = System.nanoTime();
            try {
                instance = start();
                status("ran: dockerd " + instance.version() + " on " + instance.socket + ", up in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
            } catch (Exception e) {
                unavailable = e.getMessage();
                System.out.println("Docker tier skipped: " + unavailable);
                status("skipped: " + unavailable);
            }
        }
        Assumptions.assumeTrue(instance != null, () -> "Docker tier skipped: " + unavailable);
        return instance;
    }

    /** target/docker-tier.txt: what .ci/run prints after the build (ran / skipped and why). */
    private static void status(String line) {
        try {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "docker-tier.txt"), line + "\n");
        } catch (IOException e) {
            // informational only
        }
    }

    private static DockerEngine start() throws Exception {
        String external = System.getenv("EVERYNODE_TEST_DOCKER_HOST");
        if (external != null && !external.isBlank()) {
            DockerEngine e = new DockerEngine(Path.of(external.replaceFirst("^unix://", "")), null, null);
            if (!e.ping()) {
                throw new IllegalStateException("EVERYNODE_TEST_DOCKER_HOST=" + external + " does not answer");
            }
            e.importImage();
            Runtime.getRuntime().addShutdownHook(new Thread(e::cleanExternal));
            return e;
        }
        Path dockerdBin = Stream.of("/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/local/bin/dockerd")
                .map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("no dockerd (apt-get install docker.io)"));
        if (!"0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")))) {
            throw new IllegalStateException("dockerd needs root (or set EVERYNODE_TEST_DOCKER_HOST to a running engine)");
        }
        long pid = ProcessHandle.current().pid();
        Path dir = Path.of("/tmp", "everynode-dockerd-" + pid);
        String bridge = "evn" + pid;
        DockerEngine e = new DockerEngine(dir.resolve("docker.sock"), dir, bridge);
        Runtime.getRuntime().addShutdownHook(new Thread(e::stop));
        Files.createDirectories(dir);
        int subnet = 100 + (int) (pid % 150);
        e.run("ip", "link", "add", bridge, "type", "bridge");
        e.run("ip", "addr", "add", "172.30." + subnet + ".1/24", "dev", bridge);
        e.run("ip", "link", "set", bridge, "up");
        e.dockerd = new ProcessBuilder(dockerdBin.toString(), "--data-root", dir.resolve("root").toString(),
                "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("dockerd.pid").toString(),
                "--host", "unix://" + e.socket, "--bridge", bridge, "--iptables=false", "--ip-forward=false",
                "--ip-masq=false", "--storage-driver", "overlay2")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        try {
            dev.everynode.support.Await.await("dockerd answering its socket").pollInterval(Duration.ofMillis(100))
                    .atMost(Duration.ofSeconds(30)).until(() -> e.ping() || !e.dockerd.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException timedOut) {
            // reported below, with dockerd's last error
        }
        if (!e.ping()) {
            List<String> log = Files.readAllLines(dir.resolve("dockerd.log"));
            String last = log.stream().filter(l -> l.contains("level=error") || l.contains("failed"))
                    .reduce((a, b) -> b).orElse(log.isEmpty() ? "no output" : log.get(log.size() - 1));
            throw new IllegalStateException("dockerd did not start: " + last);
        }
        e.importImage();
        return e;
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out.strip());
        }
    }

    private boolean ping() {
        try {
            return Files.exists(socket) && http.request("GET", "/_ping", null, Duration.ofSeconds(2)).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    String version() throws IOException {
        return Js.parse(http.request("GET", "/version", null, Duration.ofSeconds(5)).body()).path("Version").asString("");
    }

    /** A root file system of the host's static busybox with every applet linked in /bin, as {@link #IMAGE}. */
    private void importImage() throws Exception {
        Path busybox = Stream.of("/bin/busybox", "/usr/bin/busybox").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        if (busybox == null && dir == null) {
            pullImage(); // an engine of one's own (a laptop) can usually reach Docker Hub
            return;
        }
        if (busybox == null) {
            throw new IllegalStateException("no busybox (apt-get install busybox-static)");
        }
        Path root = Files.createTempDirectory("everynode-busybox");
        try {
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("tmp"));
            Files.copy(busybox, root.resolve("bin/busybox"));
            Process list = new ProcessBuilder(busybox.toString(), "--list").start();
            for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
                if (!applet.isBlank() && !applet.equals("busybox")) {
                    Files.createSymbolicLink(root.resolve("bin").resolve(applet.strip()), Path.of("busybox"));
                }
            }
            Process tar = new ProcessBuilder("tar", "-C", root.toString(), "-c", ".").start();
            byte[] tarball = tar.getInputStream().readAllBytes();
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("tar of the busybox root failed");
            }
            UnixHttp.Response r = http.request("POST", "/images/create?fromSrc=-&repo=everynode-test%2Fbusybox&tag=1",
                    tarball, Duration.ofSeconds(60));
            if (r.status() != 200 || r.text().contains("\"error\"")) {
                throw new IllegalStateException("docker import: HTTP " + r.status() + " " + r.text());
            }
        } finally {
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Without a host busybox: Docker Hub's busybox:1.36, tagged as {@link #IMAGE}. */
    private void pullImage() throws IOException {
        UnixHttp.Response r = http.request("POST", "/images/create?fromImage=busybox&tag=1.36", null, Duration.ofMinutes(5));
        UnixHttp.Response t = http.request("POST", "/images/busybox:1.36/tag?repo=everynode-test%2Fbusybox&tag=1", null,
                Duration.ofSeconds(30));
        if (r.status() != 200 || r.text().contains("\"error\"") || t.status() != 201) {
            throw new IllegalStateException("no host busybox and busybox:1.36 cannot be pulled: " + r.text().strip());
        }
    }

    /** The containers (all states) whose label {@code everynode.node} is {@code node}. */
    List<JsonNode> containers(String node) {
        try {
            String filter = java.net.URLEncoder.encode("{\"label\":[\"everynode.node=" + node + "\"]}",
                    java.nio.charset.StandardCharsets.UTF_8);
            UnixHttp.Response r = http.request("GET", "/containers/json?all=true&filters=" + filter, null,
                    Duration.ofSeconds(10));
            List<JsonNode> out = new ArrayList<>();
            Js.parse(r.body()).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode inspect(String id) throws IOException {
        return Js.parse(http.request("GET", "/containers/" + id.replaceFirst("^docker://", "") + "/json", null,
                Duration.ofSeconds(10)).body());
    }

    /** Force-removes the containers of {@code node}. */
    void removeAll(String node) {
        for (JsonNode c : containers(node)) {
            try {
                http.request("DELETE", "/containers/" + c.path("Id").asString() + "?force=true", null,
                        Duration.ofSeconds(30));
            } catch (IOException e) {
                // best effort
            }
        }
    }

    private void cleanExternal() {
        try {
            UnixHttp.Response r = http.request("GET", "/containers/json?all=true&filters="
                    + java.net.URLEncoder.encode("{\"label\":[\"everynode.node\"]}", java.nio.charset.StandardCharsets.UTF_8),
                    null, Duration.ofSeconds(10));
            for (JsonNode c : Js.parse(r.body())) {
                if (c.path("Labels").path("everynode.node").asString("").startsWith("dtest-")) {
                    http.request("DELETE", "/containers/" + c.path("Id").asString() + "?force=true", null,
                            Duration.ofSeconds(30));
                }
            }
            http.request("DELETE", "/images/" + IMAGE + "?force=true", null, Duration.ofSeconds(30));
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    /** Stops dockerd (its containers with it), unmounts what is left, removes the directory and the bridge. */
    private void stop() {
        try {
            if (dockerd != null) {
                dockerd.destroy();
                if (!dockerd.waitFor(20, TimeUnit.SECONDS)) {
                    dockerd.descendants().forEach(ProcessHandle::destroyForcibly);
                    dockerd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            List<String> mounts = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String target = line.split(" ")[1];
                if (target.startsWith(dir.toString())) {
                    mounts.add(target);
                }
            }
            mounts.sort(Comparator.reverseOrder());
            for (String m : mounts) {
                new ProcessBuilder("umount", "-l", m).start().waitFor(5, TimeUnit.SECONDS);
            }
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            System.err.println("docker tier cleanup: " + e);
        } finally {
            try {
                new ProcessBuilder("ip", "link", "delete", bridge).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // nothing more to do
            }
        }
    }
}
