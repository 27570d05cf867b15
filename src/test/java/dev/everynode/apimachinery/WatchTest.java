package dev.everynode.apimachinery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Watch streams: headers and every event leave the server at once, not when a buffer fills. */
class WatchTest extends IntegrationTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void initialEventsArriveAtOnceAndChangesFollowWithinASecond() throws Exception {
        try (BufferedReader stream = open("/api/v1/namespaces?watch=true&resourceVersion=0")) {
            JsonNode first = line(stream);
            assertThat(first.path("type").asString()).isEqualTo("ADDED");
            assertThat(first.path("object").path("kind").asString()).isEqualTo("Namespace");
        }
        String rv = api.get("/api/v1/nodes").json().path("metadata").path("resourceVersion").asString();
        try (BufferedReader stream = open("/api/v1/nodes?watch=true&resourceVersion=" + rv)) {
            assertThat(api.post("/api/v1/nodes", Fixtures.node("watched")).status()).isEqualTo(201);
            JsonNode added = line(stream);
            assertThat(added.path("type").asString()).isEqualTo("ADDED");
            assertThat(added.path("object").path("metadata").path("name").asString()).isEqualTo("watched");
            assertThat(api.delete("/api/v1/nodes/watched").status()).isEqualTo(200);
            JsonNode deleted = line(stream);
            assertThat(deleted.path("type").asString()).isEqualTo("DELETED");
            assertThat(deleted.path("object").path("kind").asString()).isEqualTo("Node");
        }
    }

    @Test
    void aTooOldResourceVersionIs410Expired() throws Exception {
        jdbc.update("UPDATE watch_horizon SET pruned = GREATEST(pruned, 5) WHERE id = 1");
        try (BufferedReader stream = open("/api/v1/nodes?watch=true&resourceVersion=1")) {
            JsonNode error = line(stream);
            assertThat(error.path("type").asString()).isEqualTo("ERROR");
            assertThat(error.path("object").path("code").asInt()).isEqualTo(410);
            assertThat(error.path("object").path("reason").asString()).isEqualTo("Expired");
        }
    }

    private BufferedReader open(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build();
        HttpResponse<java.io.InputStream> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .get(2, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    /** The next event, which must arrive within a second. */
    private static JsonNode line(BufferedReader stream) throws Exception {
        String text = CompletableFuture.supplyAsync(() -> {
            try {
                return stream.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(Duration.ofSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
        return Json.MAPPER.readTree(text);
    }
}
