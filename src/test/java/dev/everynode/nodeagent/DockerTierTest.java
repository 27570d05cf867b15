package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Docker tier: the agent's Docker runtime and its pod supervision against a real dockerd ({@link DockerEngine})
 * running the locally imported busybox image. Each test is its own node (label {@code everynode.node}), whose
 * containers are removed afterwards.
 */
@Tag("docker")
class DockerTierTest {

    @TempDir
    Path dir;

    private DockerEngine engine;
    private DockerRuntime docker;
    private String node;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void engine() {
        engine = DockerEngine.get();
        node = "dtest-" + UUID.randomUUID().toString().substring(0, 8);
        docker = new DockerRuntime(engine.socket, node);
    }

    @AfterEach
    void clean() {
        pool.shutdownNow();
        if (engine != null) {
            engine.removeAll(node);
        }
    }

    private PodWorker worker(String podJson, ContainerRuntime runtime, StateStore store, ObjectNode saved) {
        ObjectNode pod = (ObjectNode) Js.parse(podJson);
        String uid = pod.at("/metadata/uid").asString();
        ContainerRuntime.PodInfo info = new ContainerRuntime.PodInfo(pod.at("/metadata/namespace").asString(),
                pod.at("/metadata/name").asString(), uid, pod.get("spec"), node, "10.0.0.7", dir.resolve("logs"));
        return new PodWorker(pod, info, runtime, store, pool, saved);
    }

    private PodWorker worker(String podJson) {
        return worker(podJson, docker, new StateStore(dir.resolve("state")), null);
    }

    /** Ticks the worker (as the agent does, every 200 ms here) until its status matches. */
    private static ObjectNode await(PodWorker w, String what, Duration timeout, Predicate<JsonNode> ok) {
        ObjectNode[] last = new ObjectNode[1];
        try {
            return dev.everynode.support.Await.await(what).pollInterval(Duration.ofMillis(200)).atMost(timeout)
                    .until(() -> {
                        w.tick(Instant.now());
                        return last[0] = w.status(Instant.now());
                    }, ok::test);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + "; status: " + last[0].toPrettyString(), e);
        }
    }

    private static boolean ready(JsonNode status) {
        return status.at("/containerStatuses/0/ready").asBoolean(false);
    }

    private static String pod(String name, String spec) {
        return """
                {"metadata": {"namespace": "kube-system", "name": "%s", "uid": "%s"}, "spec": %s}"""
                .formatted(name, UUID.randomUUID(), spec);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(java.net.Proxy.NO_PROXY);
        c.setConnectTimeout(2000);
        c.setReadTimeout(2000);
        try (var in = c.getInputStream()) {
            return c.getResponseCode() + " " + new String(in.readAllBytes()).strip();
        } finally {
            c.disconnect();
        }
    }

    /** busybox sh as PID 1: prepares /www, then execs httpd, which serves /www/ready. */
    private static final String HTTPD = "mkdir -p /www && echo ok > /www/ready && exec httpd -f -p 8080 -h /www";

    @Test
    void aFluentdShapedPodRunsWithHostPathsEnvCommandArgsPortsAndAllThreeProbeKinds() throws Exception {
        Path varlog = Files.createDirectories(dir.resolve("varlog"));
        Path containersDir = Files.createDirectories(dir.resolve("containers"));
        Files.writeString(containersDir.resolve("c1.log"), "a container's log line\n");
        int hostPort = freePort();
        PodWorker w = worker(pod("fluentd-x7k2p", """
                {"terminationGracePeriodSeconds": 2,
                 "volumes": [{"name": "varlog", "hostPath": {"path": "%s"}},
                             {"name": "varlibdockercontainers", "hostPath": {"path": "%s"}}],
                 "containers": [{"name": "fluentd", "image": "%s",
                   "command": ["sh", "-c"],
                   "args": ["echo \\"$GREETING from $(NODE_NAME)\\" > /var/log/out.txt; cat /var/lib/docker/containers/c1.log >> /var/log/out.txt; if touch /var/lib/docker/containers/new 2>/dev/null; then echo writable >> /var/log/out.txt; else echo read-only >> /var/log/out.txt; fi; %s"],
                   "env": [{"name": "GREETING", "value": "hello"},
                           {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                   "ports": [{"name": "http", "containerPort": 8080, "hostPort": %d}],
                   "startupProbe": {"exec": {"command": ["test", "-f", "/www/ready"]}, "periodSeconds": 1, "failureThreshold": 10},
                   "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 1, "failureThreshold": 1},
                   "livenessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 1},
                   "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"},
                                    {"name": "varlibdockercontainers", "mountPath": "/var/lib/docker/containers", "readOnly": true}]}]}
                """.formatted(varlog, containersDir, DockerEngine.IMAGE, HTTPD, hostPort)));
        ObjectNode s = await(w, "ready", Duration.ofSeconds(20), DockerTierTest::ready);

        // env (value and fieldRef), command + args with $(VAR) expansion, a writable and a read-only hostPath
        assertThat(Files.readString(varlog.resolve("out.txt")))
                .isEqualTo("hello from " + node + "\na container's log line\nread-only\n");
        assertThat(containersDir.resolve("new")).doesNotExist();
        String id = s.at("/containerStatuses/0/containerID").asString();
        JsonNode inspect = engine.inspect(id);
        assertThat(Js.strings(inspect.at("/Config/Entrypoint"))).containsExactly("sh", "-c");
        assertThat(inspect.at("/Config/Labels/everynode.node").asString()).isEqualTo(node);
        assertThat(inspect.at("/Config/Labels/everynode.container").asString()).isEqualTo("fluentd");
        assertThat(inspect.at("/Config/Labels/everynode.pod.name").asString()).isEqualTo("fluentd-x7k2p");
        assertThat(s.at("/containerStatuses/0/imageID").asString()).startsWith("sha256:");
        assertThat(s.at("/containerStatuses/0/started").asBoolean()).isTrue();
        assertThat(s.at("/phase").asString()).isEqualTo("Running");

        // the pod IP is the container's own address on the bridge (the httpGet probe went there); the hostPort
        // is published on the node
        String podIp = s.at("/podIP").asString();
        assertThat(podIp).isEqualTo(inspect.at("/NetworkSettings/IPAddress").asString()).isNotEqualTo("10.0.0.7");
        assertThat(get("http://" + podIp + ":8080/ready")).isEqualTo("200 ok");
        assertThat(get("http://127.0.0.1:" + hostPort + "/ready")).isEqualTo("200 ok");

        // the httpGet readiness probe really asks httpd: without the file (404) the container turns unready
        ContainerRuntime.Handle h = w.containers.get(0).handle;
        assertThat(docker.exec(h, List.of("rm", "/www/ready"), Map.of(), Duration.ofSeconds(5))).isZero();
        await(w, "unready after the 404", Duration.ofSeconds(10), st -> !ready(st));
        assertThat(docker.exec(h, List.of("sh", "-c", "echo ok > /www/ready"), Map.of(), Duration.ofSeconds(5))).isZero();
        s = await(w, "ready again", Duration.ofSeconds(10), DockerTierTest::ready);
        assertThat(s.at("/containerStatuses/0/restartCount").asInt()).isZero();
        assertThat(docker.exec(h, List.of("false"), Map.of(), Duration.ofSeconds(5))).isEqualTo(1);
    }

    @Test
    void aCrashingContainerIsRestartedWithBackOffInANewContainerEachTime() throws Exception {
        PodWorker w = worker(pod("crasher", """
                {"containers": [{"name": "c", "image": "%s", "command": ["sh", "-c", "exit 3"]}]}
                """.formatted(DockerEngine.IMAGE)));
        long t0 = System.nanoTime();
        AtomicInteger most = new AtomicInteger();
        ObjectNode s = await(w, "three restarts", Duration.ofSeconds(30), st -> {
            most.accumulateAndGet(engine.containers(node).size(), Math::max);
            return st.at("/containerStatuses/0/restartCount").asInt() >= 3;
        });
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        // back-off 1 s, 2 s, 4 s before restarts 1, 2, 3
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(7));
        assertThat(s.at("/containerStatuses/0/lastState/terminated/exitCode").asInt()).isEqualTo(3);
        assertThat(s.at("/containerStatuses/0/lastState/terminated/reason").asString()).isEqualTo("Error");
        // an exited container is removed once its exit is recorded: never more than one per container
        assertThat(most.get()).isLessThanOrEqualTo(1);
        s = await(w, "waiting in CrashLoopBackOff", Duration.ofSeconds(10),
                st -> "CrashLoopBackOff".equals(st.at("/containerStatuses/0/state/waiting/reason").asString()));
        assertThat(s.at("/containerStatuses/0/state/waiting/message").asString()).contains("back-off");
    }

    @Test
    void stopGivesTheGracePeriodThenKills() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        ContainerRuntime.PodInfo info = new ContainerRuntime.PodInfo("default", "stopper", UUID.randomUUID().toString(),
                Js.parse("""
                        {"volumes": [{"name": "out", "hostPath": {"path": "%s"}}],
                         "containers": [{"name": "c", "image": "%s", "volumeMounts": [{"name": "out", "mountPath": "/out"}]}]}
                        """.formatted(out, DockerEngine.IMAGE)), node, "10.0.0.7", dir);
        JsonNode ctr = info.spec().path("containers").get(0);
        // a container that handles SIGTERM stops at once and cleanly
        ContainerRuntime.Handle polite = docker.start(info, ctr, Map.of(), List.of("sh", "-c",
                "trap 'echo terminated > /out/term; exit 0' TERM; touch /out/trapped; while true; do sleep 0.1; done"),
                List.of(), 0);
        dev.everynode.support.Await.until("the shell's SIGTERM trap set", Duration.ofSeconds(10),
                () -> Files.exists(out.resolve("trapped")));
        long t0 = System.nanoTime();
        polite.stop(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(polite.alive()).isFalse();
        assertThat(polite.exitCode()).isZero();
        assertThat(Files.readString(out.resolve("term"))).isEqualTo("terminated\n");
        polite.release();

        // PID 1 without a handler ignores SIGTERM in a container: killed after the grace period, exit code 137
        ContainerRuntime.Handle stubborn = docker.start(info, ctr, Map.of(), List.of("sleep", "1000"), List.of(), 1);
        t0 = System.nanoTime();
        stubborn.stop(Duration.ofSeconds(2));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(8));
        assertThat(stubborn.alive()).isFalse();
        assertThat(stubborn.exitCode()).isEqualTo(137);
        stubborn.release();
        assertThat(engine.containers(node)).isEmpty();
    }

    @Test
    void aKilledContainerIsRestartedAndTheAgentsRestartAdoptsItsContainerWithoutADuplicate() throws Exception {
        String podJson = pod("web", """
                {"containers": [{"name": "web", "image": "%s", "command": ["sh", "-c", "%s"],
                   "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 1}}]}
                """.formatted(DockerEngine.IMAGE, HTTPD));
        PodWorker w = worker(podJson);
        ObjectNode s = await(w, "ready", Duration.ofSeconds(20), DockerTierTest::ready);
        String first = s.at("/containerStatuses/0/containerID").asString();

        // kill -9 of the container's process
        long pid = engine.inspect(first).at("/State/Pid").asLong();
        assertThat(pid).isPositive();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        s = await(w, "restarted and ready", Duration.ofSeconds(20), st -> ready(st)
                && st.at("/containerStatuses/0/restartCount").asInt() == 1);
        assertThat(s.at("/containerStatuses/0/lastState/terminated/exitCode").asInt()).isEqualTo(137);
        String second = s.at("/containerStatuses/0/containerID").asString();
        assertThat(second).isNotEqualTo(first);
        assertThat(engine.containers(node)).hasSize(1);

        // the agent restarts: a new runtime and worker from the state file find the container by its labels
        StateStore store = new StateStore(dir.resolve("state"));
        String uid = w.uid;
        DockerRuntime restarted = new DockerRuntime(engine.socket, node);
        PodWorker again = worker(podJson.replaceFirst("\"uid\": \"[^\"]+\"", "\"uid\": \"" + uid + "\""), restarted,
                store, store.pod(uid));
        s = again.status(Instant.now());
        assertThat(s.at("/containerStatuses/0/containerID").asString()).isEqualTo(second);
        assertThat(s.at("/containerStatuses/0/ready").asBoolean()).isTrue();
        for (int i = 0; i < 10; i++) {
            again.tick(Instant.now());
            Thread.sleep(200); // pacing: ticks as the agent does
        }
        s = again.status(Instant.now());
        assertThat(s.at("/containerStatuses/0/containerID").asString()).isEqualTo(second);
        assertThat(s.at("/containerStatuses/0/restartCount").asInt()).isEqualTo(1);
        assertThat(engine.containers(node)).hasSize(1);

        // a pod no longer assigned to the node: its containers are removed
        restarted.cleanup(Set.of());
        assertThat(engine.containers(node)).isEmpty();
    }

    @Test
    void aMissingImageIsErrImagePullThenImagePullBackOffWithBackOffNotACrash() throws Exception {
        AtomicInteger starts = new AtomicInteger();
        ContainerRuntime counting = (ContainerRuntime) java.lang.reflect.Proxy.newProxyInstance(
                ContainerRuntime.class.getClassLoader(), new Class<?>[] {ContainerRuntime.class}, (p, m, a) -> {
                    if (m.getName().equals("start")) {
                        starts.incrementAndGet();
                    }
                    try {
                        return m.invoke(docker, a);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        PodWorker w = worker(pod("absent", """
                {"containers": [{"name": "c", "image": "everynode-test/absent:1", "command": ["sh"]},
                                {"name": "never", "image": "everynode-test/absent:2", "imagePullPolicy": "Never"}]}
                """), counting, new StateStore(dir.resolve("state")), null);
        ObjectNode s = await(w, "ErrImagePull", Duration.ofSeconds(10),
                st -> "ErrImagePull".equals(st.at("/containerStatuses/0/state/waiting/reason").asString()));
        assertThat(s.at("/containerStatuses/0/state/waiting/message").asString()).contains("everynode-test/absent");
        assertThat(s.at("/containerStatuses/1/state/waiting/reason").asString()).isEqualTo("ErrImageNeverPull");
        s = await(w, "ImagePullBackOff", Duration.ofSeconds(10),
                st -> "ImagePullBackOff".equals(st.at("/containerStatuses/0/state/waiting/reason").asString()));
        assertThat(s.at("/containerStatuses/0/state/waiting/message").asString())
                .startsWith("Back-off pulling image \"everynode-test/absent:1\"");
        assertThat(s.at("/phase").asString()).isEqualTo("Pending");
        assertThat(s.at("/containerStatuses/0/restartCount").asInt()).isZero();
        // 5 s of ticking every 200 ms: the attempts back off (1 s, 2 s, 4 s ...), two containers
        int before = starts.get();
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            w.tick(Instant.now());
            Thread.sleep(200); // pacing: ticks as the agent does, through the 5 s measured
        }
        assertThat(starts.get() - before).isLessThanOrEqualTo(4);
        assertThat(engine.containers(node)).isEmpty();
    }

    @Test
    void aFailingExecLivenessProbeRestartsTheContainer() throws Exception {
        PodWorker w = worker(pod("live", """
                {"terminationGracePeriodSeconds": 1,
                 "containers": [{"name": "c", "image": "%s", "command": ["sh", "-c", "touch /tmp/alive; exec sleep 1000"],
                   "livenessProbe": {"exec": {"command": ["test", "-f", "/tmp/alive"]}, "initialDelaySeconds": 1,
                                     "periodSeconds": 1, "failureThreshold": 1}}]}
                """.formatted(DockerEngine.IMAGE)));
        ObjectNode s = await(w, "running", Duration.ofSeconds(20), DockerTierTest::ready);
        ContainerRuntime.Handle h = w.containers.get(0).handle;
        dev.everynode.support.Await.holds("no restart through a few successful liveness runs", Duration.ofMillis(2500),
                () -> w.status(Instant.now()).at("/containerStatuses/0/restartCount").asInt() == 0);
        assertThat(docker.exec(h, List.of("rm", "/tmp/alive"), Map.of(), Duration.ofSeconds(5))).isZero();
        s = await(w, "restarted after the liveness failure", Duration.ofSeconds(20),
                st -> st.at("/containerStatuses/0/restartCount").asInt() == 1 && ready(st));
        assertThat(s.at("/containerStatuses/0/lastState/terminated/message").asString()).contains("liveness");
        assertThat(s.at("/containerStatuses/0/lastState/terminated/exitCode").asInt()).isEqualTo(137);
    }
}
