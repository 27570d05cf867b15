package dev.everynode.firsthour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.Browser;
import dev.everynode.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * Issue 21, item 7: Swagger UI, the newcomer's first look at the API, showed DaemonSets as the 8th group, "Create
 * DaemonSet" without an example and with a file-upload box, error responses as "Undocumented", list operations
 * titled "Watch a collection…" and operation ids like {@code create_1}. One customizer ({@code ApiDocument}) now
 * shapes the whole document: tags in a newcomer's order, Kubernetes' operation ids, list summaries with watch as
 * their parameter, JSON and YAML request bodies with examples, and Kubernetes Status error responses. Checked
 * here in the page headless Chromium renders, down to creating the example DaemonSet with "Try it out".
 */
class FirstHourItem7SwaggerUiTest extends IntegrationTest {

    private static final String DS = "/apis/apps/v1/namespaces/{namespace}/daemonsets";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void item7_swaggerUiShowsDaemonSetsFirstWithExamplesAndDocumentedErrors() throws Exception {
        try (Browser browser = Browser.start(1400, 1000)) {
            var driver = browser.driver();
            var wait = new WebDriverWait(driver, WAIT);
            driver.get("http://localhost:" + port + "/swagger-ui/index.html");
            wait.until(d -> !d.findElements(By.cssSelector(".opblock-tag-section")).isEmpty());

            List<String> tags = driver.findElements(By.cssSelector("h3.opblock-tag")).stream()
                    .map(e -> e.getAttribute("data-tag")).toList();
            assertThat(tags).as("the tag sections, top to bottom").isNotEmpty();
            assertThat(tags.get(0)).as("the first tag section").isEqualTo("DaemonSets");
            assertThat(tags).doesNotContain("Watch");

            Map<String, String> titles = new LinkedHashMap<>();
            for (WebElement op : driver.findElements(By.cssSelector(".opblock"))) {
                titles.put(op.findElement(By.cssSelector(".opblock-summary-method")).getText() + " "
                        + op.findElement(By.cssSelector(".opblock-summary-path")).getAttribute("data-path"),
                        op.findElement(By.cssSelector(".opblock-summary-description")).getText());
            }
            assertThat(titles.values()).as("operation titles").isNotEmpty()
                    .noneMatch(t -> t.startsWith("Watch a collection")).noneMatch(String::isBlank);
            assertThat(titles).containsEntry("GET " + DS, "List DaemonSets in a namespace")
                    .containsEntry("GET /apis/apps/v1/daemonsets", "List DaemonSets in all namespaces")
                    .containsEntry("POST " + DS, "Create a DaemonSet");

            // Create a DaemonSet: a JSON example, no file upload, and application/yaml with a YAML example.
            WebElement create = expand(driver, wait, "post", DS);
            WebElement body = create.findElement(By.cssSelector(".opblock-section-request-body"));
            assertThat(create.findElements(By.cssSelector("input[type=file]"))).as("a file-upload box").isEmpty();
            Select mediaType = new Select(body.findElement(By.cssSelector(".body-param-content-type select")));
            assertThat(mediaType.getFirstSelectedOption().getText()).isEqualTo("application/json");
            assertThat(mediaType.getOptions()).extracting(WebElement::getText)
                    .contains("application/json", "application/yaml");
            String jsonExample = exampleText(wait, body, "\"kind\": \"DaemonSet\"");
            assertThat(Json.parseObject(jsonExample)).as("the JSON example")
                    .isEqualTo(Json.YAML.readTree(Files.readString(Path.of("examples", "fluentd-daemonset.yaml"))));
            mediaType.selectByVisibleText("application/yaml");
            String yamlExample = exampleText(wait, body, "kind: DaemonSet");
            assertThat(yamlExample).as("the YAML example").contains("apiVersion: apps/v1\n")
                    .contains("  name: fluentd\n").contains("image: fluent/fluentd").doesNotContain("{");
            assertThat(create.findElements(By.cssSelector("input[type=file]"))).as("a file-upload box").isEmpty();

            Map<String, String> createResponses = responses(create);
            assertThat(createResponses).containsKeys("201", "400", "401", "403", "409", "413", "415", "422");
            assertThat(createResponses.get("409")).contains("already exists");
            assertThat(createResponses.get("422")).containsIgnoringCase("invalid");
            assertThat(createResponses.values()).noneMatch(d -> d.isBlank() || d.contains("Undocumented"));
            browser.screenshot("swagger-daemonsets");

            // Try it out: the YAML example, posted by Swagger UI with the admin token, creates the DaemonSet.
            authorize(driver, wait);
            create.findElement(By.cssSelector("button.try-out__btn")).click();
            WebElement namespace = create.findElement(By.cssSelector("tr[data-param-name='namespace'] input"));
            namespace.clear();
            namespace.sendKeys("kube-system");
            WebElement text = wait.until(d -> create.findElement(By.cssSelector("textarea.body-param__text")));
            assertThat(text.getAttribute("value")).contains("kind: DaemonSet");
            create.findElement(By.cssSelector("button.execute")).click();
            WebElement status = wait.until(d -> create.findElement(
                    By.cssSelector(".live-responses-table .response .response-col_status")));
            assertThat(status.getText()).as(create.findElement(By.cssSelector(".live-responses-table")).getText())
                    .startsWith("201");
            assertThat(api.get("/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd").status()).isEqualTo(200);
            browser.screenshot("swagger-daemonsets-created");

            // Read a DaemonSet documents its 404.
            WebElement read = expand(driver, wait, "get", DS + "/{name}");
            Map<String, String> readResponses = responses(read);
            assertThat(readResponses).containsKeys("200", "401", "403", "404");
            assertThat(readResponses.get("404")).contains("not found");
        }
    }

    @Test
    void item7_operationIdsAreKubernetesStyleAndUnique() throws Exception {
        JsonNode doc = api.get("/v3/api-docs").json();
        Set<String> ids = new HashSet<>();
        Map<String, String> byOperation = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String id = op.getValue().path("operationId").asString("");
                String what = op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                assertThat(id).as("operationId of " + what).isNotBlank().doesNotContainPattern("_\\d+$");
                assertThat(ids.add(id)).as("operationId " + id + " of " + what + " is unique").isTrue();
                byOperation.put(what, id);
            }
        }
        assertThat(byOperation)
                .containsEntry("POST " + DS, "createAppsV1NamespacedDaemonSet")
                .containsEntry("GET " + DS, "listAppsV1NamespacedDaemonSet")
                .containsEntry("GET /apis/apps/v1/daemonsets", "listAppsV1DaemonSetForAllNamespaces")
                .containsEntry("GET " + DS + "/{name}", "readAppsV1NamespacedDaemonSet")
                .containsEntry("PATCH " + DS + "/{name}", "patchAppsV1NamespacedDaemonSet")
                .containsEntry("PUT " + DS + "/{name}/status", "replaceAppsV1NamespacedDaemonSetStatus")
                .containsEntry("DELETE " + DS, "deleteAppsV1CollectionNamespacedDaemonSet")
                .containsEntry("GET /api/v1/nodes/{name}", "readCoreV1Node")
                .containsEntry("GET /api/v1/namespaces/{name}", "readCoreV1Namespace")
                .containsEntry("GET /api/v1/pods", "listCoreV1PodForAllNamespaces");

        // Watch is a parameter of every list, as in Kubernetes' OpenAPI; errors are Kubernetes Status bodies.
        JsonNode list = doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1daemonsets/get");
        assertThat(list.path("parameters").valueStream().map(p -> p.path("name").asString()).toList()).contains("watch", "labelSelector",
                "fieldSelector", "resourceVersion", "timeoutSeconds");
        JsonNode conflict = doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1daemonsets/post/responses/409");
        assertThat(conflict.at("/content/application~1json/schema/$ref").asString())
                .endsWith("io.k8s.apimachinery.pkg.apis.meta.v1.Status");
        assertThat(conflict.at("/content/application~1json/example/reason").asString()).isEqualTo("AlreadyExists");
        assertThat(doc.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1daemonsets/post/requestBody/content"
                + "/application~1yaml/example").asString()).as("the YAML example is the walkthrough's manifest")
                .isEqualTo(Files.readString(Path.of("examples", "fluentd-daemonset.yaml")));
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Expands the operation of that method and path (its first appearance) and returns its block. */
    private static WebElement expand(org.openqa.selenium.WebDriver driver, WebDriverWait wait, String method,
                                     String path) {
        WebElement block = driver.findElements(By.cssSelector(".opblock-" + method)).stream()
                .filter(b -> path.equals(b.findElement(By.cssSelector(".opblock-summary-path"))
                        .getAttribute("data-path")))
                .findFirst().orElseThrow(() -> new AssertionError("no operation " + method + " " + path));
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView(true);", block);
        block.findElement(By.cssSelector(".opblock-summary-control")).click();
        wait.until(d -> !block.findElements(By.cssSelector(".responses-table")).isEmpty());
        return block;
    }

    /** The request body example as rendered, once it contains the given text. */
    private static String exampleText(WebDriverWait wait, WebElement body, String expected) {
        return wait.until(d -> body.findElements(By.cssSelector(".body-param__example, .highlight-code")).stream()
                .map(e -> e.getDomProperty("textContent")).filter(t -> t.contains(expected)).findFirst().orElse(null));
    }

    /** The documented responses of an expanded operation: code to description. */
    private static Map<String, String> responses(WebElement block) {
        Map<String, String> out = new LinkedHashMap<>();
        for (WebElement row : block.findElements(By.cssSelector(
                "table.responses-table:not(.live-responses-table) tr.response"))) {
            out.put(row.getAttribute("data-code"),
                    row.findElement(By.cssSelector(".response-col_description__inner")).getText());
        }
        return out;
    }

    /** Authorize with the admin token through Swagger UI's own dialog. */
    private static void authorize(org.openqa.selenium.WebDriver driver, WebDriverWait wait) {
        driver.findElement(By.cssSelector(".auth-wrapper .authorize")).click();
        WebElement input = wait.until(d -> d.findElement(By.cssSelector(".modal-ux input")));
        input.sendKeys(ADMIN_TOKEN);
        driver.findElement(By.cssSelector(".modal-ux .auth-btn-wrapper .authorize")).click();
        driver.findElement(By.cssSelector(".modal-ux .btn-done")).click();
    }
}
