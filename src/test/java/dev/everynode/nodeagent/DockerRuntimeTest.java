package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker runtime against a simulated Engine API, for what the real engine of the Docker tier
 * ({@link DockerTierTest}, Docker 20.10, no registry) cannot show: API version negotiation with newer and older
 * engines, and a pull whose error arrives inside a 200 progress stream (a registry's answer).
 */
class DockerRuntimeTest {

    @TempDir
    Path dir;

    private FakeDockerEngine engine;
    private DockerRuntime docker;

    @BeforeEach
    void start() throws Exception {
        engine = new FakeDockerEngine(dir.resolve("docker.sock"));
        docker = new DockerRuntime(dir.resolve("docker.sock"), "n1");
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
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
    void theApiVersionIsNegotiatedWithTheEngine() throws Exception {
        assertThat(DockerRuntime.negotiate("1.47", "1.24")).isEqualTo("1.41");
        assertThat(DockerRuntime.negotiate("1.40", "1.12")).isEqualTo("1.40");
        assertThat(DockerRuntime.negotiate("1.52", "1.44")).isEqualTo("1.44");
        assertThat(DockerRuntime.negotiate("", "")).isEqualTo("1.41");
        assertThat(docker.version()).isEqualTo("docker://27.3.1");
        assertThat(engine.requests("GET", "/v1.41/version")).hasSize(1);

        // Docker 29 refuses API versions below 1.44: the agent speaks 1.44 to it, and everything works
        engine.minApiVersion = "1.44";
        engine.apiVersion = "1.52";
        DockerRuntime newer = new DockerRuntime(dir.resolve("docker.sock"), "n1");
        ContainerRuntime.PodInfo info = info("uid-7", """
                {"containers": [{"name": "c", "image": "busybox:1", "command": ["sleep", "1000"]}]}""");
        ContainerRuntime.Handle h = newer.start(info, info.spec().path("containers").get(0), Map.of(),
                List.of("sleep", "1000"), List.of(), 0);
        assertThat(h.alive()).isTrue();
        assertThat(engine.requests("POST", "/v1.44/containers/create")).hasSize(1);
        assertThat(engine.requests("POST", "/v1.41/")).isEmpty();
        assertThat(newer.version()).isEqualTo("docker://27.3.1");
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
