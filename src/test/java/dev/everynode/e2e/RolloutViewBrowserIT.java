package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.Await;
import dev.everynode.support.Browser;
import dev.everynode.support.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The rollout view ({@code /ui/}) in a real headless Chromium, during rollouts of a 1,000-node fleet: the packaged
 * jar as a process on an embedded PostgreSQL, 1,000 simulated nodes ({@link FleetSimulator}, the real agent
 * protocol), one DaemonSet with maxUnavailable 50. The page is checked against the API: the list's counters, the
 * grid's 1,000 cells (state and revision per node), the counters and the Progressing reason; its actions (pause,
 * resume, undo) go through a confirmation and are what the API then shows; a viewer's token gets a read-only page
 * and the server's 403; behind a proxy that buffers every response the page falls back to polling and still
 * follows changes. Screenshots land in {@code target/screenshots/} (the README's is one of them).
 *
 * <p>The service's log goes to {@code target/rollout-view.log}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutViewBrowserIT {

    private static final int NODES = 1000;
    private static final String NS = "kube-system";
    private static final String NAME = "fluent-bit";
    private static final String DS = "/apis/apps/v1/namespaces/" + NS + "/daemonsets/" + NAME;
    private static final String V1 = "registry.example/fluent-bit:v1";
    private static final String V2 = "registry.example/fluent-bit:v2";
    private static final Duration ROLLOUT = Duration.ofSeconds(150);
    private static final Duration PAGE = Duration.ofSeconds(10);

    private final String adminToken = "ui-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final String bootstrapToken = "boot-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    private HttpClient http;
    private Process service;
    private Path log;
    private int port;
    private FleetSimulator simulator;
    private Browser browser;
    private HttpServer proxy;

    @BeforeAll
    void start() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Path jar = PackagedService.jar(target);
        TestDatabase.Connection db = TestDatabase.embedded(null);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        port = PackagedService.freePort();
        log = target.resolve("rollout-view.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-jar", jar.toString())
                .directory(Files.createTempDirectory("everynode-ui").toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        PackagedService.environment(env, db, port, adminToken, bootstrapToken);
        env.put("EVERYNODE_NODES_HEARTBEAT_INTERVAL", "5s");
        env.put("EVERYNODE_NODES_GRACE_PERIOD", "40s");
        service = pb.start();
        PackagedService.awaitReady("the service", service, log, http, URI.create(url("/readyz")), adminToken,
                Duration.ofSeconds(120));

        long t0 = System.nanoTime();
        simulator = FleetSimulator.start(SimulatorConfig.builder(url(""))
                .token(bootstrapToken).nodes(NODES).prefix("node").heartbeat(Duration.ofSeconds(5)).waitSeconds(20)
                .startDelay(Duration.ofMillis(700)).concurrency(32).workerThreads(4).build());
        System.out.printf("[rollout-view] %d simulated nodes registered in %.1f s%n", NODES,
                (System.nanoTime() - t0) / 1e9);

        String manifest = """
                {"apiVersion": "apps/v1", "kind": "DaemonSet",
                 "metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {"selector": {"matchLabels": {"name": "%s"}},
                          "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 50}},
                          "template": {"metadata": {"labels": {"name": "%s"}},
                                       "spec": {"containers": [{"name": "agent", "image": "%s"}]}}}}
                """.formatted(NAME, NS, NAME, NAME, V1);
        assertThat(send("POST", "/apis/apps/v1/namespaces/" + NS + "/daemonsets", manifest, "application/json")
                .statusCode()).isEqualTo(201);
        awaitRolloutDone();
        browser = Browser.start(1400, 1100);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (proxy != null) {
            proxy.stop(0);
        }
        if (simulator != null) {
            System.out.println("[rollout-view] simulator: " + simulator.observations().summary());
            simulator.close();
        }
        if (service != null) {
            service.destroy();
            if (!service.waitFor(20, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void signInAndTheListMatchesTheApi() {
        ChromeDriver d = browser.driver();
        d.get(url("/ui/"));
        Await.until("the sign-in form", PAGE, () -> d.findElement(By.id("login")).isDisplayed());
        signIn(d, adminToken);
        Await.until("the DaemonSet in the list", PAGE, () -> !rows(d).isEmpty());
        assertThat(d.findElement(By.id("who")).getText()).contains("(admin)");
        JsonNode status = get(DS).path("status");
        Await.until("the list's counters equal the API's", PAGE, () -> {
            List<String> cells = rows(d).get(0).findElements(By.tagName("td")).stream().map(WebElement::getText)
                    .toList();
            return cells.equals(List.of(NS, NAME, num(status, "desiredNumberScheduled"),
                    num(status, "currentNumberScheduled"), num(status, "numberReady"),
                    num(status, "updatedNumberScheduled"), num(status, "numberAvailable"),
                    num(status, "numberMisscheduled"), "RolloutComplete"));
        });
        assertThat(num(status, "desiredNumberScheduled")).isEqualTo(Integer.toString(NODES));
    }

    @Test
    @Order(2)
    void theGridHasOneCellPerNodeAsTheApiSays() {
        ChromeDriver d = browser.driver();
        d.findElement(By.linkText(NAME)).click();
        Await.until("1,000 cells, all updated on revision 1", PAGE, () -> {
            Map<String, String> cells = pageCells(d);
            return cells.size() == NODES && cells.values().stream().allMatch("Updated/1"::equals);
        });
        assertThat(pageCells(d)).isEqualTo(apiCells());
        Await.until("the page hears of changes through the watch", PAGE, () -> "watch".equals(liveMode(d)));
        assertThat(legendCount(d, "Updated")).isEqualTo(NODES);
        assertThat(d.findElement(By.id("progressing")).getAttribute("data-reason")).isEqualTo("RolloutComplete");
    }

    @Test
    @Order(3)
    void aRolloutInProgressIsShownLiveAndPausedThroughTheConfirmation() throws Exception {
        ChromeDriver d = browser.driver();
        long t0 = System.nanoTime();
        patch(DS, "{\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"agent\", \"image\": \"" + V2
                + "\"}]}}}}");
        Await.until("the page shows revision 2 on some node", PAGE,
                () -> pageCells(d).values().stream().anyMatch(v -> v.endsWith("/2")));
        System.out.printf("[rollout-view] first revision-2 cell on the page %.0f ms after the PATCH (mode %s)%n",
                (System.nanoTime() - t0) / 1e6, liveMode(d));
        Await.until("a quarter of the fleet updated on the page", ROLLOUT,
                () -> legendCount(d, "Updated") >= NODES / 4 && legendCount(d, "Old") > 0);
        Map<String, String> during = pageCells(d);
        assertThat(during).hasSize(NODES);
        assertThat(during.values()).anyMatch(v -> v.startsWith("Updating/")).anyMatch("Old/1"::equals)
                .anyMatch("Updated/2"::equals);
        Path shot = browser.screenshot("rollout-view-1000-nodes");
        System.out.println("[rollout-view] screenshot " + shot.toAbsolutePath());

        // Cancel really cancels, confirm really pauses.
        d.findElement(By.id("pause")).click();
        Await.until("the confirmation", PAGE, () -> d.findElement(By.id("confirm")).isDisplayed());
        assertThat(d.findElement(By.id("confirm-text")).getText()).startsWith("Pause the rollout of " + NS + "/" + NAME);
        d.findElement(By.id("confirm-cancel")).click();
        Await.holds("a cancelled pause pauses nothing", Duration.ofMillis(500),
                () -> annotation("everynode.dev/rollout-paused") == null);
        d.findElement(By.id("pause")).click();
        Await.until("the confirmation", PAGE, () -> d.findElement(By.id("confirm")).isDisplayed());
        d.findElement(By.id("confirm-ok")).click();
        Await.until("the action's result", PAGE, () -> "paused".equals(d.findElement(By.id("action-result")).getText()));
        assertThat(annotation("everynode.dev/rollout-paused")).isEqualTo("true");

        // Once the pause has settled, the page agrees with the API node by node and counter by counter.
        Map<String, String> settled = awaitStableApiCells();
        Await.until("the page equals the API after the pause", PAGE, () -> pageCells(d).equals(settled));
        assertThat(d.findElement(By.id("progressing")).getAttribute("data-reason")).isEqualTo("RolloutPaused");
        JsonNode status = get(DS).path("status");
        for (String counter : List.of("desiredNumberScheduled", "currentNumberScheduled", "numberReady",
                "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "numberMisscheduled")) {
            assertThat(d.findElement(By.cssSelector("[data-counter=" + counter + "]")).getText()).as(counter)
                    .isEqualTo(num(status, counter));
        }
        assertThat(legendCount(d, "Held")).as("paused: the old nodes are held").isGreaterThan(0);
        browser.screenshot("rollout-view-paused");

        // A change made elsewhere (the API) reaches the page through the watch.
        long t1 = System.nanoTime();
        patch(DS, "{\"metadata\": {\"annotations\": {\"everynode.dev/rollout-paused\": null}}}");
        Await.until("the page shows the rollout resumed", PAGE,
                () -> !"RolloutPaused".equals(d.findElement(By.id("progressing")).getAttribute("data-reason")));
        System.out.printf("[rollout-view] resume through the API shown on the page after %.0f ms (mode %s)%n",
                (System.nanoTime() - t1) / 1e6, liveMode(d));
        assertThat(liveMode(d)).isEqualTo("watch");
        awaitRolloutDone();
        Await.until("all 1,000 updated on revision 2 on the page", PAGE,
                () -> pageCells(d).values().stream().filter("Updated/2"::equals).count() == NODES);
    }

    @Test
    @Order(4)
    void undoToARevisionFromThePage() {
        ChromeDriver d = browser.driver();
        new Select(d.findElement(By.id("undo-revision"))).selectByValue("1");
        d.findElement(By.id("undo")).click();
        Await.until("the confirmation", PAGE, () -> d.findElement(By.id("confirm")).isDisplayed());
        assertThat(d.findElement(By.id("confirm-text")).getText()).contains("back to revision 1");
        d.findElement(By.id("confirm-ok")).click();
        Await.until("the rollback's message", PAGE,
                () -> d.findElement(By.id("action-result")).getText().endsWith("rolled back"));
        assertThat(get(DS).path("spec").path("template").path("spec").path("containers").path(0).path("image")
                .asString()).isEqualTo(V1);
        awaitRolloutDone();
        Map<String, String> done = awaitStableApiCells();
        assertThat(done.values()).containsOnly("Updated/3");   // revision 1's template comes back as revision 3
        Await.until("the page equals the API after the undo", PAGE, () -> pageCells(d).equals(done));
        Await.until("the rollback's events on the page", PAGE, () -> !d.findElements(By.cssSelector("#events li"))
                .isEmpty());
    }

    @Test
    @Order(5)
    void aViewerSeesTheRolloutButCannotAct() throws Exception {
        HttpResponse<String> created = send("POST", "/everynode/v1/tokens",
                "{\"name\": \"watcher\", \"role\": \"viewer\"}", "application/json");
        assertThat(created.statusCode()).isEqualTo(201);
        String viewerToken = Json.parseObject(created.body()).path("token").asString();
        try (Browser viewer = Browser.start(1400, 1100)) {
            ChromeDriver d = viewer.driver();
            d.get(url("/ui/#/ds/" + NS + "/" + NAME));
            Await.until("the sign-in form", PAGE, () -> d.findElement(By.id("login")).isDisplayed());
            signIn(d, viewerToken);
            Await.until("the grid", PAGE, () -> pageCells(d).size() == NODES);
            assertThat(d.findElement(By.id("who")).getText()).isEqualTo("watcher (viewer)");
            for (String id : List.of("pause", "resume", "set-partition", "undo")) {
                assertThat(d.findElement(By.id(id)).isEnabled()).as(id + " disabled for a viewer").isFalse();
            }
            assertThat(d.findElement(By.id("actions-note")).getText()).contains("Read only");
            // Past the disabled button, the server still refuses.
            // (enabled and clicked in one script: the page re-renders the buttons, disabled, on every update)
            d.executeScript("const b = document.getElementById('pause'); b.disabled = false; b.click();");
            Await.until("the confirmation", PAGE, () -> d.findElement(By.id("confirm")).isDisplayed());
            d.findElement(By.id("confirm-ok")).click();
            Await.until("the server's refusal", PAGE,
                    () -> d.findElement(By.id("action-result")).getText().startsWith("403"));
            assertThat(annotation("everynode.dev/rollout-paused")).isNull();
        }
    }

    @Test
    @Order(6)
    void behindAProxyThatBuffersThePageFallsBackToPolling() throws Exception {
        proxy = bufferingProxy();
        String via = "http://localhost:" + proxy.getAddress().getPort();
        try (Browser behind = Browser.start(1400, 1100)) {
            ChromeDriver d = behind.driver();
            d.get(via + "/ui/#/ds/" + NS + "/" + NAME);
            Await.until("the sign-in form", PAGE, () -> d.findElement(By.id("login")).isDisplayed());
            signIn(d, adminToken);
            Await.until("the grid through the proxy", PAGE, () -> pageCells(d).size() == NODES);
            Await.until("polling: the watch never got through", Duration.ofSeconds(15),
                    () -> "polling".equals(liveMode(d)));
            long t0 = System.nanoTime();
            patch(DS, "{\"metadata\": {\"annotations\": {\"everynode.dev/rollout-paused\": \"true\"}}}");
            Await.until("the pause shown through the proxy", PAGE,
                    () -> "RolloutPaused".equals(d.findElement(By.id("progressing")).getAttribute("data-reason")));
            System.out.printf("[rollout-view] behind a buffering proxy: a pause shown after %.0f ms (polling)%n",
                    (System.nanoTime() - t0) / 1e6);
            assertThat(pageCells(d)).isEqualTo(apiCells());
        } finally {
            patch(DS, "{\"metadata\": {\"annotations\": {\"everynode.dev/rollout-paused\": null}}}");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the page

    private static void signIn(ChromeDriver d, String token) {
        d.findElement(By.id("token")).sendKeys(token);
        d.findElement(By.id("sign-in")).click();
    }

    private static List<WebElement> rows(ChromeDriver d) {
        return d.findElements(By.cssSelector("#ds-table tbody tr"));
    }

    /** node → "state/revision", as the page's grid shows it (one script call: 1,000 cells). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> pageCells(ChromeDriver d) {
        Object out = d.executeScript("const m = {}; for (const c of document.querySelectorAll('#grid .cell')) "
                + "m[c.dataset.node] = c.dataset.state + '/' + c.dataset.revision; return m;");
        return new TreeMap<>((Map<String, String>) out);
    }

    private static int legendCount(ChromeDriver d, String state) {
        // one script call: the legend is re-rendered on every update, so a held element goes stale
        Object count = d.executeScript("const s = document.querySelector('#legend span[data-state=\"' + arguments[0]"
                + " + '\"]'); return s ? s.dataset.count : null;", state);
        return count == null ? -1 : Integer.parseInt(count.toString());
    }

    private static String liveMode(ChromeDriver d) {
        return d.findElement(By.id("live")).getAttribute("data-mode");
    }

    // ---------------------------------------------------------------------------------------------------------
    // the API

    private Map<String, String> apiCells() {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode c : get(DS + "/rollout?cells=true").path("cells")) {
            out.put(c.path("node").asString(), c.path("state").asString() + "/"
                    + (c.path("revision").isNull() ? "" : c.path("revision").asString()));
        }
        return out;
    }

    /** The API's cells once they stay the same for 2 s. */
    private Map<String, String> awaitStableApiCells() {
        return Await.settled("the API's cells to settle", Duration.ofSeconds(2), ROLLOUT, this::apiCells);
    }

    private void awaitRolloutDone() {
        Await.until("the rollout to finish", ROLLOUT, () -> get(DS + "/rollout").path("done").asBoolean());
    }

    private String annotation(String key) {
        JsonNode v = get(DS).path("metadata").path("annotations").get(key);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static String num(JsonNode status, String field) {
        return Integer.toString(status.path(field).asInt(0));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private JsonNode get(String path) {
        HttpResponse<String> r = send("GET", path, null, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return Json.parseObject(r.body());
    }

    private void patch(String path, String body) {
        HttpResponse<String> r = send("PATCH", path, body, "application/merge-patch+json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private HttpResponse<String> send(String method, String path, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken).header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A reverse proxy that reads each response to its end before passing any of it on, as some corporate proxies
     * and misconfigured ingresses do: a watch never gets through (until its timeout).
     */
    private HttpServer bufferingProxy() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(exchange.getRequestURI().toString())))
                        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                for (String h : List.of("Authorization", "Accept", "Content-Type")) {
                    String v = exchange.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        b.header(h, v);
                    }
                }
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                r.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
                r.headers().firstValue("Location").ifPresent(v -> exchange.getResponseHeaders().set("Location", v));
                exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return server;
    }
}
