package dev.everynode.kubectl;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * What kubectl reads before it touches a resource: /version (the gcloud dispatcher picks its kubectl binary by
 * the minor version), API discovery at /api and /apis, and the OpenAPI v3 documents that let a default
 * {@code kubectl apply} validate.
 */
@RestController
@Tag(name = "Discovery (kubectl)", description = "Version, API discovery and OpenAPI v3, as kubectl expects them")
class DiscoveryController {

    static final String GIT_VERSION = "v1.32.0-everynode";

    /** kubectl recognises aggregated discovery by this exact response Content-Type, never by the body. */
    static final String AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private final ApiResources resources;
    private final OpenApiDocuments openApi;

    DiscoveryController(ResourceRegistry registry) {
        this.resources = ApiResources.of(registry);
        this.openApi = new OpenApiDocuments(resources.all());
    }

    @GetMapping("/version")
    @Operation(summary = "Server version (minor 32 makes the gcloud kubectl dispatcher use its built-in v1.32)")
    ResponseEntity<byte[]> version() {
        ObjectNode body = Json.object();
        body.put("major", "1");
        body.put("minor", "32");
        body.put("gitVersion", GIT_VERSION);
        body.put("gitCommit", "everynode");
        body.put("gitTreeState", "clean");
        body.put("buildDate", "2025-01-01T00:00:00Z");
        body.put("goVersion", "java" + Runtime.version().feature());
        body.put("compiler", "javac");
        body.put("platform", System.getProperty("os.name", "linux").toLowerCase(java.util.Locale.ROOT) + "/"
                + System.getProperty("os.arch", "amd64"));
        return json(body);
    }

    @GetMapping("/api")
    @Operation(summary = "Core API versions (APIVersions), or aggregated discovery when the Accept header asks")
    ResponseEntity<byte[]> api(@RequestHeader(value = "Accept", required = false) String accept,
                               HttpServletRequest request) {
        if (AcceptedDiscovery.wantsAggregated(accept)) {
            return aggregated(DiscoveryDocuments.aggregated(List.of(resources.core())));
        }
        return vary(DiscoveryDocuments.apiVersions(resources.core(), request.getServerName() + ":" + request.getServerPort()));
    }

    @GetMapping("/apis")
    @Operation(summary = "API groups (APIGroupList), or aggregated discovery when the Accept header asks")
    ResponseEntity<byte[]> apis(@RequestHeader(value = "Accept", required = false) String accept) {
        if (AcceptedDiscovery.wantsAggregated(accept)) {
            return aggregated(DiscoveryDocuments.aggregated(resources.groups()));
        }
        return vary(DiscoveryDocuments.apiGroupList(resources.groups()));
    }

    @GetMapping("/api/v1")
    @Operation(summary = "Core v1 resources (APIResourceList)")
    ResponseEntity<byte[]> coreV1() {
        return json(DiscoveryDocuments.apiResourceList(resources.core()));
    }

    @GetMapping("/apis/apps")
    @Operation(summary = "The apps group (APIGroup)")
    ResponseEntity<byte[]> apps() {
        return json(DiscoveryDocuments.apiGroup(resources.group("apps")));
    }

    @GetMapping("/apis/apps/v1")
    @Operation(summary = "apps/v1 resources (APIResourceList)")
    ResponseEntity<byte[]> appsV1() {
        return json(DiscoveryDocuments.apiResourceList(resources.group("apps")));
    }

    @GetMapping("/openapi/v3")
    @Operation(summary = "OpenAPI v3 root: one document per group-version")
    ResponseEntity<byte[]> openApiRoot() {
        return openApi(openApi.root(), false);
    }

    @GetMapping("/openapi/v3/api/v1")
    @Operation(summary = "OpenAPI v3 document of core v1")
    ResponseEntity<byte[]> openApiCoreV1(@RequestParam(required = false) String hash) {
        return openApiGroupVersion(resources.core(), hash);
    }

    @GetMapping("/openapi/v3/apis/apps/v1")
    @Operation(summary = "OpenAPI v3 document of apps/v1")
    ResponseEntity<byte[]> openApiAppsV1(@RequestParam(required = false) String hash) {
        return openApiGroupVersion(resources.group("apps"), hash);
    }

    private ResponseEntity<byte[]> openApiGroupVersion(ApiResources.GroupVersion gv, String hash) {
        OpenApiDocuments.Document doc = openApi.groupVersion(gv.path());
        if (doc == null) {
            throw ApiException.pathNotFound();
        }
        return openApi(doc, doc.hash().equals(hash));
    }

    /**
     * A URL carrying the current hash names exactly these bytes, so it may be cached for good, as the apiserver
     * does; anything else must be revalidated so a changed document is noticed.
     */
    private static ResponseEntity<byte[]> openApi(OpenApiDocuments.Document doc, boolean hashed) {
        CacheControl cache = hashed ? CacheControl.maxAge(java.time.Duration.ofDays(365)).cachePublic().immutable()
                : CacheControl.noCache().cachePrivate();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(cache)
                .eTag("\"" + doc.hash() + "\"").body(doc.bytes());
    }

    private static ResponseEntity<byte[]> aggregated(ObjectNode body) {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, AGGREGATED_CONTENT_TYPE)
                .header(HttpHeaders.VARY, "Accept").body(Json.MAPPER.writeValueAsBytes(body));
    }

    /** /api and /apis answer two formats at one URL; Vary keeps kubectl's HTTP cache from mixing them up. */
    private static ResponseEntity<byte[]> vary(ObjectNode body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.VARY, "Accept")
                .body(Json.MAPPER.writeValueAsBytes(body));
    }

    private static ResponseEntity<byte[]> json(ObjectNode body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Json.MAPPER.writeValueAsBytes(body));
    }
}
