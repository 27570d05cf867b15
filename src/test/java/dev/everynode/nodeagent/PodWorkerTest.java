package dev.everynode.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The process runtime end to end within one JVM: start, restart with back-off, config errors, adoption. */
class PodWorkerTest {

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ProcessRuntime runtime = new ProcessRuntime();
    private final List<PodWorker> workers = new ArrayList<>();

    @AfterEach
    void stopAll() {
        workers.forEach(w -> w.stop(Duration.ofSeconds(1), pool));
        pool.shutdownNow();
    }

    private static ObjectNode pod(String uid, String containers) {
        return (ObjectNode) Js.parse("""
                {"metadata": {"namespace": "default", "name": "p-%s", "uid": "%s"},
                 "spec": {"nodeName": "n1", "restartPolicy": "Always", "terminationGracePeriodSeconds": 2,
                          "containers": %s}}""".formatted(uid, uid, containers));
    }

    private PodWorker worker(ObjectNode pod, StateStore store) {
        ContainerRuntime.PodInfo info = new ContainerRuntime.PodInfo("default", pod.at("/metadata/name").asString(),
                pod.at("/metadata/uid").asString(), pod.get("spec"), "n1", "127.0.0.1",
                dir.resolve("logs").resolve(pod.at("/metadata/uid").asString()));
        String uid = info.uid();
        PodWorker w = new PodWorker(pod, info, runtime, store, pool, store.pod(uid));
        workers.add(w);
        return w;
    }

    private static void await(String what, BooleanSupplier condition) {
        dev.everynode.support.Await.until(what, Duration.ofSeconds(15), condition);
    }

    private static JsonNode container(ObjectNode status) {
        return status.path("containerStatuses").get(0);
    }

    private static long pid(PodWorker w) {
        return ((ProcessRuntime.ProcessHandleImpl) w.containers.get(0).handle).pid();
    }

    @Test
    void runsRestartsAndReportsAContainer() throws Exception {
        StateStore store = new StateStore(dir);
        PodWorker w = worker(pod("u1", """
                [{"name": "main", "image": "busybox", "command": ["sh", "-c"],
                  "args": ["echo hello $(GREETING) from $NODE; exec sleep 60"],
                  "env": [{"name": "GREETING", "value": "world"},
                          {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]}]"""), store);
        w.tick(Instant.now());
        ObjectNode s = w.status(Instant.now());
        assertThat(s.path("phase").asString()).isEqualTo("Running");
        assertThat(container(s).path("ready").asBoolean()).isTrue();
        assertThat(s.path("podIP").asString()).isEqualTo("127.0.0.1");
        Path log = dir.resolve("logs/u1/main.log");
        await("the log line", () -> {
            try {
                return Files.exists(log) && Files.readString(log).contains("hello world from n1");
            } catch (Exception e) {
                return false;
            }
        });
        long first = pid(w);
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        await("the exit", () -> {
            w.tick(Instant.now());
            return w.containers.get(0).handle == null;
        });
        s = w.status(Instant.now());
        assertThat(container(s).path("state").path("waiting").path("reason").asString()).isEqualTo("CrashLoopBackOff");
        assertThat(container(s).path("lastState").path("terminated").path("exitCode").asInt()).isEqualTo(137);
        assertThat(s.path("conditions").toString()).contains("\"type\":\"Ready\",\"status\":\"False\"");
        await("the restart", () -> {
            w.tick(Instant.now());
            return w.containers.get(0).handle != null;
        });
        assertThat(pid(w)).isNotEqualTo(first);
        s = w.status(Instant.now());
        assertThat(container(s).path("restartCount").asInt()).isEqualTo(1);
        assertThat(container(s).path("state").has("running")).isTrue();
    }

    @Test
    void aMissingCommandOrAnUnsupportedEnvSourceIsAWaitingReasonNotACrash() {
        StateStore store = new StateStore(dir);
        PodWorker noCommand = worker(pod("u2", "[{\"name\": \"c\", \"image\": \"nginx\"}]"), store);
        noCommand.tick(Instant.now());
        JsonNode c = container(noCommand.status(Instant.now()));
        assertThat(c.path("state").path("waiting").path("reason").asString()).isEqualTo("CreateContainerConfigError");
        assertThat(c.path("state").path("waiting").path("message").asString()).contains("has no command");
        PodWorker secret = worker(pod("u3", """
                [{"name": "c", "image": "x", "command": ["true"],
                  "env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]"""), store);
        secret.tick(Instant.now());
        ObjectNode s = secret.status(Instant.now());
        assertThat(s.path("phase").asString()).isEqualTo("Pending");
        assertThat(container(s).path("state").path("waiting").path("message").asString()).contains("secretKeyRef");
        PodWorker notFound = worker(pod("u4", "[{\"name\": \"c\", \"image\": \"x\", \"command\": [\"/no/such/binary\"]}]"),
                store);
        notFound.tick(Instant.now());
        c = container(notFound.status(Instant.now()));
        assertThat(c.path("lastState").path("terminated").path("reason").asString()).isEqualTo("StartError");
        assertThat(c.path("state").path("waiting").path("reason").asString()).isEqualTo("CrashLoopBackOff");
    }

    @Test
    void anAgentRestartAdoptsItsProcessesFromTheStateFile() throws Exception {
        ObjectNode pod = pod("u5", "[{\"name\": \"c\", \"image\": \"x\", \"command\": [\"sleep\", \"60\"]}]");
        PodWorker before = worker(pod, new StateStore(dir));
        before.tick(Instant.now());
        long pid = pid(before);
        workers.remove(before); // the "old agent" goes away without stopping anything

        StateStore reloaded = new StateStore(dir);
        assertThat(reloaded.pod("u5").at("/containers/c/handle/pid").asLong()).isEqualTo(pid);
        PodWorker after = worker(pod, reloaded);
        after.tick(Instant.now());
        assertThat(pid(after)).isEqualTo(pid);
        assertThat(ProcessHandle.current().children().filter(p -> p.info().commandLine().orElse("").contains("sleep 60"))
                .count()).isEqualTo(1);
        // the adopted process is not our child: its death is still noticed, and it is started again
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await("the restart of the adopted container", () -> {
            after.tick(Instant.now());
            return after.containers.get(0).handle != null && pid(after) != pid;
        });
        assertThat(container(after.status(Instant.now())).path("restartCount").asInt()).isEqualTo(1);
    }

    @Test
    void aRecordedPidThatIsNowAnotherProcessIsNotAdopted() throws Exception {
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            ObjectNode record = Js.object().put("pid", other.pid()).put("startInstant", "2020-01-01T00:00:00Z");
            assertThat(runtime.adopt(null, "c", record)).isNull();
            record.put("startInstant", other.info().startInstant().orElseThrow().toString());
            assertThat(runtime.adopt(null, "c", record)).isNotNull();
            record.put("pid", Long.MAX_VALUE / 2);
            assertThat(runtime.adopt(null, "c", record)).isNull();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aLivenessProbeFailureRestartsTheContainer() throws Exception {
        PodWorker w = worker(pod("u6", """
                [{"name": "c", "image": "x", "command": ["sleep", "60"],
                  "livenessProbe": {"exec": {"command": ["false"]}, "periodSeconds": 1, "failureThreshold": 2}}]"""),
                new StateStore(dir));
        w.tick(Instant.now());
        long first = pid(w);
        await("the liveness restart", () -> {
            w.tick(Instant.now());
            return w.containers.get(0).restartCount == 1 && w.containers.get(0).handle != null;
        });
        assertThat(pid(w)).isNotEqualTo(first);
        assertThat(container(w.status(Instant.now())).path("lastState").path("terminated").path("message").asString())
                .contains("liveness");
    }
}
