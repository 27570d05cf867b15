package dev.everynode.apimachinery.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
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

/**
 * Watch streams: headers and every event leave the server at once, not when a buffer fills; with a selector, an
 * object entering or leaving the selection is ADDED or DELETED, as Kubernetes' watch cache reports it.
 */
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

    @Test
    void anObjectLeavingALabelSelectionIsDeletedAndOneEnteringItIsAdded() throws Exception {
        String rv = api.get("/api/v1/nodes").json().path("metadata").path("resourceVersion").asString();
        try (BufferedReader stream = open("/api/v1/nodes?watch=true&labelSelector=disk%3Dssd&resourceVersion=" + rv)) {
            assertThat(api.post("/api/v1/nodes", Fixtures.node("plain")).status()).isEqualTo(201);
            assertThat(api.post("/api/v1/nodes", Fixtures.node("moving")).status()).isEqualTo(201);
            label("moving", "\"ssd\"");
            JsonNode entered = line(stream);
            assertThat(entered.path("type").asString()).isEqualTo("ADDED");
            assertThat(entered.path("object").path("metadata").path("name").asString()).isEqualTo("moving");
            patch("moving", "{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}");
            JsonNode modified = line(stream);
            assertThat(modified.path("type").asString()).isEqualTo("MODIFIED");
            label("moving", "null");
            JsonNode left = line(stream);
            assertThat(left.path("type").asString()).isEqualTo("DELETED");
            assertThat(left.path("object").path("metadata").path("name").asString()).isEqualTo("moving");
            // the object as it was while selected, at the version of the change that took it out
            assertThat(left.path("object").path("metadata").path("labels").path("disk").asString()).isEqualTo("ssd");
            assertThat(Long.parseLong(left.path("object").path("metadata").path("resourceVersion").asString()))
                    .isGreaterThan(Long.parseLong(modified.path("object").path("metadata").path("resourceVersion")
                            .asString()));
            // outside before and after: nothing; then the plain node enters
            assertThat(api.delete("/api/v1/nodes/moving").status()).isEqualTo(200);
            label("plain", "\"ssd\"");
            JsonNode next = line(stream);
            assertThat(next.path("type").asString()).isEqualTo("ADDED");
            assertThat(next.path("object").path("metadata").path("name").asString()).isEqualTo("plain");
        }
    }

    @Test
    void anObjectLeavingAFieldSelectionIsDeletedAndOneEnteringItIsAdded() throws Exception {
        assertThat(api.post("/api/v1/nodes", Fixtures.node("cordoned")).status()).isEqualTo(201);
        String rv = api.get("/api/v1/nodes").json().path("metadata").path("resourceVersion").asString();
        try (BufferedReader stream = open("/api/v1/nodes?watch=true&fieldSelector=spec.unschedulable%3Dtrue"
                + "&resourceVersion=" + rv)) {
            patch("cordoned", "{\"spec\":{\"unschedulable\":true}}");
            assertThat(line(stream).path("type").asString()).isEqualTo("ADDED");
            patch("cordoned", "{\"spec\":{\"unschedulable\":null}}");
            JsonNode left = line(stream);
            assertThat(left.path("type").asString()).isEqualTo("DELETED");
            assertThat(left.path("object").path("spec").path("unschedulable").asBoolean()).isTrue();
        }
    }

    private void label(String node, String diskValue) {
        patch(node, "{\"metadata\":{\"labels\":{\"disk\":" + diskValue + "}}}");
    }

    private void patch(String node, String mergePatch) {
        assertThat(api.patch("/api/v1/nodes/" + node, "application/merge-patch+json", Json.parseObject(mergePatch))
                .status()).isEqualTo(200);
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
