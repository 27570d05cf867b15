package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.Await;
import dev.everynode.support.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Docker tier end to end: the service (embedded PostgreSQL) and two agents (OS processes,
 * {@code --runtime docker}) on a real dockerd ({@link DockerEngine}) run a DaemonSet of busybox httpd: Ready
 * pods, a rolling update that replaces each node's container, a {@code kill -9}ed container restarted, an agent
 * restart that adopts its container (no duplicate), and a DaemonSet whose image is not present locally.
 */
@Tag("docker")
class DockerAgentEndToEndTest extends IntegrationTest {

    private static final String DS = "/apis/apps/v1/namespaces/default/daemonsets";
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path tmp;

    private DockerEngine engine;
    private final Map<Integer, Process> agents = new HashMap<>();

    @BeforeEach
    void engine() {
        engine = DockerEngine.get();
    }

    @AfterEach
    void stopEverything() {
        agents.values().forEach(Process::destroyForcibly);
        for (int k = 1; k <= 2; k++) {
            if (engine != null) {
                engine.removeAll(node(k));
            }
            try {
                System.out.println("---- agent " + node(k) + " ----");
                System.out.println(Files.readString(tmp.resolve("agent-" + k + "/agent.log")));
            } catch (IOException e) {
                // no log
            }
        }
    }

    private static String node(int k) {
        return "dtest-e2e-" + k;
    }

    private void startAgent(int k) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("agent-" + k));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--server", "http://localhost:" + port, "--node", node(k), "--state-dir", dir.resolve("state").toString(),
                "--host-ip", "127.0.0." + (k + 1), "--token", BOOTSTRAP_TOKEN, "--poll-seconds", "20",
                "--runtime", "docker", "--docker-socket", engine.socket.toString()));
        agents.put(k, new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start());
    }

    /** The DaemonSet's pods by node, without the terminating ones. */
    private Map<String, JsonNode> pods(String ds) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode pod : api.get("/api/v1/namespaces/default/pods").json().path("items")) {
            if (!pod.path("metadata").has("deletionTimestamp")
                    && pod.at("/metadata/name").asString("").startsWith(ds + "-")) {
                out.put(pod.path("spec").path("nodeName").asString(""), pod);
            }
        }
        return out;
    }

    private static boolean ready(JsonNode pod) {
        return pod != null && pod.at("/status/containerStatuses/0/ready").asBoolean(false);
    }

    private boolean bothReady(String ds) {
        Map<String, JsonNode> pods = pods(ds);
        return ready(pods.get(node(1))) && ready(pods.get(node(2)));
    }

    /** The one container on node k (asserted to be the only one), running. */
    private JsonNode onlyContainer(int k) {
        List<JsonNode> found = engine.containers(node(k));
        assertThat(found).as("containers on %s", node(k)).hasSize(1);
        assertThat(found.get(0).path("State").asString()).isEqualTo("running");
        return found.get(0);
    }

    private static ObjectNode daemonSet(String name, String image, String version) {
        return (ObjectNode) Js.parse("""
                {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "%s", "namespace": "default"},
                 "spec": {"selector": {"matchLabels": {"app": "%s"}},
                  "template": {"metadata": {"labels": {"app": "%s"}},
                   "spec": {"terminationGracePeriodSeconds": 1,
                    "containers": [{"name": "web", "image": "%s",
                      "command": ["sh", "-c", "mkdir -p /www && echo $VERSION > /www/ready && exec httpd -f -p 8080 -h /www"],
                      "env": [{"name": "VERSION", "value": "%s"}],
                      "ports": [{"name": "http", "containerPort": 8080}],
                      "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 1}}]}}}}
                """.formatted(name, name, name, image, version));
    }

    @Test
    void twoDockerAgentsRunADaemonSetThroughARolloutAKillAndAnAgentRestart() throws Exception {
        startAgent(1);
        startAgent(2);
        Await.until("two registered nodes", WAIT, () -> api.get("/api/v1/nodes/" + node(2)).status() == 200
                && api.get("/api/v1/nodes/" + node(1)).status() == 200);
        assertThat(api.get("/api/v1/nodes/" + node(1)).json().at("/status/nodeInfo/containerRuntimeVersion").asString())
                .startsWith("docker://");
        assertThat(api.post(DS, daemonSet("web", DockerEngine.IMAGE, "1")).status()).isEqualTo(201);

        // 1. a Ready pod per node, one running container each, labelled with its pod
        Await.until("two ready pods", WAIT, () -> bothReady("web"));
        Map<Integer, String> ids = new HashMap<>();
        for (int k = 1; k <= 2; k++) {
            JsonNode pod = pods("web").get(node(k));
            JsonNode c = onlyContainer(k);
            assertThat(c.at("/Labels/everynode.pod.uid").asString()).isEqualTo(pod.at("/metadata/uid").asString());
            assertThat(pod.at("/status/containerStatuses/0/containerID").asString())
                    .isEqualTo("docker://" + c.path("Id").asString());
            assertThat(pod.at("/status/podIP").asString()).isEqualTo(
                    engine.inspect(c.path("Id").asString()).at("/NetworkSettings/IPAddress").asString());
            ids.put(k, c.path("Id").asString());
        }

        // 2. a rolling update: each wave replaces the node's container by a new one with the new template
        ObjectNode changed = ((ObjectNode) api.get(DS + "/web").json()).deepCopy();
        ((ObjectNode) changed.at("/spec/template/spec/containers/0/env/0")).put("value", "2");
        assertThat(api.put(DS + "/web", changed).status()).isEqualTo(200);
        Await.until("the rollout", Duration.ofSeconds(60), () -> {
            Map<String, JsonNode> pods = pods("web");
            return pods.size() == 2 && pods.values().stream().allMatch(p -> ready(p)
                    && "2".equals(p.at("/spec/containers/0/env/0/value").asString()))
                    && engine.containers(node(1)).size() == 1 && engine.containers(node(2)).size() == 1;
        });
        for (int k = 1; k <= 2; k++) {
            JsonNode c = onlyContainer(k);
            assertThat(c.path("Id").asString()).as("a new container on %s", node(k)).isNotEqualTo(ids.get(k));
            assertThat(Js.strings(engine.inspect(c.path("Id").asString()).at("/Config/Env"))).contains("VERSION=2");
            assertThat(c.at("/Labels/everynode.pod.uid").asString())
                    .isEqualTo(pods("web").get(node(k)).at("/metadata/uid").asString());
            ids.put(k, c.path("Id").asString());
        }

        // 3. kill -9 of the container on node 1: restarted in a new container, restartCount 1, exit code 137
        ProcessHandle.of(engine.inspect(ids.get(1)).at("/State/Pid").asLong()).orElseThrow().destroyForcibly();
        Await.until("the restart on node 1", WAIT, () -> {
            JsonNode pod = pods("web").get(node(1));
            return pod != null && pod.at("/status/containerStatuses/0/restartCount").asInt() == 1 && ready(pod);
        });
        assertThat(pods("web").get(node(1)).at("/status/containerStatuses/0/lastState/terminated/exitCode").asInt())
                .isEqualTo(137);
        assertThat(onlyContainer(1).path("Id").asString()).isNotEqualTo(ids.get(1));

        // 4. agent 2 stops (its container keeps running) and starts again: it adopts the container, no duplicate
        Process second = agents.get(2);
        second.destroy();
        assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(onlyContainer(2).path("Id").asString()).isEqualTo(ids.get(2));
        startAgent(2);
        Await.until("agent 2 adopted its container", WAIT, () -> {
            try {
                return Files.readString(tmp.resolve("agent-2/agent.log")).split("adopted container default/", -1).length == 2;
            } catch (IOException e) {
                return false;
            }
        });
        Await.holds("the adopted container the only one of agent 2 (no duplicate started)", Duration.ofSeconds(3),
                () -> ids.get(2).equals(onlyContainer(2).path("Id").asString()));
        assertThat(onlyContainer(2).path("Id").asString()).isEqualTo(ids.get(2));
        JsonNode pod2 = pods("web").get(node(2));
        assertThat(ready(pod2)).isTrue();
        assertThat(pod2.at("/status/containerStatuses/0/restartCount").asInt()).isZero();
        assertThat(pod2.at("/status/containerStatuses/0/containerID").asString()).isEqualTo("docker://" + ids.get(2));

        // 5. an image that is not present (and cannot be pulled): a clear reason on the pod, the agents stay up
        assertThat(api.post(DS, daemonSet("absent", "everynode-test/absent:1", "1")).status()).isEqualTo(201);
        Await.until("ImagePullBackOff on both nodes", WAIT, () -> {
            Map<String, JsonNode> pods = pods("absent");
            return pods.size() == 2 && pods.values().stream().allMatch(p -> "ImagePullBackOff".equals(
                    p.at("/status/containerStatuses/0/state/waiting/reason").asString()));
        });
        JsonNode absent = pods("absent").get(node(1));
        assertThat(absent.at("/status/phase").asString()).isEqualTo("Pending");
        assertThat(absent.at("/status/containerStatuses/0/state/waiting/message").asString())
                .contains("everynode-test/absent:1");
        assertThat(agents.get(1).isAlive()).isTrue();
        assertThat(agents.get(2).isAlive()).isTrue();
        assertThat(bothReady("web")).isTrue();
        assertThat(engine.containers(node(1))).hasSize(1);
    }
}
