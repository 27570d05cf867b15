package dev.everynode.apimachinery.resource;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.meta.ResourceType;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * What differs between resources in the generic create/update/delete flow (Kubernetes' registry strategies):
 * defaulting, validation, what a write may change, and how deletion proceeds. Implemented by each feature.
 */
public interface ResourceStrategy {

    ResourceType type();

    /** Whether {@code metadata.generation} is kept and bumped on spec changes. */
    default boolean tracksGeneration() {
        return false;
    }

    /** Whether a create keeps the status it was sent (as kubelet registers nodes); otherwise status is reset. */
    default boolean keepsStatusOnCreate() {
        return false;
    }

    /** Defaulting and server-managed fields before validation on create. */
    default void prepareForCreate(ObjectNode object) {}

    default List<Cause> validate(ObjectNode object) {
        return List.of();
    }

    /** Server-managed fields on update (the old object is the stored one). */
    default void prepareForUpdate(ObjectNode object, ObjectNode old) {
        prepareForCreateDefaultsOnly(object);
    }

    /** Defaulting that also applies on update (a replaced object must come out defaulted). */
    default void prepareForCreateDefaultsOnly(ObjectNode object) {}

    default List<Cause> validateUpdate(ObjectNode object, ObjectNode old) {
        return validate(object);
    }

    /** Server-managed fields of a status write (the old object is the stored one). */
    default void prepareForStatusUpdate(ObjectNode object, ObjectNode old) {}

    default List<Cause> validateStatus(ObjectNode object) {
        return List.of();
    }

    /** How a delete request proceeds; the default removes the object at once. */
    default DeletePlan planDelete(StoredObject object, DeleteOptions options) {
        return DeletePlan.IMMEDIATE;
    }

    /**
     * The outcome of {@link #planDelete}: remove now, or mark with a deletionTimestamp and finalizers.
     * {@code deletionTimestamp} is when the object is due, decided by its strategy (e.g. from a
     * termination grace period); null means now, for objects without a grace period.
     */
    record DeletePlan(boolean immediate, Instant deletionTimestamp, long graceSeconds, List<String> finalizers) {
        public static final DeletePlan IMMEDIATE = new DeletePlan(true, null, 0, List.of());

        /** Marked now, without a grace period, and kept until its finalizers are gone. */
        public static DeletePlan finalizing(List<String> finalizers) {
            return new DeletePlan(false, null, 0, finalizers);
        }

        public static DeletePlan graceful(Instant deletionTimestamp, long graceSeconds, List<String> finalizers) {
            return new DeletePlan(false, deletionTimestamp, graceSeconds, finalizers);
        }
    }
}
