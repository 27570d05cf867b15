package dev.everynode.kubectl;

import dev.everynode.apimachinery.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI v3 documents kubectl fetches before {@code apply} and {@code create -f}. kubectl only looks for a
 * PATCH operation carrying the kind's {@code x-kubernetes-group-version-kind} and a {@code fieldValidation} query
 * parameter, then leaves validation to the server. The request bodies deliberately omit strategic-merge-patch:
 * advertising it makes kubectl compute apply patches from these schemas, which are not complete enough for that,
 * while without it kubectl uses its compiled-in patch metadata for these built-in kinds.
 */
final class OpenApiDocuments {

    /** A rendered document and its content hash (an HTTP cache key for kubectl, so it must follow the bytes). */
    record Document(byte[] bytes, String hash) {}

    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    private final Map<String, Document> byPath = new LinkedHashMap<>();
    private final Document root;

    OpenApiDocuments(List<ApiResources.GroupVersion> groupVersions) {
        ObjectNode schemas = loadSchemas();
        ObjectNode rootBody = Json.object();
        ObjectNode paths = rootBody.putObject("paths");
        for (ApiResources.GroupVersion gv : groupVersions) {
            Document doc = render(groupVersionDocument(gv, schemas));
            byPath.put(gv.path(), doc);
            paths.putObject(gv.path()).put("serverRelativeURL", "/openapi/v3/" + gv.path() + "?hash=" + doc.hash());
        }
        root = render(rootBody);
    }

    Document root() {
        return root;
    }

    /** The document of {@code api/v1} or {@code apis/apps/v1}; null for other paths. */
    Document groupVersion(String path) {
        return byPath.get(path);
    }

    private static ObjectNode groupVersionDocument(ApiResources.GroupVersion gv, ObjectNode allSchemas) {
        ObjectNode doc = Json.object();
        doc.put("openapi", "3.0.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Everynode");
        info.put("version", DiscoveryController.GIT_VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ApiResources.Resource r : gv.resources()) {
            String collection = "/" + gv.path() + (r.type().namespaced() ? "/namespaces/{namespace}/" : "/")
                    + r.type().plural();
            ObjectNode item = paths.putObject(collection + "/{name}");
            if (r.verbs().contains("patch")) {
                item.set("patch", patchOperation(gv, r));
            } else {
                item.set("get", getOperation(gv, r));
            }
        }
        // Kind schemas of other group-versions stay out: kubectl explain resolves kinds by their GVK extension.
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        for (Map.Entry<String, JsonNode> e : allSchemas.properties()) {
            JsonNode gvk = e.getValue().path("x-kubernetes-group-version-kind");
            if (gvk.isMissingNode() || (gvk.path(0).path("group").asString("").equals(gv.group())
                    && gvk.path(0).path("version").asString("").equals(gv.version()))) {
                schemas.set(e.getKey(), e.getValue());
            }
        }
        return doc;
    }

    private static ObjectNode patchOperation(ApiResources.GroupVersion gv, ApiResources.Resource r) {
        ObjectNode op = operation(gv, r, "patch", "partially update the specified " + r.type().kind());
        ArrayNode params = op.withArray("parameters");
        queryParameter(params, "dryRun", "string", "When present, indicates that modifications should not be persisted.");
        queryParameter(params, "fieldManager", "string", "A name associated with the actor or entity making these changes.");
        queryParameter(params, "fieldValidation", "string", "Ignore, Warn or Strict: how the server treats unknown "
                + "and duplicate fields in the request.");
        queryParameter(params, "force", "boolean", "Force is going to \"force\" Apply requests.");
        ObjectNode content = op.putObject("requestBody").putObject("content");
        for (String type : new String[] {"application/json-patch+json", "application/merge-patch+json",
                "application/apply-patch+yaml"}) {
            content.putObject(type).putObject("schema").put("$ref", "#/components/schemas/" + META + "Patch");
        }
        op.put("x-kubernetes-action", "patch");
        return op;
    }

    private static ObjectNode getOperation(ApiResources.GroupVersion gv, ApiResources.Resource r) {
        ObjectNode op = operation(gv, r, "get", "read the specified " + r.type().kind());
        op.put("x-kubernetes-action", "get");
        return op;
    }

    private static ObjectNode operation(ApiResources.GroupVersion gv, ApiResources.Resource r, String verb,
                                        String description) {
        ObjectNode op = Json.object();
        op.put("description", description);
        String groupPart = gv.group().isEmpty() ? "Core" : capitalize(gv.group());
        op.put("operationId", verb + groupPart + capitalize(gv.version())
                + (r.type().namespaced() ? "Namespaced" : "") + r.type().kind());
        ObjectNode gvk = op.putObject("x-kubernetes-group-version-kind");
        gvk.put("group", gv.group());
        gvk.put("version", gv.version());
        gvk.put("kind", r.type().kind());
        ArrayNode params = op.putArray("parameters");
        pathParameter(params, "name", "name of the " + r.type().kind());
        if (r.type().namespaced()) {
            pathParameter(params, "namespace", "object name and auth scope, such as for teams and projects");
        }
        String schema = "#/components/schemas/" + schemaName(gv, r);
        ObjectNode responses = op.putObject("responses");
        for (String code : verb.equals("patch") ? new String[] {"200", "201"} : new String[] {"200"}) {
            ObjectNode response = responses.putObject(code);
            response.put("description", code.equals("200") ? "OK" : "Created");
            response.putObject("content").putObject("application/json").putObject("schema").put("$ref", schema);
        }
        return op;
    }

    private static String schemaName(ApiResources.GroupVersion gv, ApiResources.Resource r) {
        return "io.k8s.api." + (gv.group().isEmpty() ? "core" : gv.group()) + "." + gv.version() + "."
                + r.type().kind();
    }

    private static void pathParameter(ArrayNode params, String name, String description) {
        ObjectNode p = params.addObject();
        p.put("name", name);
        p.put("in", "path");
        p.put("description", description);
        p.put("required", true);
        p.putObject("schema").put("type", "string");
    }

    private static void queryParameter(ArrayNode params, String name, String type, String description) {
        ObjectNode p = params.addObject();
        p.put("name", name);
        p.put("in", "query");
        p.put("description", description);
        p.putObject("schema").put("type", type);
        p.put("uniqueItems", true);
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static ObjectNode loadSchemas() {
        try (InputStream in = OpenApiDocuments.class.getResourceAsStream("/kubectl/schemas.json")) {
            if (in == null) {
                throw new IllegalStateException("kubectl/schemas.json is missing from the classpath");
            }
            return Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Document render(ObjectNode body) {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(bytes);
            return new Document(bytes, HexFormat.of().withUpperCase().formatHex(digest, 0, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
