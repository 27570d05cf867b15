package dev.everynode.nodeagent;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The agent protocol's requests (docs/agent-protocol.md), one definition for its clients: the node agent
 * ({@link ControlPlaneClient}, blocking) and the fleet simulator (asynchronous, thousands of nodes). Paths, the
 * headers every request carries, the long-poll's time-out and the Retry-After header; each caller sends and
 * decides. Plain java.net.http, nothing of the server.
 */
public final class AgentProtocol {

    /** The header of a registration's answer that carries the node's own credential. */
    public static final String NODE_TOKEN_HEADER = "Everynode-Node-Token";

    private AgentProtocol() {}

    public static String registerPath() {
        return "/agent/v1/nodes";
    }

    public static String heartbeatPath(String node) {
        return nodePath(node) + "/heartbeat";
    }

    /** The long-poll of a node's assignments; 304 when nothing changed within {@code waitSeconds}. */
    public static String assignmentsPath(String node, int waitSeconds) {
        return nodePath(node) + "/assignments?waitSeconds=" + waitSeconds;
    }

    public static String podStatusesPath(String node) {
        return nodePath(node) + "/pod-statuses";
    }

    /** Confirms that a pod being deleted has stopped on the node. */
    public static String confirmPath(String node, String namespace, String name) {
        return nodePath(node) + "/pods/" + enc(namespace) + "/" + enc(name);
    }

    /** How long a long-poll of {@code waitSeconds} may take: the server adds up to 1/16 jitter, plus 15 s. */
    public static Duration longPollTimeout(int waitSeconds) {
        return Duration.ofSeconds(waitSeconds + waitSeconds / 16 + 15);
    }

    /**
     * A request to {@code server + path} accepting JSON, with the bearer token when there is one, and with the
     * body (JSON) when there is one.
     */
    public static HttpRequest.Builder request(String server, String method, String path, byte[] jsonBody,
                                              String bearer, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + path)).timeout(timeout)
                .header("Accept", "application/json");
        if (bearer != null && !bearer.isEmpty()) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofByteArray(jsonBody));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return request;
    }

    /** The answer's Retry-After in seconds (a 503 or 429 has one); empty without one or with an HTTP date. */
    public static OptionalLong retryAfterSeconds(HttpHeaders headers) {
        var value = headers.firstValue("Retry-After");
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String nodePath(String node) {
        return "/agent/v1/nodes/" + enc(node);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
