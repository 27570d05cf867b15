package dev.everynode.apimachinery;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP side of the generic resource flow, shared by the feature controllers: decode the body, call
 * {@link ResourceService}, encode the answer. Controllers stay one line per endpoint.
 */
@Component
public class ResourceEndpoints {

    private static final Set<String> GENERIC_FIELDS = Set.of("metadata.name", "metadata.namespace");

    private final ResourceService resources;
    private final Patches patches;
    private final java.time.Clock clock;

    public ResourceEndpoints(ResourceService resources, Patches patches, java.time.Clock clock) {
        this.resources = resources;
        this.patches = patches;
        this.clock = clock;
    }

    public ResponseEntity<byte[]> list(ResourceDefinition definition, String namespace, String labelSelector,
                                       String fieldSelector, String accept) {
        ResourceType type = definition.type();
        if (namespace != null) {
            resources.requireNamespace(type, namespace);
        }
        long rv = resources.currentResourceVersion();
        List<ObjectNode> items = select(definition, namespace, labelSelector, fieldSelector).stream()
                .map(StoredObject::body).toList();
        if (Tables.wantsTable(accept)) {
            return Codec.respond(HttpStatus.OK, Tables.table(definition, items, Long.toString(rv), clock.instant(),
                    Tables.rowObject(includeObjectParam())), null);
        }
        return Codec.respond(HttpStatus.OK, Codec.list(type, rv, items), accept);
    }

    /** Objects of a type filtered by label and field selectors (400 for a malformed or unsupported selector). */
    public List<StoredObject> select(ResourceDefinition definition, String namespace, String labelSelector,
                                     String fieldSelector) {
        LabelSelector labels = LabelSelector.parse(labelSelector == null ? "" : labelSelector);
        FieldSelector fields = FieldSelector.parse(fieldSelector == null ? "" : fieldSelector);
        Set<String> supported = new java.util.HashSet<>(GENERIC_FIELDS);
        supported.addAll(definition.fieldSelectors());
        fields.requireSupported(supported);
        List<StoredObject> out = new ArrayList<>();
        for (StoredObject o : resources.list(definition.type(), namespace)) {
            if (labels.matches(Json.stringMap(o.metadata().get("labels"))) && fields.matches(f -> fieldValue(o, f))) {
                out.add(o);
            }
        }
        return out;
    }

    public ResponseEntity<byte[]> get(ResourceDefinition definition, String namespace, String name, String accept) {
        StoredObject o = resources.get(definition.type(), namespace, name);
        if (Tables.wantsTable(accept)) {
            return Codec.respond(HttpStatus.OK, Tables.table(definition, List.of(o.body()),
                    Long.toString(o.resourceVersion()), clock.instant(), Tables.rowObject(includeObjectParam())), null);
        }
        return Codec.respond(HttpStatus.OK, o.body(), accept);
    }

    private static String includeObjectParam() {
        return param("includeObject");
    }

    public ResponseEntity<byte[]> create(ResourceDefinition definition, String namespace, byte[] body, String contentType,
                                         String accept, String dryRun) {
        ResourceStrategy strategy = definition.strategy();
        FieldValidation validation = FieldValidation.of(param("fieldValidation"));
        ObjectNode object = validation.apply(strategy.type(), Codec.readObject(body, contentType));
        StoredObject created = resources.create(strategy, namespace, object, isDryRun(dryRun));
        return validation.decorate(Codec.respond(HttpStatus.CREATED, created.body(), accept));
    }

    public ResponseEntity<byte[]> replace(ResourceDefinition definition, String namespace, String name, byte[] body,
                                          String contentType, String accept, String dryRun, boolean status) {
        ResourceStrategy strategy = definition.strategy();
        FieldValidation validation = FieldValidation.of(param("fieldValidation"));
        ObjectNode object = validation.apply(strategy.type(), Codec.readObject(body, contentType));
        StoredObject written = status
                ? resources.updateStatus(strategy, namespace, name, object, isDryRun(dryRun))
                : resources.update(strategy, namespace, name, object, isDryRun(dryRun));
        return validation.decorate(Codec.respond(HttpStatus.OK, written.body(), accept));
    }

    /**
     * PATCH in any of Kubernetes' patch types. Server-side apply ({@code application/apply-patch+yaml}) creates
     * the object when it is absent and otherwise merges the applied configuration over it like a strategic merge
     * patch; it keeps no field ownership, so it never reports conflicts (README: deliberate differences).
     */
    public ResponseEntity<byte[]> patch(ResourceDefinition definition, String namespace, String name, byte[] body,
                                        String contentType, String accept, String dryRun, boolean status) {
        ResourceStrategy strategy = definition.strategy();
        String type = Codec.baseType(contentType);
        if (!Patches.SUPPORTED.contains(type) && !type.equals(Patches.APPLY)) {
            throw ApiException.unsupportedMediaType(contentType);
        }
        FieldValidation validation = FieldValidation.of(param("fieldValidation"));
        JsonNode patch = Codec.readTree(body, Codec.isYaml(type) ? "application/yaml" : "application/json");
        if (type.equals(Patches.APPLY) && !status) {
            if (!(patch instanceof ObjectNode applied)) {
                throw ApiException.badRequest("an apply configuration must be an object");
            }
            try {
                resources.get(strategy.type(), namespace, name);
            } catch (ApiException e) {
                if (e.code() != 404 || e.detailsKind() == null || !e.detailsKind().equals(strategy.type().plural())) {
                    throw e;
                }
                ObjectNode object = validation.apply(strategy.type(), applied.deepCopy());
                Json.child(object, "metadata").put("name", name);
                StoredObject created = resources.create(strategy, namespace, object, isDryRun(dryRun));
                return validation.decorate(Codec.respond(HttpStatus.CREATED, created.body(), accept));
            }
        }
        StoredObject written = resources.write(strategy, namespace, name, isDryRun(dryRun),
                current -> validation.apply(strategy.type(), TypedFields.patched(strategy.type(), name, patch,
                        patches.apply(definition, type, current, patch))),
                status);
        return validation.decorate(Codec.respond(HttpStatus.OK, written.body(), accept));
    }

    private static String param(String name) {
        var attributes = org.springframework.web.context.request.RequestContextHolder.getRequestAttributes();
        if (attributes instanceof org.springframework.web.context.request.ServletRequestAttributes servlet) {
            return servlet.getRequest().getParameter(name);
        }
        return null;
    }

    public ResponseEntity<byte[]> delete(ResourceDefinition definition, String namespace, String name, byte[] body,
                                         String contentType, String propagationPolicy, Long gracePeriodSeconds,
                                         String dryRun, String accept) {
        ResourceStrategy strategy = definition.strategy();
        JsonNode options = body == null || body.length == 0 ? null : Codec.readTree(body, contentType);
        ResourceService.Deletion d = resources.delete(strategy, namespace, name,
                DeleteOptions.of(options, propagationPolicy, gracePeriodSeconds, isDryRun(dryRun)));
        if (d.deleted()) {
            return Codec.respond(HttpStatus.OK, StatusBodies.success(strategy.type(), name, d.object().uid().toString()),
                    accept);
        }
        return Codec.respond(HttpStatus.OK, d.object().body(), accept);
    }

    public ResponseEntity<byte[]> deleteCollection(ResourceDefinition definition, String namespace, String labelSelector,
                                                   String fieldSelector, byte[] body,
                                                   String contentType, String propagationPolicy,
                                                   Long gracePeriodSeconds, String dryRun, String accept) {
        ResourceStrategy strategy = definition.strategy();
        JsonNode options = body == null || body.length == 0 ? null : Codec.readTree(body, contentType);
        DeleteOptions opts = DeleteOptions.of(options, propagationPolicy, gracePeriodSeconds, isDryRun(dryRun));
        Set<java.util.UUID> chosen = new java.util.HashSet<>();
        select(definition, namespace, labelSelector, fieldSelector).forEach(o -> chosen.add(o.uid()));
        List<ObjectNode> items = resources.deleteCollection(strategy, namespace, o -> chosen.contains(o.uid()), opts)
                .stream().map(d -> d.object().body()).toList();
        return Codec.respond(HttpStatus.OK, Codec.list(strategy.type(), resources.currentResourceVersion(), items),
                accept);
    }

    private static boolean isDryRun(String dryRun) {
        if (dryRun == null || dryRun.isEmpty()) {
            return false;
        }
        if (!dryRun.equals("All")) {
            throw ApiException.badRequest("Unsupported value: \"" + dryRun + "\": supported values: \"All\"");
        }
        return true;
    }

    /** The value of a field path such as {@code spec.nodeName} or {@code involvedObject.uid}; null when absent. */
    static String fieldValue(StoredObject o, String path) {
        if (path.equals("metadata.name")) {
            return o.name();
        }
        if (path.equals("metadata.namespace")) {
            return o.namespace();
        }
        JsonNode at = o.body();
        for (String part : path.split("\\.")) {
            at = at.path(part);
        }
        if (at.isMissingNode() || at.isNull()) {
            return "";
        }
        return at.isString() ? at.stringValue() : at.toString();
    }
}
