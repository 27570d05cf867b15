package dev.everynode.nodeagent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A simulated Docker Engine API (the subset the agent uses) on a unix socket, answering like dockerd v27 does
 * (any {@code /vX.Y} prefix; below {@code minApiVersion} refused as Docker 29 refuses 1.41):
 * version, image inspect/pull (a chunked progress stream), container create/start/inspect/stop/delete/list with
 * label filters, exec create/start/inspect. Records every request.
 */
final class FakeDockerEngine implements AutoCloseable {

    record Request(String method, String path, String body) {}

    static final class Container {
        final String id;
        final String name;
        final JsonNode create;
        volatile boolean running;
        volatile int exitCode;
        volatile Instant startedAt;
        final long created = System.nanoTime();

        Container(String id, String name, JsonNode create) {
            this.id = id;
            this.name = name;
            this.create = create;
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Map<String, Container> containers = new ConcurrentHashMap<>();
    final Map<String, Boolean> images = new ConcurrentHashMap<>();
    volatile boolean failPulls;
    /** What the unversioned {@code GET /version} answers; requests below {@code minApiVersion} are refused. */
    volatile String apiVersion = "1.47";
    volatile String minApiVersion = "1.24";
    volatile int execExitCode;
    private final AtomicInteger ids = new AtomicInteger();
    private final ServerSocketChannel server;
    private final Path socket;
    private final Thread thread;

    FakeDockerEngine(Path socket) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "fake-dockerd");
        thread.setDaemon(true);
        thread.start();
    }

    /** A container as if an earlier agent had created it. */
    Container add(String name, Map<String, String> labels, boolean running) {
        ObjectNode create = Js.object().put("Image", "busybox");
        ObjectNode l = create.putObject("Labels");
        labels.forEach(l::put);
        Container c = new Container(newId(), name, create);
        c.running = running;
        c.startedAt = Instant.now();
        containers.put(c.id, c);
        return c;
    }

    List<Request> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    private String newId() {
        return String.format("%064x", ids.incrementAndGet() + 0xabc000L);
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                handle(ch);
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    private void handle(SocketChannel ch) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        int headEnd = -1;
        int length = 0;
        while (true) {
            if (ch.read(buf) < 0) {
                break;
            }
            in.write(buf.array(), 0, buf.position());
            buf.clear();
            String text = in.toString(StandardCharsets.ISO_8859_1);
            if (headEnd < 0 && (headEnd = text.indexOf("\r\n\r\n")) >= 0) {
                for (String line : text.substring(0, headEnd).split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
            }
            if (headEnd >= 0 && in.size() >= headEnd + 4 + length) {
                break;
            }
        }
        String text = in.toString(StandardCharsets.UTF_8);
        String[] first = text.substring(0, text.indexOf("\r\n")).split(" ");
        String body = text.substring(headEnd + 4);
        requests.add(new Request(first[0], first[1], body));
        respond(ch, first[0], first[1], body);
    }

    private void respond(SocketChannel ch, String method, String target, String body) throws IOException {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        String query = target.contains("?") ? URLDecoder.decode(target.substring(target.indexOf('?') + 1), StandardCharsets.UTF_8) : "";
        String version = "";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^/v(\\d+\\.\\d+)(/.*)$").matcher(path);
        if (m.matches()) {
            version = m.group(1);
            path = "/v1.41" + m.group(2); // one routing table for every version
        }
        String[] p = path.split("/");
        // p[0] = "", p[1] = "v1.41"
        if (!version.isEmpty() && DockerRuntime.compare(version, minApiVersion) < 0) {
            json(ch, 400, "{\"message\":\"client version " + version + " is too old. Minimum supported API version is "
                    + minApiVersion + ", please upgrade your client to a newer version\"}");
        } else if (path.equals("/version") || path.equals("/v1.41/version")) {
            json(ch, 200, "{\"Version\":\"27.3.1\",\"ApiVersion\":\"" + apiVersion + "\",\"MinAPIVersion\":\""
                    + minApiVersion + "\",\"Os\":\"linux\"}");
        } else if (method.equals("GET") && path.startsWith("/v1.41/images/") && path.endsWith("/json")) {
            String image = URLDecoder.decode(path.substring(14, path.length() - 5), StandardCharsets.UTF_8);
            if (images.containsKey(image)) {
                json(ch, 200, "{\"Id\":\"sha256:1234\"}");
            } else {
                json(ch, 404, "{\"message\":\"No such image: " + image + "\"}");
            }
        } else if (method.equals("POST") && path.equals("/v1.41/images/create")) {
            if (failPulls) {
                chunked(ch, "{\"status\":\"Pulling from library/x\"}\r\n",
                        "{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\r\n");
                return;
            }
            String from = query.replaceAll(".*fromImage=([^&]*).*", "$1");
            String tag = query.replaceAll(".*tag=([^&]*).*", "$1");
            images.put(from + ":" + tag, true);
            images.put(from, true);
            chunked(ch, "{\"status\":\"Pulling from library/" + from + "\",\"id\":\"" + tag + "\"}\r\n",
                    "{\"status\":\"Digest: sha256:feed\"}\r\n",
                    "{\"status\":\"Status: Downloaded newer image for " + from + ":" + tag + "\"}\r\n");
        } else if (method.equals("POST") && path.equals("/v1.41/containers/create")) {
            String name = query.replaceAll(".*name=([^&]*).*", "$1");
            if (containers.values().stream().anyMatch(c -> c.name.equals(name))) {
                json(ch, 409, "{\"message\":\"Conflict. The container name is already in use\"}");
                return;
            }
            Container c = new Container(newId(), name, Js.parse(body));
            containers.put(c.id, c);
            json(ch, 201, "{\"Id\":\"" + c.id + "\",\"Warnings\":[]}");
        } else if (method.equals("GET") && path.equals("/v1.41/containers/json")) {
            JsonNode filters = Js.parse(query.substring(query.indexOf("filters=") + 8));
            ArrayNode out = Js.MAPPER.createArrayNode();
            for (Container c : containers.values()) {
                boolean match = true;
                for (JsonNode f : filters.path("label")) {
                    String[] kv = f.asString().split("=", 2);
                    match &= kv[1].equals(c.create.path("Labels").path(kv[0]).asString(null));
                }
                if (match) {
                    ObjectNode o = out.addObject().put("Id", c.id).put("State", c.running ? "running" : "exited")
                            .put("Created", c.created);
                    o.putArray("Names").add("/" + c.name);
                    o.set("Labels", c.create.path("Labels"));
                }
            }
            json(ch, 200, Js.write(out));
        } else if (p.length >= 4 && p[2].equals("containers")) {
            Container c = containers.get(p[3]);
            if (c == null) {
                c = containers.values().stream().filter(x -> x.name.equals(p[3])).findFirst().orElse(null);
            }
            if (c == null) {
                json(ch, 404, "{\"message\":\"No such container: " + p[3] + "\"}");
                return;
            }
            String action = p.length > 4 ? p[4] : "";
            switch (method + " " + action) {
                case "POST start" -> {
                    c.running = true;
                    c.startedAt = Instant.now();
                    empty(ch, 204);
                }
                case "POST stop" -> {
                    boolean was = c.running;
                    c.running = false;
                    c.exitCode = 143;
                    empty(ch, was ? 204 : 304);
                }
                case "DELETE " -> {
                    containers.remove(c.id);
                    empty(ch, 204);
                }
                case "GET json" -> {
                    ObjectNode o = Js.object().put("Id", c.id).put("Name", "/" + c.name).put("Image", "sha256:1234");
                    o.putObject("State").put("Status", c.running ? "running" : "exited").put("Running", c.running)
                            .put("ExitCode", c.exitCode).put("OOMKilled", false)
                            .put("StartedAt", String.valueOf(c.startedAt)).put("FinishedAt", "0001-01-01T00:00:00Z");
                    o.set("Config", c.create);
                    boolean host = "host".equals(c.create.path("HostConfig").path("NetworkMode").asString(""));
                    o.putObject("NetworkSettings").put("IPAddress", host ? "" : "172.17.0.5");
                    json(ch, 200, Js.write(o));
                }
                case "POST exec" -> json(ch, 201, "{\"Id\":\"exec-" + c.id.substring(56) + "\"}");
                default -> json(ch, 404, "{\"message\":\"page not found\"}");
            }
        } else if (p.length >= 5 && p[2].equals("exec")) {
            if (p[4].equals("start")) {
                empty(ch, 200);
            } else {
                json(ch, 200, "{\"Running\":false,\"ExitCode\":" + execExitCode + "}");
            }
        } else {
            json(ch, 404, "{\"message\":\"page not found\"}");
        }
    }

    private static void json(SocketChannel ch, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        write(ch, ("HTTP/1.1 " + status + " X\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\nContent-Length: "
                + b.length + "\r\nServer: Docker/27.3.1 (linux)\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        write(ch, b);
    }

    private static void empty(SocketChannel ch, int status) throws IOException {
        write(ch, ("HTTP/1.1 " + status + " X\r\nApi-Version: 1.47\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void chunked(SocketChannel ch, String... chunks) throws IOException {
        StringBuilder s = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (String c : chunks) {
            s.append(Integer.toHexString(c.getBytes(StandardCharsets.UTF_8).length)).append("\r\n").append(c).append("\r\n");
        }
        s.append("0\r\n\r\n");
        write(ch, s.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void write(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
