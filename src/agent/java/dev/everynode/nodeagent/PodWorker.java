package dev.everynode.nodeagent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One assigned pod: starts its containers, restarts them with back-off (restartPolicy), runs their probes, and
 * builds its status. {@link #tick} runs on the agent's sync thread; probes on the probe pool.
 */
final class PodWorker {

    /** One container of the pod. */
    static final class Ctr {
        final String name;
        final String image;
        final JsonNode spec;
        ContainerRuntime.Handle handle;
        int restartCount;
        boolean everStarted;
        ObjectNode lastTerminated;
        ObjectNode terminated;
        String waitingReason = "ContainerCreating";
        String waitingMessage;
        Instant nextStart = Instant.EPOCH;
        final Backoff backoff = Backoff.restarts();
        Probes.State readiness;
        Probes.State liveness;
        Probes.State startup;
        boolean seededReady;
        boolean savedReady;
        volatile boolean killing;

        Ctr(JsonNode spec) {
            this.spec = spec;
            this.name = spec.path("name").asString("");
            this.image = spec.path("image").asString("");
        }

        boolean started() {
            return handle != null && (startup == null || startup.ok());
        }

        boolean ready() {
            if (!started() || killing) {
                return false;
            }
            return readiness == null || readiness.ok() || seededReady;
        }
    }

    final ObjectNode pod;
    final String uid;
    final String namespace;
    final String name;
    final ContainerRuntime.PodInfo info;
    final List<Ctr> containers = new ArrayList<>();
    private final ContainerRuntime runtime;
    private final StateStore store;
    private final ExecutorService probePool;
    private final StatusBuilder status = new StatusBuilder();
    private final String restartPolicy;
    private final Instant startTime;
    private String podError;
    private volatile boolean stopped;

    PodWorker(ObjectNode pod, ContainerRuntime.PodInfo info, ContainerRuntime runtime, StateStore store,
              ExecutorService probePool, ObjectNode saved) {
        this.pod = pod;
        this.info = info;
        this.uid = info.uid();
        this.namespace = info.namespace();
        this.name = info.name();
        this.runtime = runtime;
        this.store = store;
        this.probePool = probePool;
        JsonNode spec = pod.path("spec");
        this.restartPolicy = spec.path("restartPolicy").asString("Always");
        this.startTime = saved != null && saved.has("startTime") ? Instant.parse(saved.get("startTime").asString())
                : Instant.now();
        for (JsonNode c : spec.path("containers")) {
            containers.add(new Ctr(c));
        }
        if (spec.path("initContainers").size() > 0) {
            podError = "init containers are not supported by everynode-agent";
        } else if (spec.path("ephemeralContainers").size() > 0) {
            podError = "ephemeral containers are not supported by everynode-agent";
        }
        for (Ctr c : containers) {
            ObjectNode record = saved == null ? null : (ObjectNode) saved.path("containers").get(c.name);
            if (record != null) {
                adopt(c, record);
            }
        }
        save();
    }

    private void adopt(Ctr c, ObjectNode record) {
        c.restartCount = record.path("restartCount").asInt(0);
        c.everStarted = true;
        if (record.path("lastTerminated").isObject()) {
            c.lastTerminated = (ObjectNode) record.get("lastTerminated");
        }
        ContainerRuntime.Handle h = record.path("handle").isObject()
                ? runtime.adopt(info, c.name, (ObjectNode) record.get("handle")) : runtime.adopt(info, c.name, null);
        if (h != null) {
            c.handle = h;
            c.waitingReason = null;
            c.seededReady = record.path("ready").asBoolean(false);
            initProbes(c, h.startedAt());
            if (c.startup != null && c.seededReady) {
                c.startup.record(true);
            }
            Log.info("adopted container %s/%s/%s (%s)", namespace, name, c.name, h.containerId());
        } else if (record.path("handle").isObject()) {
            c.lastTerminated = terminated(137, "ContainerStatusUnknown",
                    "the container could not be located when the agent restarted", null, Instant.now(), null);
            Log.info("container %s/%s/%s is gone since the agent's restart: starting it again", namespace, name, c.name);
        }
    }

    private void initProbes(Ctr c, Instant started) {
        try {
            c.readiness = c.spec.has("readinessProbe") ? new Probes.State(
                    Probes.parse("readinessProbe", c.spec.get("readinessProbe"), c.spec), started) : null;
            c.liveness = c.spec.has("livenessProbe") ? new Probes.State(
                    Probes.parse("livenessProbe", c.spec.get("livenessProbe"), c.spec), started) : null;
            c.startup = c.spec.has("startupProbe") ? new Probes.State(
                    Probes.parse("startupProbe", c.spec.get("startupProbe"), c.spec), started) : null;
        } catch (ConfigError e) {
            // validated before the start; an adopted container keeps running without the probe
            Log.info("pod %s/%s container %s: %s", namespace, name, c.name, e.getMessage());
        }
    }

    /** One supervision step: notice exits, restart when due, schedule probes. */
    synchronized void tick(Instant now) {
        if (stopped) {
            return;
        }
        for (Ctr c : containers) {
            if (c.handle != null) {
                if (!c.handle.alive()) {
                    exited(c, now);
                } else {
                    probe(c, now);
                }
            }
            if (c.handle == null && c.terminated == null && !now.isBefore(c.nextStart)) {
                start(c, now);
            }
        }
        // readiness goes to the state file too, so that an agent restart does not flap Ready
        boolean readinessChanged = false;
        for (Ctr c : containers) {
            boolean ready = c.ready();
            readinessChanged |= ready != c.savedReady;
            c.savedReady = ready;
        }
        if (readinessChanged) {
            save();
        }
    }

    private void exited(Ctr c, Instant now) {
        ContainerRuntime.Handle h = c.handle;
        Integer code = h.exitCode();
        String reason = h.exitReason();
        String message = code == null ? "the exit code of an adopted process is unknown" : null;
        if (c.killing) {
            message = "liveness or startup probe failed: container restarted";
        }
        ObjectNode t = terminated(code == null ? 137 : code, code == null ? "Unknown" : reason, message,
                h.startedAt(), now, h.containerId());
        h.release();
        c.handle = null;
        c.killing = false;
        c.seededReady = false;
        c.lastTerminated = t;
        boolean restart = "Always".equals(restartPolicy) || ("OnFailure".equals(restartPolicy) && (code == null || code != 0));
        if (restart) {
            Duration delay = c.backoff.next(Duration.between(h.startedAt(), now));
            c.nextStart = now.plus(delay);
            c.waitingReason = "CrashLoopBackOff";
            c.waitingMessage = "back-off " + delay.toSeconds() + "s restarting failed container=" + c.name + " pod="
                    + name + "_" + namespace + "(" + uid + ")";
            Log.info("container %s/%s/%s exited (code %s, %s): restarting in %s", namespace, name, c.name,
                    code == null ? "unknown" : code, t.path("reason").asString(), delay);
        } else {
            c.terminated = t;
            c.lastTerminated = null;
            Log.info("container %s/%s/%s exited (code %s): not restarted (restartPolicy %s)", namespace, name,
                    c.name, code, restartPolicy);
        }
        save();
    }

    private void start(Ctr c, Instant now) {
        try {
            if (podError != null) {
                throw new ConfigError("CreateContainerConfigError", podError);
            }
            initProbes(c, now);
            for (String probe : new String[] {"readinessProbe", "livenessProbe", "startupProbe"}) {
                if (c.spec.has(probe)) {
                    Probes.parse(probe, c.spec.get(probe), c.spec);
                }
            }
            String podIp = info.hostNetwork() || runtime instanceof ProcessRuntime ? info.hostIp() : "";
            Map<String, String> env = ContainerConfig.env(info, c.spec, podIp);
            List<String> command = ContainerConfig.expand(Js.strings(c.spec.get("command")), env);
            List<String> args = ContainerConfig.expand(Js.strings(c.spec.get("args")), env);
            int count = c.everStarted ? c.restartCount + 1 : 0;
            ContainerRuntime.Handle h = runtime.start(info, c.spec, env, command, args, count);
            c.handle = h;
            if (c.everStarted) {
                c.restartCount++;
            }
            c.everStarted = true;
            c.waitingReason = null;
            c.waitingMessage = null;
            initProbes(c, h.startedAt());
            Log.info("started container %s/%s/%s (%s)%s", namespace, name, c.name, h.containerId(),
                    c.restartCount > 0 ? " restartCount=" + c.restartCount : "");
        } catch (ConfigError e) {
            Duration delay = c.backoff.next(Duration.ZERO);
            c.nextStart = now.plus(delay);
            if (e.startError) {
                if (c.everStarted) {
                    c.restartCount++;
                }
                c.everStarted = true;
                c.lastTerminated = terminated(128, "StartError", e.getMessage(), null, now, null);
                c.waitingReason = "CrashLoopBackOff";
                c.waitingMessage = e.getMessage();
            } else if ("ErrImagePull".equals(e.reason)
                    && ("ErrImagePull".equals(c.waitingReason) || "ImagePullBackOff".equals(c.waitingReason))) {
                // kubelet: the first failed pull is ErrImagePull, the retries after it wait in ImagePullBackOff
                c.waitingReason = "ImagePullBackOff";
                c.waitingMessage = "Back-off pulling image \"" + c.image + "\": " + e.getMessage();
            } else {
                c.waitingReason = e.reason;
                c.waitingMessage = e.getMessage();
            }
            Log.info("cannot start container %s/%s/%s: %s: %s (retry in %s)", namespace, name, c.name, e.reason,
                    e.getMessage(), delay);
        }
        save();
    }

    private void probe(Ctr c, Instant now) {
        ContainerRuntime.Handle h = c.handle;
        if (c.killing) {
            return;
        }
        if (c.startup != null && !c.startup.ok()) {
            schedule(c, h, c.startup, now, "startup");
            return;
        }
        if (c.readiness != null) {
            schedule(c, h, c.readiness, now, "readiness");
        }
        if (c.liveness != null) {
            schedule(c, h, c.liveness, now, "liveness");
        }
    }

    private void schedule(Ctr c, ContainerRuntime.Handle h, Probes.State state, Instant now, String kind) {
        if (!state.due(now)) {
            return;
        }
        state.scheduled(now);
        String host = runtime.podIp(info, h);
        probePool.submit(() -> {
            boolean ok = Probes.run(state.spec, host, (command, timeout) -> runtime.exec(h, command,
                    currentEnv(c), timeout));
            boolean before = state.ok();
            boolean verdict = state.record(ok);
            if (kind.equals("readiness")) {
                if (!ok) {
                    c.seededReady = false;
                }
                if (verdict != before) {
                    Log.info("container %s/%s/%s readiness: %s", namespace, name, c.name, verdict ? "ready" : "not ready");
                }
            } else if (kind.equals("startup") && verdict && !before) {
                Log.info("container %s/%s/%s started (startup probe)", namespace, name, c.name);
            }
            if ((kind.equals("liveness") || kind.equals("startup")) && state.failed() && !c.killing && c.handle == h) {
                c.killing = true;
                Log.info("container %s/%s/%s failed its %s probe: killing it", namespace, name, c.name, kind);
                h.stop(grace());
            }
        });
    }

    private Map<String, String> currentEnv(Ctr c) {
        try {
            return ContainerConfig.env(info, c.spec, runtime.podIp(info, c.handle));
        } catch (ConfigError | RuntimeException e) {
            return Map.of();
        }
    }

    Duration grace() {
        return Duration.ofSeconds(pod.path("spec").path("terminationGracePeriodSeconds").asLong(30));
    }

    /** Stops every container (SIGTERM, SIGKILL after {@code grace}), in parallel; returns when all are gone. */
    void stop(Duration grace, ExecutorService pool) {
        List<ContainerRuntime.Handle> handles = new ArrayList<>();
        synchronized (this) {
            stopped = true;
            for (Ctr c : containers) {
                if (c.handle != null) {
                    handles.add(c.handle);
                }
            }
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (ContainerRuntime.Handle h : handles) {
            all.add(CompletableFuture.runAsync(() -> {
                h.stop(grace);
                h.release();
            }, pool));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        store.removePod(uid);
    }

    boolean isStopped() {
        return stopped;
    }

    synchronized ObjectNode status(Instant now) {
        List<StatusBuilder.ContainerView> views = new ArrayList<>();
        String podIp = null;
        for (Ctr c : containers) {
            ContainerRuntime.Handle h = c.handle;
            if (podIp == null && h != null) {
                podIp = runtime.podIp(info, h);
            }
            views.add(new StatusBuilder.ContainerView(c.name, c.image, h == null ? "" : h.imageId(),
                    h == null ? null : h.containerId(), c.ready(), c.started(), c.restartCount,
                    h == null ? null : h.startedAt(), c.waitingReason == null ? "ContainerCreating" : c.waitingReason,
                    c.waitingMessage, c.terminated, c.lastTerminated));
        }
        if (podIp == null && (info.hostNetwork() || runtime instanceof ProcessRuntime)) {
            podIp = info.hostIp();
        }
        return status.build(views, restartPolicy, info.hostIp(), podIp, startTime, now);
    }

    private synchronized void save() {
        if (stopped) {
            return;
        }
        ObjectNode entry = Js.object();
        entry.set("pod", pod);
        entry.put("startTime", startTime.toString());
        ObjectNode ctrs = entry.putObject("containers");
        for (Ctr c : containers) {
            if (!c.everStarted && c.handle == null) {
                continue;
            }
            ObjectNode r = ctrs.putObject(c.name).put("restartCount", c.restartCount).put("ready", c.ready());
            if (c.handle != null) {
                r.set("handle", c.handle.record());
            }
            if (c.lastTerminated != null) {
                r.set("lastTerminated", c.lastTerminated);
            }
        }
        store.putPod(uid, entry);
    }

    static ObjectNode terminated(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt,
                                 String containerId) {
        ObjectNode t = Js.object().put("exitCode", exitCode).put("reason", reason);
        if (message != null) {
            t.put("message", message);
        }
        if (startedAt != null) {
            t.put("startedAt", Js.time(startedAt));
        }
        t.put("finishedAt", Js.time(finishedAt));
        if (containerId != null) {
            t.put("containerID", containerId);
        }
        return t;
    }
}
