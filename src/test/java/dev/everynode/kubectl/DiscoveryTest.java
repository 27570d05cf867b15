package dev.everynode.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class DiscoveryTest extends IntegrationTest {

    /** What kubectl v1.32 sends to /api and /apis. */
    private static final String KUBECTL_DISCOVERY_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;"
            + "as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
            + "application/json";

    @TempDir
    Path dir;

    private Kubectl kubectl;

    @BeforeEach
    void kubectl() {
        kubectl = new Kubectl(dir);
    }

    @Test
    void versionReportsMinor32() {
        JsonNode version = api.get("/version").json();
        assertThat(version.path("major").asString()).isEqualTo("1");
        assertThat(version.path("minor").asString()).isEqualTo("32");
        assertThat(version.path("gitVersion").asString()).isEqualTo("v1.32.0-everynode");
    }

    @Test
    void aggregatedDiscoveryWhenAskedFor() {
        ApiClient.Response core = api.get("/api", KUBECTL_DISCOVERY_ACCEPT);
        assertThat(core.status()).isEqualTo(200);
        assertThat(core.header("Content-Type"))
                .isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        JsonNode coreItem = core.json().path("items").get(0);
        assertThat(core.json().path("kind").asString()).isEqualTo("APIGroupDiscoveryList");
        assertThat(core.json().path("apiVersion").asString()).isEqualTo("apidiscovery.k8s.io/v2");
        assertThat(coreItem.path("metadata").has("name")).isFalse();
        assertThat(coreItem.path("versions").get(0).path("version").asString()).isEqualTo("v1");
        assertThat(resourceNames(coreItem)).containsExactly("namespaces", "nodes", "pods", "events");
        JsonNode pods = resource(coreItem, "pods");
        assertThat(pods.path("scope").asString()).isEqualTo("Namespaced");
        assertThat(pods.path("responseKind").path("kind").asString()).isEqualTo("Pod");
        assertThat(strings(pods.path("shortNames"))).containsExactly("po");
        assertThat(strings(pods.path("categories"))).containsExactly("all");
        assertThat(strings(pods.path("verbs"))).containsExactly("create", "delete", "deletecollection", "get",
                "list", "patch", "update", "watch");
        assertThat(pods.path("subresources").get(0).path("subresource").asString()).isEqualTo("status");
        assertThat(resource(coreItem, "nodes").path("scope").asString()).isEqualTo("Cluster");
        assertThat(strings(resource(coreItem, "events").path("verbs"))).containsExactly("get", "list", "watch");

        ApiClient.Response apis = api.get("/apis", KUBECTL_DISCOVERY_ACCEPT);
        assertThat(apis.header("Content-Type"))
                .isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        JsonNode apps = apis.json().path("items").get(0);
        assertThat(apps.path("metadata").path("name").asString()).isEqualTo("apps");
        assertThat(resourceNames(apps)).containsExactly("daemonsets", "controllerrevisions");
        JsonNode ds = resource(apps, "daemonsets");
        assertThat(strings(ds.path("shortNames"))).containsExactly("ds");
        assertThat(ds.path("singularResource").asString()).isEqualTo("daemonset");
        assertThat(strings(ds.path("verbs"))).contains("watch", "patch", "deletecollection");
    }

    @Test
    void legacyDiscoveryOtherwise() {
        ApiClient.Response core = api.get("/api", "application/json, */*");
        assertThat(core.header("Content-Type")).startsWith("application/json");
        assertThat(core.json().path("kind").asString()).isEqualTo("APIVersions");
        assertThat(strings(core.json().path("versions"))).containsExactly("v1");
        assertThat(core.json().path("serverAddressByClientCIDRs").get(0).path("serverAddress").asString())
                .endsWith(":" + port);

        JsonNode groups = api.get("/apis").json();
        assertThat(groups.path("kind").asString()).isEqualTo("APIGroupList");
        assertThat(groups.path("groups").get(0).path("name").asString()).isEqualTo("apps");
        assertThat(groups.path("groups").get(0).path("preferredVersion").path("groupVersion").asString())
                .isEqualTo("apps/v1");

        JsonNode group = api.get("/apis/apps").json();
        assertThat(group.path("kind").asString()).isEqualTo("APIGroup");
        assertThat(group.path("versions").get(0).path("groupVersion").asString()).isEqualTo("apps/v1");

        JsonNode coreV1 = api.get("/api/v1").json();
        assertThat(coreV1.path("kind").asString()).isEqualTo("APIResourceList");
        assertThat(coreV1.path("groupVersion").asString()).isEqualTo("v1");
        assertThat(legacyNames(coreV1)).containsExactly("namespaces", "nodes", "nodes/status", "pods", "pods/status",
                "events");

        JsonNode appsV1 = api.get("/apis/apps/v1").json();
        assertThat(appsV1.path("groupVersion").asString()).isEqualTo("apps/v1");
        assertThat(legacyNames(appsV1)).containsExactly("daemonsets", "daemonsets/status", "controllerrevisions");
        JsonNode ds = appsV1.path("resources").get(0);
        assertThat(ds.path("namespaced").asBoolean()).isTrue();
        assertThat(ds.path("kind").asString()).isEqualTo("DaemonSet");
        assertThat(strings(ds.path("shortNames"))).containsExactly("ds");
    }

    @Test
    void openApiV3DocumentsCarryPatchOperationsWithFieldValidation() {
        JsonNode root = api.get("/openapi/v3", "application/json, */*").json();
        String appsUrl = root.path("paths").path("apis/apps/v1").path("serverRelativeURL").asString();
        String coreUrl = root.path("paths").path("api/v1").path("serverRelativeURL").asString();
        assertThat(appsUrl).startsWith("/openapi/v3/apis/apps/v1?hash=");
        assertThat(coreUrl).startsWith("/openapi/v3/api/v1?hash=");

        ApiClient.Response apps = api.get(appsUrl + "&timeout=32s", "application/json, */*");
        assertThat(apps.status()).isEqualTo(200);
        assertThat(apps.header("Cache-Control")).contains("immutable");
        JsonNode patch = apps.json().path("paths").path("/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}")
                .path("patch");
        assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("DaemonSet");
        assertThat(patch.path("x-kubernetes-group-version-kind").path("group").asString()).isEqualTo("apps");
        assertThat(queryParameters(patch)).contains("fieldValidation");
        assertThat(patch.path("requestBody").path("content").has("application/strategic-merge-patch+json")).isFalse();
        JsonNode schemas = apps.json().path("components").path("schemas");
        assertThat(schemas.path("io.k8s.api.apps.v1.DaemonSet").path("x-kubernetes-group-version-kind").get(0)
                .path("kind").asString()).isEqualTo("DaemonSet");
        assertThat(schemas.has("io.k8s.api.core.v1.PodSpec")).isTrue();
        assertThat(schemas.has("io.k8s.api.core.v1.Pod")).isFalse();

        JsonNode core = api.get(coreUrl).json();
        for (String kind : List.of("Namespace", "Node", "Pod")) {
            boolean found = false;
            for (var path : core.path("paths").properties()) {
                JsonNode op = path.getValue().path("patch");
                if (op.path("x-kubernetes-group-version-kind").path("kind").asString("").equals(kind)) {
                    found = queryParameters(op).contains("fieldValidation");
                }
            }
            assertThat(found).as("PATCH operation with fieldValidation for %s", kind).isTrue();
        }
    }

    @Test
    void kubectlApiResourcesListsEverything() {
        Kubectl.Result r = kubectl.run("api-resources");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(line(r.stdout(), "daemonsets")).as(r.toString())
                .contains("ds").contains("apps/v1").contains("true").contains("DaemonSet");
        assertThat(line(r.stdout(), "namespaces")).contains("ns").contains("false").contains("Namespace");
        assertThat(line(r.stdout(), "controllerrevisions")).contains("apps/v1");
        assertThat(r.stdout()).contains("nodes").contains("pods").contains("events");
    }

    @Test
    void kubectlGetsNamespacesAndNodes() {
        Kubectl.Result ns = kubectl.run("get", "ns");
        assertThat(ns.exitCode()).as(ns.toString()).isZero();
        assertThat(ns.stdout()).startsWith("NAME");
        assertThat(firstColumn(ns.stdout())).contains("default", "kube-system");
        Kubectl.Result nsJson = kubectl.run("get", "ns", "kube-system", "-o", "json");
        assertThat(nsJson.exitCode()).as(nsJson.toString()).isZero();
        assertThat(Json.text(Json.parseObject(nsJson.stdout()), "status", "phase")).isEqualTo("Active");

        assertThat(api.post("/api/v1/nodes", Fixtures.node("node-1")).status()).isEqualTo(201);
        Kubectl.Result nodes = kubectl.run("get", "nodes");
        assertThat(nodes.exitCode()).as(nodes.toString()).isZero();
        assertThat(firstColumn(nodes.stdout())).containsExactly("NAME", "node-1");
        Kubectl.Result byShortName = kubectl.run("get", "no", "node-1", "-o", "name");
        assertThat(byShortName.stdout().strip()).as(byShortName.toString()).isEqualTo("node/node-1");
    }

    @Test
    void kubectlApplyValidatesAgainstOpenApiAndCreates() throws IOException {
        Path manifest = dir.resolve("fluentd.yaml");
        Files.writeString(manifest, Fixtures.fluentdYaml());

        Kubectl.Result dryRun = kubectl.run("apply", "--dry-run=server", "-f", manifest.toString());
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.stdout().strip()).isEqualTo("daemonset.apps/fluentd created (server dry run)");
        assertThat(api.get("/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd").status()).isEqualTo(404);

        Kubectl.Result apply = kubectl.run("apply", "-f", manifest.toString());
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.stdout().strip()).isEqualTo("daemonset.apps/fluentd created");
        assertThat(apply.stderr()).as(apply.toString()).isEmpty();

        JsonNode ds = api.get("/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd").json();
        assertThat(ds.path("metadata").path("annotations")
                .has("kubectl.kubernetes.io/last-applied-configuration")).isTrue();
        Kubectl.Result get = kubectl.run("get", "ds", "-n", "kube-system");
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(firstColumn(get.stdout())).containsExactly("NAME", "fluentd");
    }

    private static List<String> resourceNames(JsonNode group) {
        List<String> names = new ArrayList<>();
        group.path("versions").get(0).path("resources").forEach(r -> names.add(r.path("resource").asString()));
        return names;
    }

    private static JsonNode resource(JsonNode group, String name) {
        for (JsonNode r : group.path("versions").get(0).path("resources")) {
            if (r.path("resource").asString().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no resource " + name);
    }

    private static List<String> legacyNames(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.path("resources").forEach(r -> names.add(r.path("name").asString()));
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asString()));
        return out;
    }

    private static List<String> queryParameters(JsonNode operation) {
        List<String> names = new ArrayList<>();
        for (JsonNode p : operation.path("parameters")) {
            if (p.path("in").asString("").equals("query")) {
                names.add(p.path("name").asString());
            }
        }
        return names;
    }

    private static String line(String output, String firstWord) {
        return output.lines().filter(l -> l.startsWith(firstWord + " ")).findFirst().orElse("");
    }

    private static List<String> firstColumn(String output) {
        return output.lines().filter(l -> !l.isBlank()).map(l -> l.split("\\s+")[0]).toList();
    }
}
