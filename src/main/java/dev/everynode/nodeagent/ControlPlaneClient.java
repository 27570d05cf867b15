package dev.everynode.nodeagent;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The node-agent protocol (docs/agent-protocol.md) over java.net.http; every request carries the token. */
final class ControlPlaneClient {

    record Response(int status, byte[] body, String etag) {
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
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ControlPlaneClient(String server, String node, String token) {
        this.server = server;
        this.node = node;
        this.token = token;
    }

    Response register(ObjectNode nodeObject) throws IOException {
        return send("POST", "/agent/v1/nodes", Js.bytes(nodeObject), null, Duration.ofSeconds(30));
    }

    Response heartbeat() throws IOException {
        return send("PUT", "/agent/v1/nodes/" + enc(node) + "/heartbeat", null, null, Duration.ofSeconds(15));
    }

    /** Long-polls the node's assignments; 304 when nothing changed within {@code waitSeconds}. */
    Response assignments(String etag, int waitSeconds) throws IOException {
        return send("GET", "/agent/v1/nodes/" + enc(node) + "/assignments?waitSeconds=" + waitSeconds, null, etag,
                Duration.ofSeconds(waitSeconds + waitSeconds / 16 + 15));
    }

    Response reportStatuses(ArrayNode statuses) throws IOException {
        ObjectNode body = Js.object();
        body.set("statuses", statuses);
        return send("POST", "/agent/v1/nodes/" + enc(node) + "/pod-statuses", Js.bytes(body), null,
                Duration.ofSeconds(30));
    }

    Response confirm(String namespace, String name) throws IOException {
        return send("DELETE", "/agent/v1/nodes/" + enc(node) + "/pods/" + enc(namespace) + "/" + enc(name), null,
                null, Duration.ofSeconds(30));
    }

    private Response send(String method, String path, byte[] body, String ifNoneMatch, Duration timeout)
            throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + path)).timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", HostInfo.VERSION);
        if (token != null && !token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.body() == null ? new byte[0] : response.body(),
                    response.headers().firstValue("ETag").orElse(null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
