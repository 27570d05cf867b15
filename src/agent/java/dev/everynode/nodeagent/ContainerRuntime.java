package dev.everynode.nodeagent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Where containers run: local processes or Docker. */
interface ContainerRuntime {

    /** What a runtime knows of a pod. */
    record PodInfo(String namespace, String name, String uid, JsonNode spec, String node, String hostIp,
                   Path logDir) {
        boolean hostNetwork() {
            return spec.path("hostNetwork").asBoolean(false);
        }
    }

    /** A started (or adopted) container. */
    interface Handle {
        /** {@code process://<pid>} or {@code docker://<id>}. */
        String containerId();

        String imageId();

        Instant startedAt();

        boolean alive();

        /** The exit code once it has exited, null when unknown (an adopted process that is not our child). */
        Integer exitCode();

        /** Completed, Error, OOMKilled... */
        String exitReason();

        /** SIGTERM (or the engine's stop), SIGKILL after {@code grace}; returns when it has exited. */
        void stop(Duration grace);

        /** After its exit has been recorded: free what is left (a Docker container is removed). */
        void release();

        /** What the state file keeps to adopt it after an agent restart. */
        ObjectNode record();
    }

    /** e.g. {@code process://17.0.15} or {@code docker://27.3.1}, for nodeInfo.containerRuntimeVersion. */
    String version();

    /**
     * Starts a container with its final command line (command and args with $(VAR) expanded), or throws a
     * ConfigError the pod status reports.
     */
    Handle start(PodInfo pod, JsonNode container, Map<String, String> env, List<String> command, List<String> args,
                 int restartCount) throws ConfigError;

    /** The container started before an agent restart, if it still runs as recorded; else null. */
    Handle adopt(PodInfo pod, String container, ObjectNode record);

    /** Runs an exec probe's command in (process: next to) the container; its exit code. */
    int exec(Handle handle, List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException;

    /** The pod IP: the host IP for processes and host-network pods. */
    String podIp(PodInfo pod, Handle handle);

    /** After the first assignments: stop and remove what this runtime runs for pods not in {@code known}. */
    default void cleanup(Set<String> knownUids) {}
}
