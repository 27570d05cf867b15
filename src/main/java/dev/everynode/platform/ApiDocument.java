package dev.everynode.platform;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.StatusBodies;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.ResourceDefinition;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import dev.everynode.daemonset.DaemonSetResource;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Shapes the whole /v3/api-docs document (and so Swagger UI) after springdoc built it from the controllers:
 * tags in the order a newcomer needs them (DaemonSets first), Kubernetes' operation ids for the resource paths
 * ({@code createAppsV1NamespacedDaemonSet}, {@code readCoreV1Node}, ...), list summaries with watch as a list
 * parameter (as in Kubernetes' OpenAPI; springdoc merges the {@code ?watch=true} handler into the list), request
 * bodies as JSON and YAML with examples, and the Kubernetes {@code Status} error responses. New resource
 * endpoints need nothing here; a non-resource one needs an {@code operationId} in its {@code @Operation}.
 */
@Component
class ApiDocument implements OpenApiCustomizer {

    static final List<String> TAG_ORDER = List.of("DaemonSets", "Rollouts", "Nodes", "Pods", "ControllerRevisions",
            "Events", "Namespaces", "Node agents", "Tokens", "Discovery (kubectl)");
    static final String STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
    private static final String STATUS_REF = "#/components/schemas/" + STATUS;
    /** /api/v1 or /apis/{group}/v1, then optionally namespaces/{namespace}/, the plural, /{name}, /subresource. */
    private static final Pattern RESOURCE = Pattern.compile(
            "^/(?:api|apis/([a-z.]+))/(v1)/(namespaces/\\{namespace}/)?([a-z]+)(/\\{name})?(?:/([a-z]+))?$");

    private final ResourceRegistry registry;

    ApiDocument(ResourceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void customise(OpenAPI api) {
        api.getComponents().addSchemas(STATUS, statusSchema());
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            op.setTags(op.getTags() == null ? null
                    : new ArrayList<>(op.getTags().stream().filter(t -> !t.equals("Watch")).toList()));
            Matcher m = RESOURCE.matcher(path);
            ResourceType type = m.matches() ? type(m) : null;
            if (type != null) {
                resourceOperation(method, op, m, type);
            }
            errors(method, op, type, m.matches() && m.group(5) != null);
        }));
        List<Tag> tags = new ArrayList<>(api.getTags() == null ? List.of() : api.getTags());
        tags.removeIf(t -> t.getName().equals("Watch"));
        tags.sort(Comparator.comparingInt(t -> TAG_ORDER.contains(t.getName()) ? TAG_ORDER.indexOf(t.getName())
                : TAG_ORDER.size()));
        api.setTags(tags);
    }

    private ResourceType type(Matcher m) {
        return registry.forPlural(m.group(1) == null ? "" : m.group(1), m.group(4))
                .map(ResourceDefinition::type).orElse(null);
    }

    private static void resourceOperation(PathItem.HttpMethod method, Operation op, Matcher m, ResourceType type) {
        boolean item = m.group(5) != null;
        String sub = m.group(6);
        boolean inNamespace = m.group(3) != null;
        String gv = (type.group().isEmpty() ? "Core" : capital(type.group())) + capital(m.group(2));
        String verb = switch (method) {
            case GET -> item ? "read" : "list";
            case POST -> "create";
            case PUT -> "replace";
            case PATCH -> "patch";
            case DELETE -> "delete";
            default -> method.name().toLowerCase(java.util.Locale.ROOT);
        };
        String scope = (method == PathItem.HttpMethod.DELETE && !item ? "Collection" : "")
                + (inNamespace ? "Namespaced" : "");
        String suffix = (sub == null ? "" : capital(sub))
                + (type.namespaced() && !inNamespace && !item ? "ForAllNamespaces" : "");
        op.setOperationId(verb + gv + scope + type.kind() + suffix);
        if (method == PathItem.HttpMethod.GET && !item) {
            op.setSummary("List " + type.kind() + "s" + (!type.namespaced() ? ""
                    : inNamespace ? " in a namespace" : " in all namespaces"));
            op.setDescription("With watch=true: a stream of newline-delimited {type, object} watch events from "
                    + "resourceVersion (kubectl get -w).");
            if (op.getParameters() == null || op.getParameters().stream().noneMatch(p -> "watch".equals(p.getName()))) {
                op.addParametersItem(new Parameter().in("query").name("watch").required(false)
                        .description("Watch for changes instead of listing").schema(new Schema<Boolean>().type("boolean")));
            }
        }
        if (method == PathItem.HttpMethod.POST && !item && sub == null && op.getResponses() != null
                && op.getResponses().containsKey("200")) {
            ApiResponse created = op.getResponses().remove("200");
            op.getResponses().addApiResponse("201", created.description("Created: the " + type.kind()
                    + " as stored, defaults filled in"));
        }
        if ((method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.PUT) && sub == null
                && op.getRequestBody() != null) {
            Content content = op.getRequestBody().getContent();
            MediaType json = content == null ? null : content.get("application/json");
            MediaType yaml = content == null ? null : content.get("application/yaml");
            Object example = firstExample(json);
            Object yamlExample = firstExample(yaml);
            if (yamlExample == null && example != null) {
                yamlExample = Json.YAML.writeValueAsString(example);
            }
            Content out = new Content();
            MediaType jsonType = new MediaType().schema(new ObjectSchema().description("A " + type.kind()
                    + " (" + type.apiVersion() + ")"));
            if (example != null) {
                jsonType.setExample(example);
            }
            out.addMediaType("application/json", jsonType);
            MediaType yamlType = new MediaType().schema(new StringSchema().description("The same " + type.kind()
                    + " as YAML"));
            if (yamlExample != null) {
                yamlType.setExample(yamlExample);
            }
            out.addMediaType("application/yaml", yamlType);
            op.getRequestBody().setContent(out);
        }
    }

    private static Object firstExample(MediaType media) {
        if (media == null) {
            return null;
        }
        if (media.getExample() != null) {
            return media.getExample();
        }
        return media.getExamples() == null || media.getExamples().isEmpty() ? null
                : media.getExamples().values().iterator().next().getValue();
    }

    /** The error responses of an operation, each a Status with the body this server really sends. */
    private static void errors(PathItem.HttpMethod method, Operation op, ResourceType type, boolean item) {
        ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
        ResourceType t = type == null ? DaemonSetResource.TYPE : type;
        boolean write = method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.PUT
                || method == PathItem.HttpMethod.PATCH;
        if (write || method == PathItem.HttpMethod.GET && !item) {
            add(responses, "400", "Bad request: a body that does not decode, or a bad selector",
                    ApiException.badRequest("the request body is empty"));
        }
        add(responses, "401", "No token, or one that is not valid",
                new ApiException(401, "Unauthorized", "Unauthorized", null, null, null, null));
        add(responses, "403", "The token's role may not do this",
                ApiException.forbidden("viewer tokens may not write"));
        if (item || method == PathItem.HttpMethod.POST && type != null && type.namespaced()) {
            add(responses, "404", item ? "The object is not found" : "The namespace is not found",
                    item ? ApiException.notFound(t, "fluentd") : ApiException.namespaceNotFound("kube-system"));
        }
        if (write && type != null) {
            add(responses, "409", method == PathItem.HttpMethod.POST ? "The object already exists"
                    : "Conflict: the object has changed since resourceVersion",
                    method == PathItem.HttpMethod.POST ? ApiException.alreadyExists(t, "fluentd")
                            : ApiException.staleResourceVersion(t, "fluentd"));
            add(responses, "413", "The body is too large", ApiException.tooLarge("the request body is too large"));
            add(responses, "415", "The Content-Type is not supported",
                    ApiException.unsupportedMediaType("text/plain"));
            add(responses, "422", "The object is invalid (Status details.causes name the fields)",
                    ApiException.invalid(t, "fluentd", List.of(new dev.everynode.apimachinery.errors.Cause(
                            "FieldValueRequired", "Required value", "spec.selector"))));
        }
        op.setResponses(responses);
    }

    private static void add(ApiResponses responses, String code, String description, ApiException example) {
        if (responses.containsKey(code)) {
            return;
        }
        Map<?, ?> body = Json.MAPPER.convertValue(StatusBodies.failure(example), Map.class);
        responses.addApiResponse(code, new ApiResponse().description(description).content(new Content()
                .addMediaType("application/json", new MediaType().schema(new Schema<>().$ref(STATUS_REF))
                        .example(body))));
    }

    private static Schema<?> statusSchema() {
        return new ObjectSchema().description("Status is the return value of calls that do not return other objects: "
                        + "every error is one")
                .addProperty("kind", new StringSchema().example("Status"))
                .addProperty("apiVersion", new StringSchema().example("v1"))
                .addProperty("metadata", new ObjectSchema())
                .addProperty("status", new StringSchema().description("Success or Failure"))
                .addProperty("message", new StringSchema())
                .addProperty("reason", new StringSchema().description("NotFound, AlreadyExists, Conflict, Invalid, ..."))
                .addProperty("details", new ObjectSchema().description("name, group, kind and causes (field, reason, "
                        + "message)"))
                .addProperty("code", new Schema<Integer>().type("integer").format("int32"));
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
