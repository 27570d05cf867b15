package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.Await;
import dev.everynode.support.IntegrationTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Three real agents (OS processes, the test classpath) against the service: a DaemonSet of
 * {@code python3 -m http.server} bound to each agent's --host-ip (127.0.0.2-4, passed to the container as
 * env HOST_IP from status.hostIP), readiness by httpGet; a rolling update; a killed container; an agent that
 * stops (node Unknown) and comes back (adopts its process, no duplicate).
 */
class NodeAgentEndToEndTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final Map<Integer, Process> agents = new HashMap<>();
    private int httpPort;

    @AfterEach
    void stopEverything() {
        agents.values().forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        agents.values().forEach(Process::destroyForcibly);
        for (int k = 1; k <= 3; k++) {
            pythons(k).forEach(ProcessHandle::destroyForcibly);
            try {
                System.out.println("---- agent e2e-" + k + " ----");
                System.out.println(Files.readString(tmp.resolve("agent-" + k + "/agent.log")));
            } catch (IOException e) {
                // no log
            }
        }
    }

    private static String ip(int k) {
        return "127.0.0." + (k + 1);
    }

    private Process startAgent(int k) throws IOException {
        Path dir = tmp.resolve("agent-" + k);
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--server", "http://localhost:" + port, "--node", "e2e-" + k, "--state-dir", dir.resolve("state").toString(),
                "--host-ip", ip(k), "--label", "everynode.dev/e2e=true", "--token", BOOTSTRAP_TOKEN, "--poll-seconds", "20"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
        agents.put(k, p);
        return p;
    }

    /** The http.server processes of agent k, by command line: the duplicate detector. */
    private List<ProcessHandle> pythons(int k) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> {
                    String line = p.info().commandLine().orElse("");
                    return line.contains("http.server") && line.contains("--bind " + ip(k)) && line.contains(" " + httpPort);
                })
                .filter(p -> !zombie(p.pid()))
                .toList();
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private boolean listening(int k) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip(k), httpPort), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The pods of the DaemonSet by node, without the terminating ones. */
    private Map<String, JsonNode> pods() {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode pod : api.get("/api/v1/namespaces/" + namespace + "/pods").json().path("items")) {
            if (!pod.path("metadata").has("deletionTimestamp")) {
                out.put(pod.path("spec").path("nodeName").asString(""), pod);
            }
        }
        return out;
    }

    private static boolean ready(JsonNode pod) {
        if (pod == null) {
            return false;
        }
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asString(""))) {
                return "True".equals(c.path("status").asString(""));
            }
        }
        return false;
    }

    private String nodeReady(int k) {
        for (JsonNode c : api.get("/api/v1/nodes/e2e-" + k).json().path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asString(""))) {
                return c.path("status").asString("");
            }
        }
        return "";
    }

    private boolean allReadyAndListening() {
        Map<String, JsonNode> pods = pods();
        for (int k = 1; k <= 3; k++) {
            if (!ready(pods.get("e2e-" + k)) || !listening(k)) {
                return false;
            }
        }
        return true;
    }

    private long onlyPid(int k) {
        List<ProcessHandle> found = pythons(k);
        assertThat(found).as("http.server processes of e2e-%d", k).hasSize(1);
        return found.get(0).pid();
    }

    @Test
    void threeAgentsRunADaemonSetThroughRolloutsCrashesAndRestarts() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        for (int k = 1; k <= 3; k++) {
            startAgent(k);
        }
        Await.until("three registered nodes", WAIT, () ->
                api.get("/api/v1/nodes").json().path("items").size() == 3);
        JsonNode node = api.get("/api/v1/nodes/e2e-1").json();
        assertThat(node.at("/metadata/labels/everynode.dev~1e2e").asString()).isEqualTo("true");
        assertThat(node.at("/status/capacity/cpu").asString()).isNotEmpty();
        assertThat(node.at("/status/nodeInfo/kubeletVersion").asString()).startsWith("everynode-agent");
        assertThat(node.at("/status/addresses").toString()).contains("127.0.0.2");

        ObjectNode ds = (ObjectNode) Js.parse("""
                {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "web", "namespace": "%s"},
                 "spec": {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                   "spec": {"terminationGracePeriodSeconds": 5,
                    "containers": [{"name": "web", "image": "python:3",
                      "command": ["python3", "-m", "http.server", "%d", "--bind", "$(HOST_IP)"],
                      "env": [{"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                              {"name": "VERSION", "value": "1"}],
                      "readinessProbe": {"httpGet": {"path": "/", "port": %d}, "periodSeconds": 1}}]}}}}
                """.formatted(namespace, httpPort, httpPort));
        assertThat(api.post(DS, ds).status()).isEqualTo(201);

        // 1. three Ready pods, really listening, one process each
        Await.until("three ready pods listening", WAIT, this::allReadyAndListening);
        Map<Integer, Long> pids = new HashMap<>();
        Set<String> oldUids = new HashSet<>();
        for (int k = 1; k <= 3; k++) {
            pids.put(k, onlyPid(k));
            JsonNode pod = pods().get("e2e-" + k);
            oldUids.add(pod.at("/metadata/uid").asString());
            assertThat(pod.at("/status/phase").asString()).isEqualTo("Running");
            assertThat(pod.at("/status/podIP").asString()).isEqualTo(ip(k));
            assertThat(pod.at("/status/containerStatuses/0/state/running/startedAt").asString()).isNotEmpty();
        }

        // 2. a template change rolls out node by node (at most one node without a ready pod), new processes
        JsonNode current = api.get(DS + "/web").json();
        ObjectNode changed = ((ObjectNode) current).deepCopy();
        ((ObjectNode) changed.at("/spec/template/spec/containers/0/env/1")).put("value", "2");
        assertThat(api.put(DS + "/web", changed).status()).isEqualTo(200);
        AtomicInteger worst = new AtomicInteger(3);
        Await.until("the rollout", Duration.ofSeconds(45), () -> {
            Map<String, JsonNode> pods = pods();
            int readyNow = (int) pods.values().stream().filter(NodeAgentEndToEndTest::ready).count();
            worst.accumulateAndGet(readyNow, Math::min);
            return pods.size() == 3 && pods.values().stream().allMatch(p -> ready(p)
                    && !oldUids.contains(p.at("/metadata/uid").asString())
                    && "2".equals(p.at("/spec/containers/0/env/1/value").asString()))
                    && allReadyAndListening();
        });
        assertThat(worst.get()).as("ready pods during the rollout (maxUnavailable 1)").isGreaterThanOrEqualTo(2);
        for (int k = 1; k <= 3; k++) {
            long pid = onlyPid(k);
            assertThat(pid).as("a new process on e2e-%d", k).isNotEqualTo(pids.get(k));
            pids.put(k, pid);
        }

        // 3. kill -9 a container: restarted, restartCount 1, reported
        ProcessHandle.of(pids.get(1)).orElseThrow().destroyForcibly();
        Await.until("the restart on e2e-1", WAIT, () -> {
            JsonNode pod = pods().get("e2e-1");
            return pod != null && pod.at("/status/containerStatuses/0/restartCount").asInt() == 1 && ready(pod)
                    && listening(1);
        });
        JsonNode restarted = pods().get("e2e-1");
        assertThat(restarted.at("/status/containerStatuses/0/lastState/terminated/exitCode").asInt()).isEqualTo(137);
        assertThat(onlyPid(1)).isNotEqualTo(pids.get(1));

        // 4. an agent stops: its node goes Unknown, its pod keeps running
        Process third = agents.get(3);
        third.destroy();
        assertThat(third.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Await.until("node e2e-3 Unknown", WAIT, () -> "Unknown".equals(nodeReady(3)));
        assertThat(ready(pods().get("e2e-3"))).isFalse();
        assertThat(onlyPid(3)).isEqualTo(pids.get(3));
        assertThat(listening(3)).isTrue();

        // 5. it comes back: adopts its process (same pid, no duplicate), node and pod Ready again
        startAgent(3);
        Await.until("node e2e-3 Ready again", WAIT, () -> "True".equals(nodeReady(3)));
        Await.until("the pod on e2e-3 Ready again", WAIT, () -> ready(pods().get("e2e-3")));
        Await.holds("the adopted process the only one on e2e-3 (no duplicate started)", Duration.ofSeconds(2),
                () -> pids.get(3).equals(onlyPid(3)));
        assertThat(onlyPid(3)).isEqualTo(pids.get(3));
        assertThat(pods().get("e2e-3").at("/status/containerStatuses/0/restartCount").asInt()).isZero();
        assertThat(pods()).hasSize(3);
        String log = Files.readString(tmp.resolve("agent-3/agent.log"));
        assertThat(log).contains("adopted container " + namespace + "/");
        // the bootstrap token got the node in once; the restarted agent used the node credential it kept
        assertThat(tmp.resolve("agent-3/state/node-token")).exists();
        assertThat(log.split("received this node's own credential", -1)).hasSize(2);
    }
}
