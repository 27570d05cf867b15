package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Request bodies in JSON or YAML, responses in what the client accepts (JSON unless it asks for YAML). */
public final class Codec {

    public static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    private Codec() {}

    /** Reads a request body of at most 3 MiB (Kubernetes' limit); 413 beyond. */
    public static byte[] readBody(jakarta.servlet.http.HttpServletRequest request) throws java.io.IOException {
        if (request.getContentLengthLong() > RequestSizeFilter.MAX_BODY_BYTES) {
            throw RequestSizeFilter.tooLarge();
        }
        byte[] body = request.getInputStream().readNBytes((int) RequestSizeFilter.MAX_BODY_BYTES + 1);
        if (body.length > RequestSizeFilter.MAX_BODY_BYTES) {
            throw RequestSizeFilter.tooLarge();
        }
        return body;
    }

    /** A protobuf body: only resource endpoints read those (through their definitions). */
    public static boolean isProtobuf(byte[] body, String contentType) {
        return Protobuf.CONTENT_TYPE.equals(baseType(contentType)) && body != null;
    }

    /** Parses a request body that must be one object; 415 for formats we do not read, 400 when malformed. */
    public static ObjectNode readObject(byte[] body, String contentType) {
        if (isProtobuf(body, contentType)) {
            Protobuf.unwrap(body);
            throw Protobuf.unsupported(List.of());
        }
        JsonNode node = readTree(body, contentType);
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badRequest("the request body must be a single JSON or YAML object");
        }
        return object;
    }

    /**
     * 400 for a request that needs a body and came without one (e.g. {@code curl --data-binary @file} of a file
     * that does not exist sends nothing).
     */
    public static ApiException emptyBody() {
        return ApiException.badRequest("the request body is empty: send a JSON or YAML object");
    }

    public static JsonNode readTree(byte[] body, String contentType) {
        if (body == null || body.length == 0) {
            throw emptyBody();
        }
        String type = baseType(contentType);
        try {
            JsonNode node;
            if (isYaml(type)) {
                refuseAliases(body);
                node = Json.YAML.readTree(body);
            } else if (isJson(type)) {
                node = Json.MAPPER.readTree(body);
            } else {
                throw ApiException.unsupportedMediaType(contentType);
            }
            if (node == null || node.isMissingNode()) {
                throw emptyBody();
            }
            return node;
        } catch (JacksonException e) {
            throw ApiException.badRequest(isYaml(type) ? "error converting YAML to JSON: yaml: " + where(e)
                    : "json parse error: " + where(e));
        }
    }

    /**
     * {@code line 3, column 7: <what is wrong>} for a malformed body, as Kubernetes names the line (go-yaml's
     * {@code yaml: line 3: ...}); the column is ours.
     */
    private static String where(JacksonException e) {
        String problem = firstLine(e.getOriginalMessage());
        if (e.getCause() instanceof org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException yaml
                && yaml.getProblem() != null) {
            problem = yaml.getProblem().strip();
            if (yaml.getContext() != null && yaml.getContextMark().isPresent()) {
                var mark = yaml.getContextMark().get();
                problem += " (" + yaml.getContext().strip() + " at line " + (mark.getLine() + 1) + ", column "
                        + (mark.getColumn() + 1) + ")";
            }
        }
        var location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return problem;
        }
        return "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": " + problem;
    }

    /**
     * YAML anchors and aliases are refused: the parser would not expand them (an alias would silently become a
     * string), and expanding them is how YAML bombs work. Kubernetes manifests do not need them.
     */
    private static void refuseAliases(byte[] body) {
        try (var parser = (tools.jackson.dataformat.yaml.YAMLParser) Json.YAML.createParser(body)) {
            while (parser.nextToken() != null) {
                if (parser.isCurrentAlias()) {
                    throw ApiException.badRequest("YAML aliases (*" + parser.getString() + ") are not supported; "
                            + "write the value out instead");
                }
            }
        }
    }

    public static String baseType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return "application/json";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    public static boolean isYaml(String type) {
        return type.equals("application/yaml") || type.equals("application/x-yaml") || type.equals("text/yaml")
                || type.equals("application/apply-patch+yaml");
    }

    static boolean isJson(String type) {
        return type.equals("application/json") || type.equals("*/*") || type.equals("text/json")
                || type.endsWith("+json");
    }

    public static boolean wantsYaml(String accept) {
        if (accept == null) {
            return false;
        }
        for (MediaType m : safeParse(accept)) {
            String t = (m.getType() + "/" + m.getSubtype()).toLowerCase(Locale.ROOT);
            if (isYaml(t)) {
                return true;
            }
            if (t.equals("application/json")) {
                return false;
            }
        }
        return false;
    }

    public static ResponseEntity<byte[]> respond(HttpStatus status, JsonNode body, String accept) {
        HttpHeaders headers = new HttpHeaders();
        byte[] bytes;
        if (wantsYaml(accept)) {
            headers.setContentType(YAML);
            bytes = Json.YAML.writeValueAsBytes(body);
        } else {
            headers.setContentType(MediaType.APPLICATION_JSON);
            bytes = Json.MAPPER.writeValueAsBytes(body);
        }
        return new ResponseEntity<>(bytes, headers, status);
    }

    /** A list object: {@code {kind: <Kind>List, apiVersion, metadata: {resourceVersion}, items}}. */
    public static ObjectNode list(ResourceType type, long resourceVersion, List<? extends JsonNode> items) {
        ObjectNode list = Json.object();
        list.put("kind", type.listKind());
        list.put("apiVersion", type.apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        var array = list.putArray("items");
        items.forEach(array::add);
        return list;
    }

    private static List<MediaType> safeParse(String accept) {
        try {
            return MediaType.parseMediaTypes(accept);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed input";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
