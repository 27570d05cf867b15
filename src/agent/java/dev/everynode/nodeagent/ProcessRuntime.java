package dev.everynode.nodeagent;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Containers as child processes of the agent: {@code command + args} (the image is not used: there is no image
 * entrypoint, so a container without {@code command} is a CreateContainerConfigError), {@code env}, and
 * {@code workingDir} (default: the pod's directory under the state dir). The process sees the host file system,
 * so a volumeMount is accepted only for a hostPath volume mounted at its own path. stdout and stderr are appended
 * to {@code <state-dir>/logs/<ns>_<pod>_<uid>/<container>.log}. The environment is the container's env plus the
 * agent's PATH (and LANG, TZ when set), HOSTNAME = the node name.
 */
final class ProcessRuntime implements ContainerRuntime {

    @Override
    public String version() {
        return "process://" + System.getProperty("java.version");
    }

    @Override
    public Handle start(PodInfo pod, JsonNode container, Map<String, String> env, List<String> command,
                        List<String> args, int restartCount) throws ConfigError {
        String name = container.path("name").asString("");
        if (command.isEmpty()) {
            throw new ConfigError("CreateContainerConfigError", "container \"" + name + "\" has no command: the "
                    + "process runtime cannot use the entrypoint of image " + container.path("image").asString(""));
        }
        for (JsonNode mount : container.path("volumeMounts")) {
            String volumeName = mount.path("name").asString("");
            JsonNode volume = ContainerConfig.volume(pod.spec(), volumeName);
            String hostPath = volume == null ? null : Js.str(volume, "hostPath", "path");
            String mountPath = mount.path("mountPath").asString("");
            if (hostPath == null || !Path.of(hostPath).normalize().equals(Path.of(mountPath).normalize())) {
                throw new ConfigError("CreateContainerConfigError", "volumeMount " + volumeName + " at " + mountPath
                        + ": the process runtime supports only hostPath volumes mounted at their own path");
            }
        }
        List<String> line = new ArrayList<>(command);
        line.addAll(args);
        try {
            Files.createDirectories(pod.logDir());
            Path workDir = Js.str(container, "workingDir") != null ? Path.of(Js.str(container, "workingDir"))
                    : pod.logDir();
            ProcessBuilder pb = new ProcessBuilder(line).directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(pod.logDir().resolve(name + ".log").toFile()));
            environment(pb, pod, env);
            Process process = pb.start();
            Instant startInstant = process.info().startInstant().orElse(Instant.now());
            return new ProcessHandleImpl(process.toHandle(), process, startInstant, Instant.now());
        } catch (IOException e) {
            throw new ConfigError("StartError", "failed to start container \"" + name + "\": " + e.getMessage(), true);
        }
    }

    private static void environment(ProcessBuilder pb, PodInfo pod, Map<String, String> env) {
        Map<String, String> target = pb.environment();
        Map<String, String> mine = System.getenv();
        target.clear();
        for (String keep : new String[] {"PATH", "LANG", "TZ"}) {
            if (mine.get(keep) != null) {
                target.put(keep, mine.get(keep));
            }
        }
        target.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        target.put("HOSTNAME", pod.node());
        target.putAll(env);
    }

    @Override
    public Handle adopt(PodInfo pod, String container, ObjectNode record) {
        if (record == null || !record.path("pid").isNumber()) {
            return null;
        }
        long pid = record.get("pid").longValue();
        Instant recorded = Instant.parse(record.path("startInstant").asString("1970-01-01T00:00:00Z"));
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return null;
        }
        Optional<Instant> actual = handle.get().info().startInstant();
        if (actual.isEmpty() || Duration.between(recorded, actual.get()).abs().toMillis() > 1000) {
            return null;
        }
        Instant startedAt = record.has("startedAt") ? Instant.parse(record.get("startedAt").asString()) : recorded;
        return new ProcessHandleImpl(handle.get(), null, recorded, startedAt);
    }

    @Override
    public int exec(Handle handle, List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Override
    public String podIp(PodInfo pod, Handle handle) {
        return pod.hostIp();
    }

    /** A child process, or an adopted one (not our child: its exit code is unknown). */
    static final class ProcessHandleImpl implements Handle {
        final ProcessHandle handle;
        private final Process process;
        private final Instant startInstant;
        private final Instant startedAt;

        ProcessHandleImpl(ProcessHandle handle, Process process, Instant startInstant, Instant startedAt) {
            this.handle = handle;
            this.process = process;
            this.startInstant = startInstant;
            this.startedAt = startedAt;
        }

        long pid() {
            return handle.pid();
        }

        @Override
        public String containerId() {
            return "process://" + handle.pid();
        }

        @Override
        public String imageId() {
            return "";
        }

        @Override
        public Instant startedAt() {
            return startedAt;
        }

        @Override
        public boolean alive() {
            return process != null ? process.isAlive() : handle.isAlive() && !zombie(handle.pid());
        }

        @Override
        public Integer exitCode() {
            if (process != null && !process.isAlive()) {
                return process.exitValue();
            }
            return null;
        }

        @Override
        public String exitReason() {
            Integer code = exitCode();
            return code == null ? "Unknown" : code == 0 ? "Completed" : "Error";
        }

        @Override
        public void stop(Duration grace) {
            if (!alive()) {
                return;
            }
            List<ProcessHandle> children = handle.descendants().toList();
            handle.destroy();
            waitExit(grace);
            if (alive()) {
                handle.destroyForcibly();
                waitExit(Duration.ofSeconds(5));
            }
            children.forEach(c -> {
                if (c.isAlive()) {
                    c.destroyForcibly();
                }
            });
        }

        private void waitExit(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (alive() && System.nanoTime() < deadline) {
                try {
                    if (process != null) {
                        process.waitFor(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)),
                                TimeUnit.MILLISECONDS);
                    } else {
                        Thread.sleep(50);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public void release() {}

        @Override
        public ObjectNode record() {
            return Js.object().put("pid", handle.pid()).put("startInstant", startInstant.toString())
                    .put("startedAt", startedAt.toString());
        }

        /** A process that exited but was not reaped (its parent is not us and does not wait) is gone for us. */
        private static boolean zombie(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                int close = stat.lastIndexOf(')');
                return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }
}
