package dev.everynode.apimachinery.endpoint;

import dev.everynode.apimachinery.codec.TypedFields;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.DeleteOptions;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import dev.everynode.apimachinery.resource.ResourceStrategy;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The generic Kubernetes write path shared by every resource (create, replace, status, patch, delete): one
 * transaction per request, strategy hooks for what differs, 409 on a stale resourceVersion, 422 with causes
 * for invalid objects. A refused request changes nothing.
 */
@Service
public class ResourceService {

    private static final String SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final ObjectStore store;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final ResourceRegistry registry;

    public ResourceService(ObjectStore store, TransactionTemplate tx, ApplicationEventPublisher events, Clock clock,
                           ResourceRegistry registry) {
        this.registry = registry;
        this.store = store;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
    }

    public StoredObject get(ResourceType type, String namespace, String name) {
        requireNamespace(type, namespace);
        return store.get(type.kind(), namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
    }

    public List<StoredObject> list(ResourceType type, String namespace) {
        return store.list(type.kind(), namespace);
    }

    public long currentResourceVersion() {
        return store.currentResourceVersion();
    }

    public StoredObject create(ResourceStrategy strategy, String namespace, ObjectNode object, boolean dryRun) {
        ResourceType type = strategy.type();
        TypedFields.check(type, object);
        requireKind(type, object);
        ObjectNode meta = Json.child(object, "metadata");
        if (type.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace "
                        + "sent on the request");
            }
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        String name = Json.text(meta, "name");
        String generateName = Json.text(meta, "generateName");
        if ((name == null || name.isEmpty()) && generateName != null && !generateName.isEmpty()) {
            meta.put("name", generateName(generateName));
        }
        for (String managed : List.of("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "generation", "selfLink", "managedFields")) {
            meta.remove(managed);
        }
        if (type.hasStatus() && !strategy.keepsStatusOnCreate()) {
            object.remove("status");
        }
        strategy.prepareForCreate(object);
        String finalName = Json.text(meta, "name");
        List<Cause> causes = strategy.validate(object);
        if (!causes.isEmpty()) {
            throw ApiException.invalid(type, finalName == null ? "" : finalName, causes);
        }
        return tx.execute(status -> {
            requireNamespace(type, namespace);
            Instant now = clock.instant();
            UUID uid = UUID.randomUUID();
            if (dryRun) {
                if (store.get(type.kind(), namespace, finalName).isPresent()) {
                    throw ApiException.alreadyExists(type, finalName);
                }
                status.setRollbackOnly();
                return new StoredObject(type.kind(), namespace, finalName, uid, store.currentResourceVersion(),
                        strategy.tracksGeneration() ? 1 : 0, now, null, stamp(object, uid, now));
            }
            try {
                StoredObject created = store.insert(type.kind(), type.namespaced() ? namespace : "", finalName, uid,
                        strategy.tracksGeneration() ? 1 : 0, now, object);
                publish(created, "ADDED");
                return created;
            } catch (DuplicateKeyException e) {
                throw ApiException.alreadyExists(type, finalName);
            }
        });
    }

    /** PUT of the object: status is kept from the stored object; generation bumps when spec changed. */
    public StoredObject update(ResourceStrategy strategy, String namespace, String name, ObjectNode object,
                               boolean dryRun) {
        return write(strategy, namespace, name, dryRun, current -> object, false);
    }

    /** PUT of the status subresource: only status changes. */
    public StoredObject updateStatus(ResourceStrategy strategy, String namespace, String name, ObjectNode object,
                                     boolean dryRun) {
        return write(strategy, namespace, name, dryRun, current -> object, true);
    }

    /** Read-modify-write under a row lock: {@code change} computes the new object from the stored one. */
    public StoredObject write(ResourceStrategy strategy, String namespace, String name, boolean dryRun,
                              java.util.function.Function<ObjectNode, ObjectNode> change, boolean statusOnly) {
        ResourceType type = strategy.type();
        return tx.execute(status -> {
            requireNamespace(type, namespace);
            StoredObject current = store.getForUpdate(type.kind(), namespace, name)
                    .orElseThrow(() -> ApiException.notFound(type, name));
            ObjectNode proposed = change.apply(current.body().deepCopy());
            TypedFields.check(type, proposed);
            requireKind(type, proposed);
            ObjectNode meta = Json.child(proposed, "metadata");
            String bodyName = Json.text(meta, "name");
            if (bodyName != null && !bodyName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + bodyName
                        + ") does not match the name on the URL (" + name + ")");
            }
            String rv = Json.text(meta, "resourceVersion");
            if (rv != null && !rv.isEmpty() && !rv.equals(Long.toString(current.resourceVersion()))) {
                throw ApiException.staleResourceVersion(type, name);
            }
            String uid = Json.text(meta, "uid");
            if (uid != null && !uid.isEmpty() && !uid.equals(current.uid().toString())) {
                throw ApiException.conflict(type, name, "Precondition failed: UID in precondition: " + uid
                        + ", UID in object meta: " + current.uid());
            }
            ObjectNode next = statusOnly ? withStatusFrom(current.body(), proposed) : proposed;
            restoreManagedMetadata(next, current, type);
            if (!statusOnly && type.hasStatus()) {
                next.remove("status");
                if (current.body().has("status")) {
                    next.set("status", current.body().get("status").deepCopy());
                }
            }
            long generation = current.generation();
            List<Cause> causes;
            if (statusOnly) {
                strategy.prepareForStatusUpdate(next, current.body());
                causes = strategy.validateStatus(next);
            } else {
                strategy.prepareForUpdate(next, current.body());
                causes = strategy.validateUpdate(next, current.body());
                if (strategy.tracksGeneration()
                        && !Objects.equals(next.get("spec"), current.body().get("spec"))) {
                    generation++;
                    Json.child(next, "metadata").put("generation", generation);
                }
            }
            if (!causes.isEmpty()) {
                throw ApiException.invalid(type, name, causes);
            }
            if (next.equals(current.body()) || dryRun) {
                if (dryRun) {
                    status.setRollbackOnly();
                }
                return new StoredObject(current.kind(), current.namespace(), current.name(), current.uid(),
                        current.resourceVersion(), generation, current.createdAt(), current.deletionTimestamp(), next);
            }
            StoredObject written = store.update(current, generation, current.deletionTimestamp(), next)
                    .orElseThrow(() -> ApiException.staleResourceVersion(type, name));
            publish(written, "MODIFIED");
            return written;
        });
    }

    /** The result of a delete: the object as it now stands (terminating) or gone ({@code deleted}). */
    public record Deletion(StoredObject object, boolean deleted) {}

    public Deletion delete(ResourceStrategy strategy, String namespace, String name, DeleteOptions options) {
        ResourceType type = strategy.type();
        return tx.execute(status -> {
            requireNamespace(type, namespace);
            StoredObject current = store.getForUpdate(type.kind(), namespace, name)
                    .orElseThrow(() -> ApiException.notFound(type, name));
            if (options.preconditionUid() != null && !options.preconditionUid().equals(current.uid().toString())) {
                throw ApiException.conflict(type, name, "Precondition failed: UID in precondition: "
                        + options.preconditionUid() + ", UID in object meta: " + current.uid());
            }
            if (options.preconditionResourceVersion() != null
                    && !options.preconditionResourceVersion().equals(Long.toString(current.resourceVersion()))) {
                throw ApiException.conflict(type, name, "Precondition failed: ResourceVersion in precondition: "
                        + options.preconditionResourceVersion() + ", ResourceVersion in object meta: "
                        + current.resourceVersion());
            }
            ResourceStrategy.DeletePlan plan = strategy.planDelete(current, options);
            if (options.dryRun()) {
                status.setRollbackOnly();
                return new Deletion(current, plan.immediate());
            }
            if (plan.immediate()) {
                store.delete(type.kind(), namespace, name);
                publish(current, "DELETED");
                return new Deletion(current, true);
            }
            if (current.deletionTimestamp() != null) {
                return new Deletion(current, false);
            }
            Instant deletionAt = plan.deletionTimestamp() == null ? clock.instant() : plan.deletionTimestamp();
            ObjectNode next = current.body().deepCopy();
            ObjectNode meta = Json.child(next, "metadata");
            meta.put("deletionTimestamp", Json.timestamp(deletionAt));
            meta.put("deletionGracePeriodSeconds", plan.graceSeconds());
            if (!plan.finalizers().isEmpty()) {
                ArrayNode finalizers = meta.has("finalizers") && meta.get("finalizers").isArray()
                        ? (ArrayNode) meta.get("finalizers") : meta.putArray("finalizers");
                for (String f : plan.finalizers()) {
                    boolean present = false;
                    for (JsonNode existing : finalizers) {
                        present |= f.equals(existing.asString());
                    }
                    if (!present) {
                        finalizers.add(f);
                    }
                }
            }
            StoredObject written = store.update(current, current.generation(), deletionAt, next)
                    .orElseThrow(() -> ApiException.staleResourceVersion(type, name));
            publish(written, "MODIFIED");
            return new Deletion(written, false);
        });
    }

    public List<Deletion> deleteCollection(ResourceStrategy strategy, String namespace,
                                           java.util.function.Predicate<StoredObject> filter, DeleteOptions options) {
        List<Deletion> out = new ArrayList<>();
        for (StoredObject o : store.list(strategy.type().kind(), strategy.type().namespaced() ? namespace : null)) {
            if (filter.test(o)) {
                try {
                    out.add(delete(strategy, o.namespace(), o.name(), options));
                } catch (ApiException gone) {
                    if (gone.code() != 404) {
                        throw gone;
                    }
                }
            }
        }
        return out;
    }

    public void requireNamespace(ResourceType type, String namespace) {
        if (type.namespaced() && store.get(registry.namespaces().kind(), "", namespace).isEmpty()) {
            throw ApiException.namespaceNotFound(namespace);
        }
    }

    /** The change a write makes, for its subscribers (those of the reconcile queue run after the commit). */
    private void publish(StoredObject o, String change) {
        boolean deleted = "DELETED".equals(change);
        registry.forKind(o.kind()).flatMap(d -> d.written(o, deleted)).ifPresent(events::publishEvent);
    }

    private static void requireKind(ResourceType type, ObjectNode object) {
        String kind = Json.text(object, "kind");
        String apiVersion = Json.text(object, "apiVersion");
        if (kind != null && !kind.isEmpty() && !kind.equals(type.kind())) {
            throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                    + type.kind() + ": the object provided is of kind \"" + kind + "\"");
        }
        if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + type.apiVersion() + ")");
        }
        object.put("kind", type.kind());
        object.put("apiVersion", type.apiVersion());
    }

    private static ObjectNode withStatusFrom(ObjectNode stored, ObjectNode proposed) {
        ObjectNode next = stored.deepCopy();
        next.remove("status");
        if (proposed.has("status")) {
            next.set("status", proposed.get("status").deepCopy());
        }
        return next;
    }

    /** uid, creationTimestamp, deletion fields and resourceVersion are the server's, whatever the client sent. */
    private static void restoreManagedMetadata(ObjectNode next, StoredObject current, ResourceType type) {
        ObjectNode meta = Json.child(next, "metadata");
        ObjectNode old = current.metadata();
        meta.put("name", current.name());
        if (type.namespaced()) {
            meta.put("namespace", current.namespace());
        }
        for (String managed : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                "generation", "resourceVersion")) {
            meta.remove(managed);
            if (old.has(managed)) {
                meta.set(managed, old.get(managed).deepCopy());
            }
        }
    }

    private static ObjectNode stamp(ObjectNode object, UUID uid, Instant now) {
        ObjectNode meta = Json.child(object, "metadata");
        meta.put("uid", uid.toString());
        meta.put("creationTimestamp", Json.timestamp(now));
        return object;
    }

    private static String generateName(String prefix) {
        String base = prefix.length() > 58 ? prefix.substring(0, 58) : prefix;
        var sb = new StringBuilder(base);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            sb.append(SUFFIX_ALPHABET.charAt(r.nextInt(SUFFIX_ALPHABET.length())));
        }
        return sb.toString();
    }
}
