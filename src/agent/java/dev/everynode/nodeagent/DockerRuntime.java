package dev.everynode.nodeagent;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Containers in Docker, through the Engine API (1.41, negotiated: see {@link #api()}) on its unix socket: pull
 * (imagePullPolicy), create with labels {@code everynode.pod.uid/namespace/name}, {@code everynode.container},
 * {@code everynode.node}, {@code everynode.restart-count}, env, hostPath binds, ports (hostPort published), host
 * network; start; inspect for the state; stop with the
 * grace period; remove. k8s command → Entrypoint, args → Cmd. Each container has its own network namespace
 * (there is no pause container): the pod IP is the first container's IP, or the host IP with hostNetwork.
 */
final class DockerRuntime implements ContainerRuntime {

    /** The API version the agent is written against; used unless the engine's range excludes it. */
    static final String PREFERRED_API = "1.41";
    private final UnixHttp http;
    private final String node;
    private volatile String api;

    DockerRuntime(Path socket, String node) {
        this.http = new UnixHttp(socket);
        this.node = node;
    }

    /**
     * The path prefix {@code /v<version>}: 1.41, or the engine's own version when it is older, or its minimum when
     * it no longer accepts 1.41 (Docker 29 refuses anything below 1.44). Asked once with the unversioned
     * {@code GET /version}; 1.41 while the engine does not answer.
     */
    String api() {
        String known = api;
        if (known != null) {
            return known;
        }
        try {
            UnixHttp.Response r = http.request("GET", "/version", null, Duration.ofSeconds(5));
            if (r.status() == 200) {
                JsonNode v = Js.parse(r.body());
                known = "/v" + negotiate(v.path("ApiVersion").asString(""), v.path("MinAPIVersion").asString(""));
                api = known;
                return known;
            }
        } catch (IOException | RuntimeException e) {
            // not answering yet: ask again next time
        }
        return "/v" + PREFERRED_API;
    }

    static String negotiate(String engineMax, String engineMin) {
        if (!engineMax.isEmpty() && compare(engineMax, PREFERRED_API) < 0) {
            return engineMax;
        }
        if (!engineMin.isEmpty() && compare(engineMin, PREFERRED_API) > 0) {
            return engineMin;
        }
        return PREFERRED_API;
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int d = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    @Override
    public String version() {
        try {
            UnixHttp.Response r = http.request("GET", api() + "/version", null, Duration.ofSeconds(5));
            return "docker://" + Js.parse(r.body()).path("Version").asString("unknown");
        } catch (IOException | RuntimeException e) {
            Log.info("docker engine not answering on its socket: %s", e.getMessage());
            return "docker://unknown";
        }
    }

    @Override
    public Handle start(PodInfo pod, JsonNode container, Map<String, String> env, List<String> command,
                        List<String> args, int restartCount) throws ConfigError {
        String name = container.path("name").asString("");
        String image = container.path("image").asString("");
        if (image.isEmpty()) {
            throw new ConfigError("InvalidImageName", "container \"" + name + "\" has no image");
        }
        ObjectNode create = Js.object().put("Image", image);
        if (!command.isEmpty()) {
            strings(create.putArray("Entrypoint"), command);
            strings(create.putArray("Cmd"), args);
        } else if (!args.isEmpty()) {
            strings(create.putArray("Cmd"), args);
        }
        ArrayNode envArray = create.putArray("Env");
        env.forEach((k, v) -> envArray.add(k + "=" + v));
        if (Js.str(container, "workingDir") != null) {
            create.put("WorkingDir", Js.str(container, "workingDir"));
        }
        ObjectNode labels = create.putObject("Labels");
        labels.put("everynode.pod.uid", pod.uid()).put("everynode.pod.namespace", pod.namespace())
                .put("everynode.pod.name", pod.name()).put("everynode.container", name)
                .put("everynode.node", node).put("everynode.restart-count", String.valueOf(restartCount));
        ObjectNode host = create.putObject("HostConfig");
        ArrayNode binds = host.putArray("Binds");
        for (JsonNode mount : container.path("volumeMounts")) {
            String volumeName = mount.path("name").asString("");
            JsonNode volume = ContainerConfig.volume(pod.spec(), volumeName);
            String hostPath = volume == null ? null : Js.str(volume, "hostPath", "path");
            if (hostPath == null) {
                throw new ConfigError("CreateContainerConfigError", "volumeMount " + volumeName
                        + ": only hostPath volumes are supported by everynode-agent");
            }
            binds.add(hostPath + ":" + mount.path("mountPath").asString("")
                    + (mount.path("readOnly").asBoolean(false) ? ":ro" : ""));
        }
        if (pod.hostNetwork()) {
            host.put("NetworkMode", "host");
        } else {
            ports(container, create, host);
        }
        if (container.path("securityContext").path("privileged").asBoolean(false)) {
            host.put("Privileged", true);
        }
        pull(image, container.path("imagePullPolicy").asString(image.contains(":") && !image.endsWith(":latest")
                ? "IfNotPresent" : "Always"));
        String containerName = ("everynode_" + pod.namespace() + "_" + pod.name() + "_" + name + "_"
                + pod.uid().substring(0, Math.min(8, pod.uid().length())) + "_" + restartCount)
                .replaceAll("[^a-zA-Z0-9_.-]", "_");
        try {
            UnixHttp.Response r = post("/containers/create?name=" + enc(containerName), create, Duration.ofSeconds(60));
            if (r.status() == 409) {
                http.request("DELETE", api() + "/containers/" + enc(containerName) + "?force=true", null, Duration.ofSeconds(30));
                r = post("/containers/create?name=" + enc(containerName), create, Duration.ofSeconds(60));
            }
            if (r.status() != 201) {
                throw new ConfigError("CreateContainerError", "docker create: HTTP " + r.status() + " " + message(r));
            }
            String id = Js.parse(r.body()).path("Id").asString();
            UnixHttp.Response s = http.request("POST", api() + "/containers/" + id + "/start", null, Duration.ofSeconds(60));
            if (s.status() != 204 && s.status() != 304) {
                http.request("DELETE", api() + "/containers/" + id + "?force=true", null, Duration.ofSeconds(30));
                throw new ConfigError("StartError", "docker start: HTTP " + s.status() + " " + message(s), true);
            }
            DockerHandle h = new DockerHandle(id);
            h.refresh(true);
            return h;
        } catch (IOException e) {
            throw new ConfigError("CreateContainerError", "docker engine: " + e.getMessage());
        }
    }

    /** ports[]: each containerPort exposed; a hostPort published on the node (hostIP, default all addresses). */
    private static void ports(JsonNode container, ObjectNode create, ObjectNode host) {
        ObjectNode exposed = null;
        ObjectNode bindings = null;
        for (JsonNode p : container.path("ports")) {
            int port = p.path("containerPort").asInt(0);
            if (port <= 0) {
                continue;
            }
            String key = port + "/" + p.path("protocol").asString("TCP").toLowerCase(java.util.Locale.ROOT);
            if (exposed == null) {
                exposed = create.putObject("ExposedPorts");
                bindings = host.putObject("PortBindings");
            }
            exposed.putObject(key);
            int hostPort = p.path("hostPort").asInt(0);
            if (hostPort > 0) {
                bindings.putArray(key).addObject().put("HostIp", p.path("hostIP").asString(""))
                        .put("HostPort", String.valueOf(hostPort));
            }
        }
    }

    private void pull(String image, String policy) throws ConfigError {
        try {
            boolean present = http.request("GET", api() + "/images/" + image.replaceAll("[^A-Za-z0-9._:/@-]", "") + "/json", null,
                    Duration.ofSeconds(30)).status() == 200;
            if ("Never".equals(policy)) {
                if (!present) {
                    throw new ConfigError("ErrImageNeverPull", "image " + image + " is not present with pull policy Never");
                }
                return;
            }
            if (present && "IfNotPresent".equals(policy)) {
                return;
            }
            String repo = image;
            String tag = "latest";
            int at = image.indexOf('@');
            int colon = image.lastIndexOf(':');
            if (at > 0) {
                repo = image.substring(0, at);
                tag = image.substring(at + 1);
            } else if (colon > image.lastIndexOf('/')) {
                repo = image.substring(0, colon);
                tag = image.substring(colon + 1);
            }
            Log.info("pulling image %s", image);
            UnixHttp.Response r = http.request("POST", api() + "/images/create?fromImage=" + enc(repo) + "&tag=" + enc(tag),
                    null, Duration.ofMinutes(10));
            String text = r.text();
            if (r.status() != 200 || text.contains("\"error\"")) {
                throw new ConfigError("ErrImagePull", "pull " + image + ": HTTP " + r.status() + " "
                        + (text.length() > 300 ? text.substring(text.length() - 300) : text).strip());
            }
        } catch (IOException e) {
            throw new ConfigError("ErrImagePull", "pull " + image + ": " + e.getMessage());
        }
    }

    @Override
    public Handle adopt(PodInfo pod, String container, ObjectNode record) {
        try {
            List<JsonNode> found = list("everynode.pod.uid=" + pod.uid(), "everynode.container=" + container);
            found.sort(Comparator.comparingLong((JsonNode c) -> c.path("Created").asLong(0)).reversed());
            DockerHandle adopted = null;
            for (JsonNode c : found) {
                String id = c.path("Id").asString();
                boolean running = "running".equals(Js.str(c, "State"));
                if (running && adopted == null) {
                    adopted = new DockerHandle(id);
                    adopted.refresh(true);
                } else {
                    Log.info("removing duplicate or exited container %s of %s/%s", shortId(id), pod.name(), container);
                    remove(id, Duration.ofSeconds(10));
                }
            }
            return adopted;
        } catch (IOException | RuntimeException e) {
            Log.info("cannot list containers for adoption: %s", e.getMessage());
            return null;
        }
    }

    @Override
    public void cleanup(Set<String> knownUids) {
        try {
            for (JsonNode c : list("everynode.node=" + node)) {
                String uid = c.path("Labels").path("everynode.pod.uid").asString("");
                if (!knownUids.contains(uid)) {
                    String id = c.path("Id").asString();
                    Log.info("removing container %s of pod %s/%s: not assigned to this node", shortId(id),
                            c.path("Labels").path("everynode.pod.namespace").asString(""),
                            c.path("Labels").path("everynode.pod.name").asString(""));
                    remove(id, Duration.ofSeconds(10));
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.info("cannot clean up unknown containers: %s", e.getMessage());
        }
    }

    private List<JsonNode> list(String... labelFilters) throws IOException {
        ObjectNode filters = Js.object();
        ArrayNode labels = filters.putArray("label");
        for (String f : labelFilters) {
            labels.add(f);
        }
        UnixHttp.Response r = http.request("GET", api() + "/containers/json?all=true&filters=" + enc(Js.write(filters)),
                null, Duration.ofSeconds(30));
        if (r.status() != 200) {
            throw new IOException("docker list: HTTP " + r.status());
        }
        List<JsonNode> out = new ArrayList<>();
        Js.parse(r.body()).forEach(out::add);
        return out;
    }

    private void remove(String id, Duration grace) {
        try {
            http.request("POST", api() + "/containers/" + id + "/stop?t=" + grace.toSeconds(), null, grace.plusSeconds(30));
            http.request("DELETE", api() + "/containers/" + id + "?force=true", null, Duration.ofSeconds(30));
        } catch (IOException e) {
            Log.info("cannot remove container %s: %s", shortId(id), e.getMessage());
        }
    }

    @Override
    public int exec(Handle handle, List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        String id = ((DockerHandle) handle).id;
        ObjectNode create = Js.object().put("AttachStdout", false).put("AttachStderr", false);
        strings(create.putArray("Cmd"), command);
        UnixHttp.Response r = post("/containers/" + id + "/exec", create, timeout.plusSeconds(5));
        if (r.status() != 201) {
            throw new IOException("docker exec create: HTTP " + r.status());
        }
        String execId = Js.parse(r.body()).path("Id").asString();
        post("/exec/" + execId + "/start", Js.object().put("Detach", true), timeout.plusSeconds(5));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode state = Js.parse(http.request("GET", api() + "/exec/" + execId + "/json", null, timeout).body());
            if (!state.path("Running").asBoolean(true)) {
                return state.path("ExitCode").asInt(-1);
            }
            Thread.sleep(100);
        }
        return -1;
    }

    @Override
    public String podIp(PodInfo pod, Handle handle) {
        if (pod.hostNetwork() || handle == null) {
            return pod.hostIp();
        }
        String ip = ((DockerHandle) handle).ip;
        return ip == null || ip.isEmpty() ? pod.hostIp() : ip;
    }

    private UnixHttp.Response post(String path, JsonNode body, Duration timeout) throws IOException {
        return http.request("POST", api() + path, Js.bytes(body), timeout);
    }

    private static String message(UnixHttp.Response r) {
        try {
            return Js.parse(r.body()).path("message").asString(r.text());
        } catch (RuntimeException e) {
            return r.text();
        }
    }

    private static void strings(ArrayNode array, List<String> items) {
        items.forEach(array::add);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** A Docker container; its inspected state is cached for a second. */
    final class DockerHandle implements Handle {
        final String id;
        private volatile JsonNode state = Js.object();
        private volatile String imageId = "";
        private volatile String ip;
        private volatile long inspectedAt;
        private volatile boolean gone;

        DockerHandle(String id) {
            this.id = id;
        }

        void refresh(boolean force) {
            if (!force && System.nanoTime() - inspectedAt < 1_000_000_000L) {
                return;
            }
            try {
                UnixHttp.Response r = http.request("GET", api() + "/containers/" + id + "/json", null, Duration.ofSeconds(10));
                inspectedAt = System.nanoTime();
                if (r.status() == 404) {
                    gone = true;
                    return;
                }
                if (r.status() == 200) {
                    JsonNode c = Js.parse(r.body());
                    state = c.path("State");
                    imageId = c.path("Image").asString("");
                    JsonNode net = c.path("NetworkSettings");
                    ip = net.path("IPAddress").asString("");
                    if (ip.isEmpty()) {
                        for (JsonNode n : net.path("Networks")) {
                            if (!n.path("IPAddress").asString("").isEmpty()) {
                                ip = n.path("IPAddress").asString();
                                break;
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the engine is away: keep the last known state
            }
        }

        @Override
        public String containerId() {
            return "docker://" + id;
        }

        @Override
        public String imageId() {
            return imageId;
        }

        @Override
        public Instant startedAt() {
            try {
                return Instant.parse(state.path("StartedAt").asString(""));
            } catch (RuntimeException e) {
                return Instant.now();
            }
        }

        @Override
        public boolean alive() {
            refresh(false);
            return !gone && state.path("Running").asBoolean(false);
        }

        @Override
        public Integer exitCode() {
            return gone ? null : state.path("ExitCode").asInt(0);
        }

        @Override
        public String exitReason() {
            if (gone) {
                return "ContainerStatusUnknown";
            }
            if (state.path("OOMKilled").asBoolean(false)) {
                return "OOMKilled";
            }
            return state.path("ExitCode").asInt(0) == 0 ? "Completed" : "Error";
        }

        @Override
        public void stop(Duration grace) {
            try {
                http.request("POST", api() + "/containers/" + id + "/stop?t=" + grace.toSeconds(), null,
                        grace.plusSeconds(30));
            } catch (IOException e) {
                Log.info("docker stop %s: %s", shortId(id), e.getMessage());
            }
            refresh(true);
        }

        @Override
        public void release() {
            try {
                http.request("DELETE", api() + "/containers/" + id + "?force=true", null, Duration.ofSeconds(30));
            } catch (IOException e) {
                Log.info("docker remove %s: %s", shortId(id), e.getMessage());
            }
        }

        @Override
        public ObjectNode record() {
            return Js.object().put("id", id);
        }
    }
}
