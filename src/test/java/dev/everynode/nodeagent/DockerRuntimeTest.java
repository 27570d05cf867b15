package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The Docker runtime against a simulated Engine API on a unix socket (there is no dockerd here). */
class DockerRuntimeTest {

    @TempDir
    Path dir;

    private FakeDockerEngine engine;
    private DockerRuntime docker;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws Exception {
        engine = new FakeDockerEngine(dir.resolve("docker.sock"));
        docker = new DockerRuntime(dir.resolve("docker.sock"), "n1");
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
        pool.shutdownNow();
    }

    private static final String SPEC = """
            {"hostNetwork": true, "terminationGracePeriodSeconds": 7,
             "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}}],
             "containers": [{"name": "agent", "image": "fluent/fluentd:v1.16", "command": ["fluentd"],
               "args": ["-c", "/etc/$(CONF)"], "env": [{"name": "CONF", "value": "fluent.conf"}],
               "imagePullPolicy": "IfNotPresent", "workingDir": "/work",
               "volumeMounts": [{"name": "varlog", "mountPath": "/var/log", "readOnly": true}]}]}""";

    private ContainerRuntime.PodInfo info(String uid, String spec) {
        return new ContainerRuntime.PodInfo("kube-system", "fluentd-x7k2p", uid, Js.parse(spec), "n1", "10.0.0.7",
                dir.resolve("logs"));
    }

    @Test
    void versionComesFromTheEngine() {
        assertThat(docker.version()).isEqualTo("docker://27.3.1");
    }

    @Test
    void pullsCreatesWithLabelsEnvBindsAndHostNetworkThenStarts() throws Exception {
        ContainerRuntime.PodInfo info = info("0a1b2c3d-uid", SPEC);
        JsonNode ctr = info.spec().path("containers").get(0);
        Map<String, String> env = ContainerConfig.env(info, ctr, "10.0.0.7");
        ContainerRuntime.Handle h = docker.start(info, ctr, env, List.of("fluentd"),
                ContainerConfig.expand(Js.strings(ctr.get("args")), env), 0);

        assertThat(engine.requests("POST", "/v1.41/images/create")).hasSize(1);
        assertThat(engine.requests("POST", "/v1.41/images/create").get(0).path())
                .contains("fromImage=fluent%2Ffluentd").contains("tag=v1.16");
        JsonNode create = Js.parse(engine.requests("POST", "/v1.41/containers/create").get(0).body());
        assertThat(create.path("Image").asString()).isEqualTo("fluent/fluentd:v1.16");
        assertThat(Js.strings(create.get("Entrypoint"))).containsExactly("fluentd");
        assertThat(Js.strings(create.get("Cmd"))).containsExactly("-c", "/etc/fluent.conf");
        assertThat(Js.strings(create.get("Env"))).containsExactly("CONF=fluent.conf");
        assertThat(create.path("WorkingDir").asString()).isEqualTo("/work");
        assertThat(create.path("Labels").path("everynode.pod.uid").asString()).isEqualTo("0a1b2c3d-uid");
        assertThat(create.path("Labels").path("everynode.pod.namespace").asString()).isEqualTo("kube-system");
        assertThat(create.path("Labels").path("everynode.pod.name").asString()).isEqualTo("fluentd-x7k2p");
        assertThat(create.path("Labels").path("everynode.container").asString()).isEqualTo("agent");
        assertThat(create.path("Labels").path("everynode.node").asString()).isEqualTo("n1");
        assertThat(Js.strings(create.path("HostConfig").get("Binds"))).containsExactly("/var/log:/var/log:ro");
        assertThat(create.path("HostConfig").path("NetworkMode").asString()).isEqualTo("host");
        assertThat(engine.requests("POST", "/v1.41/containers/").stream().anyMatch(r -> r.path().endsWith("/start")))
                .isTrue();
        assertThat(h.alive()).isTrue();
        assertThat(h.containerId()).startsWith("docker://").hasSize(9 + 64);
        assertThat(h.imageId()).isEqualTo("sha256:1234");
        assertThat(docker.podIp(info, h)).isEqualTo("10.0.0.7");

        // IfNotPresent: the second start does not pull again
        docker.start(info, ctr, env, List.of("fluentd"), List.of(), 1);
        assertThat(engine.requests("POST", "/v1.41/images/create")).hasSize(1);
    }

    @Test
    void exitsStopsAndRemovals() throws Exception {
        ContainerRuntime.PodInfo info = info("uid-2", """
                {"containers": [{"name": "c", "image": "busybox:1", "command": ["sleep", "1000"]}]}""");
        ContainerRuntime.Handle h = docker.start(info, info.spec().path("containers").get(0), Map.of(),
                List.of("sleep", "1000"), List.of(), 0);
        assertThat(docker.podIp(info, h)).isEqualTo("172.17.0.5");
        String id = h.containerId().substring(9);
        FakeDockerEngine.Container c = engine.containers.get(id);
        c.exitCode = 3;
        c.running = false;
        Thread.sleep(1100); // the inspect cache
        assertThat(h.alive()).isFalse();
        assertThat(h.exitCode()).isEqualTo(3);
        assertThat(h.exitReason()).isEqualTo("Error");
        h.release();
        assertThat(engine.containers).doesNotContainKey(id);

        ContainerRuntime.Handle second = docker.start(info, info.spec().path("containers").get(0), Map.of(),
                List.of("sleep", "1000"), List.of(), 1);
        second.stop(Duration.ofSeconds(7));
        assertThat(engine.requests("POST", "/v1.41/containers/" + second.containerId().substring(9) + "/stop?t=7"))
                .hasSize(1);
        assertThat(second.alive()).isFalse();
    }

    @Test
    void anAgentRestartAdoptsTheRunningContainerByItsLabelsAndRemovesTheRest() throws Exception {
        ContainerRuntime.PodInfo info = info("uid-3", """
                {"containers": [{"name": "c", "image": "busybox:1", "command": ["sleep", "1000"]}]}""");
        var exited = engine.add("old", Map.of("everynode.pod.uid", "uid-3", "everynode.container", "c",
                "everynode.node", "n1"), false);
        var running = engine.add("cur", Map.of("everynode.pod.uid", "uid-3", "everynode.container", "c",
                "everynode.node", "n1"), true);
        var stranger = engine.add("gone", Map.of("everynode.pod.uid", "uid-deleted", "everynode.container", "c",
                "everynode.node", "n1"), true);
        var otherNode = engine.add("other", Map.of("everynode.pod.uid", "uid-x", "everynode.container", "c",
                "everynode.node", "n2"), true);

        ContainerRuntime.Handle h = docker.adopt(info, "c", null);
        assertThat(h.containerId()).isEqualTo("docker://" + running.id);
        assertThat(engine.containers).doesNotContainKey(exited.id);

        docker.cleanup(Set.of("uid-3"));
        assertThat(engine.containers).containsKeys(running.id, otherNode.id).doesNotContainKey(stranger.id);
        assertThat(engine.containers).hasSize(2);
    }

    @Test
    void theWorkerReportsDockerContainersAndAdoptsThemWithoutDuplicates() throws Exception {
        ObjectNode pod = (ObjectNode) Js.parse("""
                {"metadata": {"namespace": "default", "name": "web-1", "uid": "uid-4"},
                 "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                   "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 1}}]}}""");
        ContainerRuntime.PodInfo info = new ContainerRuntime.PodInfo("default", "web-1", "uid-4", pod.get("spec"),
                "n1", "10.0.0.7", dir.resolve("logs"));
        StateStore store = new StateStore(dir.resolve("state"));
        PodWorker w = new PodWorker(pod, info, docker, store, pool, null);
        w.tick(Instant.now());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!w.status(Instant.now()).path("containerStatuses").get(0).path("ready").asBoolean()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
            w.tick(Instant.now());
        }
        ObjectNode status = w.status(Instant.now());
        assertThat(status.path("podIP").asString()).isEqualTo("172.17.0.5");
        assertThat(status.at("/containerStatuses/0/containerID").asString()).startsWith("docker://");
        assertThat(engine.requests("POST", "/v1.41/containers/").stream().filter(r -> r.path().contains("/exec")))
                .isNotEmpty();
        // a new agent with the same state dir: the same container, no second create
        PodWorker again = new PodWorker(pod, info, docker, new StateStore(dir.resolve("state")), pool,
                new StateStore(dir.resolve("state")).pod("uid-4"));
        again.tick(Instant.now());
        assertThat(engine.requests("POST", "/v1.41/containers/create")).hasSize(1);
        assertThat(again.status(Instant.now()).at("/containerStatuses/0/ready").asBoolean()).isTrue();
        assertThat(engine.containers).hasSize(1);
    }

    @Test
    void pullFailuresAndUnsupportedVolumesAreReasonsNotCrashes() {
        engine.failPulls = true;
        ContainerRuntime.PodInfo info = info("uid-5", """
                {"containers": [{"name": "c", "image": "nope:1", "imagePullPolicy": "Always"}]}""");
        assertThatThrownBy(() -> docker.start(info, info.spec().path("containers").get(0), Map.of(), List.of(),
                List.of(), 0)).isInstanceOf(ConfigError.class).hasMessageContaining("manifest unknown")
                .extracting(e -> ((ConfigError) e).reason).isEqualTo("ErrImagePull");
        ContainerRuntime.PodInfo secret = info("uid-6", """
                {"volumes": [{"name": "s", "secret": {"secretName": "x"}}],
                 "containers": [{"name": "c", "image": "busybox:1", "volumeMounts": [{"name": "s", "mountPath": "/s"}]}]}""");
        assertThatThrownBy(() -> docker.start(secret, secret.spec().path("containers").get(0), Map.of(), List.of(),
                List.of(), 0)).isInstanceOf(ConfigError.class).hasMessageContaining("only hostPath")
                .extracting(e -> ((ConfigError) e).reason).isEqualTo("CreateContainerConfigError");
    }
}
