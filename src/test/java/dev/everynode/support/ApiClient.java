package dev.everynode.support;

import dev.everynode.apimachinery.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A small real-HTTP client for tests: JSON or YAML in, the status code and parsed body out. */
public final class ApiClient {

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            return Json.MAPPER.readTree(body);
        }

        public ObjectNode object() {
            return (ObjectNode) json();
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private final String base;
    private final String token;
    private final HttpClient http;

    /** A client that authenticates as the test context's admin. */
    public ApiClient(String base) {
        this(base, IntegrationTest.ADMIN_TOKEN, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    private ApiClient(String base, String token, HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    /** The same server with another bearer token (null: none). */
    public ApiClient withToken(String other) {
        return new ApiClient(base, other, http);
    }

    public String base() {
        return base;
    }

    public Response get(String path) {
        return send("GET", path, null, null, null);
    }

    public Response get(String path, String accept) {
        return send("GET", path, null, null, accept);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body, "application/json", null);
    }

    public Response put(String path, Object body) {
        return send("PUT", path, body, "application/json", null);
    }

    public Response patch(String path, String contentType, Object body) {
        return send("PATCH", path, body, contentType, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null, null);
    }

    public Response delete(String path, Object body) {
        return send("DELETE", path, body, "application/json", null);
    }

    /** Sends any body: a String or byte[] as is, anything else as JSON. */
    public Response send(String method, String path, Object body, String contentType, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : body instanceof byte[] bytes ? HttpRequest.BodyPublishers.ofByteArray(bytes)
                : body instanceof String s ? HttpRequest.BodyPublishers.ofString(s, StandardCharsets.UTF_8)
                : HttpRequest.BodyPublishers.ofString(Json.write((JsonNode) body), StandardCharsets.UTF_8);
        request.method(method, publisher);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
