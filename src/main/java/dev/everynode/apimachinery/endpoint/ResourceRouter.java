package dev.everynode.apimachinery.endpoint;

import dev.everynode.apimachinery.codec.Codec;
import dev.everynode.apimachinery.codec.FieldValidation;
import dev.everynode.apimachinery.codec.TypedFields;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.StatusBodies;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.patch.Patches;
import dev.everynode.apimachinery.resource.DeleteOptions;
import dev.everynode.apimachinery.resource.ResourceDefinition;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import dev.everynode.apimachinery.resource.ResourceStrategy;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.selector.FieldSelector;
import dev.everynode.apimachinery.selector.LabelSelector;
import dev.everynode.apimachinery.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one router of the Kubernetes resource endpoints: list, get, create, replace, patch, delete and
 * deletecollection (and the status subresource) for any {@link ResourceDefinition}, with the request's options
 * as one {@link RequestOptions}. Decodes the body, calls {@link ResourceService}, encodes the answer. The
 * resources' controllers only declare their paths and documentation and delegate here in one line each.
 */
@Component
public class ResourceRouter {

    private static final Set<String> GENERIC_FIELDS = Set.of("metadata.name", "metadata.namespace");

    private final ResourceService resources;
    private final Patches patches;
    private final java.time.Clock clock;
    private final ResourceRegistry registry;

    public ResourceRouter(ResourceService resources, Patches patches, java.time.Clock clock,
                          ResourceRegistry registry) {
        this.resources = resources;
        this.patches = patches;
        this.clock = clock;
        this.registry = registry;
    }

    /** A body that must be one object: JSON, YAML, or protobuf of a type whose definition decodes it. */
    private ObjectNode readObject(byte[] body, RequestOptions options) {
        if (Codec.isProtobuf(body, options.contentType())) {
            return registry.decodeProtobuf(body);
        }
        return Codec.readObject(body, options.contentType());
    }

    public ResponseEntity<byte[]> list(ResourceDefinition definition, String namespace, RequestOptions options) {
        ResourceType type = definition.type();
        if (namespace != null) {
            resources.requireNamespace(type, namespace);
        }
        long rv = resources.currentResourceVersion();
        List<ObjectNode> items = select(definition, namespace, options.labelSelector(), options.fieldSelector())
                .stream().map(StoredObject::body).toList();
        if (options.wantsTable()) {
            return Codec.respond(HttpStatus.OK, Tables.table(definition, items, Long.toString(rv), clock.instant(),
                    options.rowObject()), null);
        }
        return Codec.respond(HttpStatus.OK, Codec.list(type, rv, items), options.accept());
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

    /** GET of an object, and of its status subresource (the whole object, as in Kubernetes). */
    public ResponseEntity<byte[]> get(ResourceDefinition definition, String namespace, String name,
                                      RequestOptions options) {
        StoredObject o = resources.get(definition.type(), namespace, name);
        if (options.wantsTable()) {
            return Codec.respond(HttpStatus.OK, Tables.table(definition, List.of(o.body()),
                    Long.toString(o.resourceVersion()), clock.instant(), options.rowObject()), null);
        }
        return Codec.respond(HttpStatus.OK, o.body(), options.accept());
    }

    public ResponseEntity<byte[]> create(ResourceDefinition definition, String namespace, byte[] body,
                                         RequestOptions options) {
        FieldValidation validation = options.validation();
        ObjectNode object = validation.apply(definition.type(), readObject(body, options));
        StoredObject created = resources.create(definition.strategy(), namespace, object, options.isDryRun());
        return validation.decorate(Codec.respond(HttpStatus.CREATED, created.body(), options.accept()));
    }

    /** PUT of an object (status is ignored). */
    public ResponseEntity<byte[]> replace(ResourceDefinition definition, String namespace, String name, byte[] body,
                                          RequestOptions options) {
        return replace(definition, namespace, name, body, options, false);
    }

    /** PUT of the status subresource (only status changes). */
    public ResponseEntity<byte[]> replaceStatus(ResourceDefinition definition, String namespace, String name,
                                                byte[] body, RequestOptions options) {
        return replace(definition, namespace, name, body, options, true);
    }

    private ResponseEntity<byte[]> replace(ResourceDefinition definition, String namespace, String name, byte[] body,
                                           RequestOptions options, boolean status) {
        ResourceStrategy strategy = definition.strategy();
        FieldValidation validation = options.validation();
        ObjectNode object = validation.apply(definition.type(), readObject(body, options));
        StoredObject written = status
                ? resources.updateStatus(strategy, namespace, name, object, options.isDryRun())
                : resources.update(strategy, namespace, name, object, options.isDryRun());
        return validation.decorate(Codec.respond(HttpStatus.OK, written.body(), options.accept()));
    }

    /**
     * PATCH in any of Kubernetes' patch types. Server-side apply ({@code application/apply-patch+yaml}) creates
     * the object when it is absent and otherwise merges the applied configuration over it like a strategic merge
     * patch; it keeps no field ownership, so it never reports conflicts (README: deliberate differences).
     */
    public ResponseEntity<byte[]> patch(ResourceDefinition definition, String namespace, String name, byte[] body,
                                        RequestOptions options) {
        return patch(definition, namespace, name, body, options, false);
    }

    /** PATCH of the status subresource. */
    public ResponseEntity<byte[]> patchStatus(ResourceDefinition definition, String namespace, String name,
                                              byte[] body, RequestOptions options) {
        return patch(definition, namespace, name, body, options, true);
    }

    private ResponseEntity<byte[]> patch(ResourceDefinition definition, String namespace, String name, byte[] body,
                                         RequestOptions options, boolean status) {
        ResourceStrategy strategy = definition.strategy();
        String contentType = options.contentType();
        String type = Codec.baseType(contentType);
        if (!Patches.SUPPORTED.contains(type) && !type.equals(Patches.APPLY)) {
            throw ApiException.unsupportedMediaType(contentType);
        }
        FieldValidation validation = options.validation();
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
                StoredObject created = resources.create(strategy, namespace, object, options.isDryRun());
                return validation.decorate(Codec.respond(HttpStatus.CREATED, created.body(), options.accept()));
            }
        }
        StoredObject written = resources.write(strategy, namespace, name, options.isDryRun(),
                current -> validation.apply(strategy.type(), TypedFields.patched(strategy.type(), name, patch,
                        patches.apply(definition.patchSchema(), type, current, patch))),
                status);
        return validation.decorate(Codec.respond(HttpStatus.OK, written.body(), options.accept()));
    }

    public ResponseEntity<byte[]> delete(ResourceDefinition definition, String namespace, String name, byte[] body,
                                         RequestOptions options) {
        ResourceStrategy strategy = definition.strategy();
        JsonNode deleteOptions = body == null || body.length == 0 ? null : Codec.readTree(body, options.contentType());
        ResourceService.Deletion d = resources.delete(strategy, namespace, name, DeleteOptions.of(deleteOptions,
                options.propagationPolicy(), options.gracePeriodSeconds(), options.isDryRun()));
        if (d.deleted()) {
            return Codec.respond(HttpStatus.OK, StatusBodies.success(strategy.type(), name, d.object().uid().toString()),
                    options.accept());
        }
        return Codec.respond(HttpStatus.OK, d.object().body(), options.accept());
    }

    public ResponseEntity<byte[]> deleteCollection(ResourceDefinition definition, String namespace, byte[] body,
                                                   RequestOptions options) {
        ResourceStrategy strategy = definition.strategy();
        JsonNode deleteOptions = body == null || body.length == 0 ? null : Codec.readTree(body, options.contentType());
        DeleteOptions opts = DeleteOptions.of(deleteOptions, options.propagationPolicy(), options.gracePeriodSeconds(),
                options.isDryRun());
        Set<java.util.UUID> chosen = new java.util.HashSet<>();
        select(definition, namespace, options.labelSelector(), options.fieldSelector())
                .forEach(o -> chosen.add(o.uid()));
        List<ObjectNode> items = resources.deleteCollection(strategy, namespace, o -> chosen.contains(o.uid()), opts)
                .stream().map(d -> d.object().body()).toList();
        return Codec.respond(HttpStatus.OK, Codec.list(strategy.type(), resources.currentResourceVersion(), items),
                options.accept());
    }

    /** The value of a field path such as {@code spec.nodeName} or {@code involvedObject.uid}; null when absent. */
    public static String fieldValue(StoredObject o, String path) {
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
