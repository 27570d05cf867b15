package dev.everynode.nodeagent;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The node-agent protocol (docs/agent-protocol.md; the requests come from {@link AgentProtocol}), blocking. Every
 * request carries a bearer token: the node's own credential when it has one, else {@code --token}. A registration
 * answered with an {@code Everynode-Node-Token} header (the server issues it for a bootstrap token) switches to that
 * credential and keeps it in {@code <state-dir>/node-token} for the next start; a 401 with the credential drops it,
 * so the agent registers again with {@code --token}.
 */
final class ControlPlaneClient {

    /** An answer; {@code retryAfterSeconds} is its Retry-After header (a 503 or 429 has one), 0 without. */
    record Response(int status, byte[] body, String etag, String nodeToken, long retryAfterSeconds) {
        Response(int status, byte[] body, String etag, String nodeToken) {
            this(status, body, etag, nodeToken, 0);
        }

        /** How long the server asked to wait before the same request, at least {@code min} (and at most 5 min). */
        Duration retryAfterAtLeast(Duration min) {
            Duration asked = Duration.ofSeconds(Math.min(300, Math.max(0, retryAfterSeconds)));
            return asked.compareTo(min) > 0 ? asked : min;
        }

        JsonNode json() {
            return body.length == 0 ? Js.object() : Js.parse(body);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String server;
    private final String node;
    private final String token;
    private final Path credentialFile;
    private volatile String credential;
    private volatile boolean credentialRejected;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ControlPlaneClient(String server, String node, String token, Path credentialFile) {
        this.server = server;
        this.node = node;
        this.token = token;
        this.credentialFile = credentialFile;
        try {
            if (credentialFile != null && Files.exists(credentialFile)) {
                String saved = Files.readString(credentialFile).strip();
                credential = saved.isEmpty() ? null : saved;
            }
        } catch (IOException e) {
            Log.info("cannot read %s: %s", credentialFile, e.getMessage());
        }
    }

    /** True once after the server refused the node credential: the caller registers again. */
    boolean takeCredentialRejected() {
        boolean was = credentialRejected;
        credentialRejected = false;
        return was;
    }

    boolean hasNodeCredential() {
        return credential != null;
    }

    Response register(ObjectNode nodeObject) throws IOException {
        Response r = send("POST", AgentProtocol.registerPath(), Js.bytes(nodeObject), null,
                Duration.ofSeconds(30));
        if ((r.status() == 200 || r.status() == 201) && r.nodeToken() != null && !r.nodeToken().isBlank()) {
            credential = r.nodeToken().strip();
            Log.info("received this node's own credential: using it from now on");
            if (credentialFile != null) {
                try {
                    Files.createDirectories(credentialFile.getParent());
                    Path tmp = credentialFile.resolveSibling(credentialFile.getFileName() + ".tmp");
                    Files.writeString(tmp, credential);
                    try {
                        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException e) {
                        // not a POSIX file system
                    }
                    Files.move(tmp, credentialFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    Log.info("cannot save the node credential in %s: %s", credentialFile, e.getMessage());
                }
            }
        }
        return r;
    }

    Response heartbeat() throws IOException {
        return send("PUT", AgentProtocol.heartbeatPath(node), null, null, Duration.ofSeconds(15));
    }

    /** Long-polls the node's assignments; 304 when nothing changed within {@code waitSeconds}. */
    Response assignments(String etag, int waitSeconds) throws IOException {
        return send("GET", AgentProtocol.assignmentsPath(node, waitSeconds), null, etag,
                AgentProtocol.longPollTimeout(waitSeconds));
    }

    /** {@code full}: every pod of the node, as the server asked after an unreachable spell ({@code "resync": true}). */
    Response reportStatuses(ArrayNode statuses, boolean full) throws IOException {
        ObjectNode body = Js.object();
        body.set("statuses", statuses);
        if (full) {
            body.put("resync", true);
        }
        return send("POST", AgentProtocol.podStatusesPath(node), Js.bytes(body), null, Duration.ofSeconds(30));
    }

    Response confirm(String namespace, String name) throws IOException {
        return send("DELETE", AgentProtocol.confirmPath(node, namespace, name), null, null, Duration.ofSeconds(30));
    }

    private Response send(String method, String path, byte[] body, String ifNoneMatch, Duration timeout)
            throws IOException {
        String bearer = credential != null ? credential : token;
        HttpRequest.Builder request = AgentProtocol.request(server, method, path, body, bearer, timeout)
                .header("User-Agent", HostInfo.VERSION);
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 401 && credential != null && credential.equals(bearer)) {
                Log.info("the control plane refused this node's credential: registering again with --token");
                credential = null;
                credentialRejected = true;
                if (credentialFile != null) {
                    Files.deleteIfExists(credentialFile);
                }
            }
            // without one, or with an HTTP date, the back-off alone decides
            long retryAfter = AgentProtocol.retryAfterSeconds(response.headers()).orElse(0);
            return new Response(response.statusCode(), response.body() == null ? new byte[0] : response.body(),
                    response.headers().firstValue("ETag").orElse(null),
                    response.headers().firstValue(AgentProtocol.NODE_TOKEN_HEADER).orElse(null), retryAfter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
