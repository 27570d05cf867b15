package dev.everynode.apimachinery.resource;

import dev.everynode.apimachinery.codec.Protobuf;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.patch.PatchSchema;
import dev.everynode.apimachinery.table.TablePrinter;
import dev.everynode.change.Change;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * Everything the generic machinery needs to know about one served resource, supplied by the resource's own
 * feature package: its type, the write-flow strategy, the printer columns and cells of {@code kubectl get} (it is
 * the resource's {@link TablePrinter}), the strategic-merge-patch schema, the field selectors it supports, the
 * indexed columns the object table derives from it, and what discovery advertises. Nothing in apimachinery names a
 * kind; it asks the definitions in {@link ResourceRegistry}.
 */
public interface ResourceDefinition extends TablePrinter {

    @Override
    ResourceType type();

    /** The create/update/delete hooks; a read-only resource keeps the default, which adds nothing. */
    default ResourceStrategy strategy() {
        ResourceType type = type();
        return () -> type;
    }

    /** Which lists a strategic merge patch merges (and by which key); the ObjectMeta lists by default. */
    default PatchSchema patchSchema() {
        return PatchSchema.object();
    }

    /** Field selectors besides metadata.name and metadata.namespace, which every resource supports. */
    default Set<String> fieldSelectors() {
        return Set.of();
    }

    /** The object table's indexed columns derived from the object besides its owner (none by default). */
    default IndexColumns indexColumns(ObjectNode object) {
        return IndexColumns.NONE;
    }

    /** The change a write of this object announces to its subscribers, if any (none by default). */
    default Optional<Change.Written> written(StoredObject object, boolean deleted) {
        return Optional.empty();
    }

    /** Whether objects of this type are the namespaces the namespaced types live in. */
    default boolean holdsNamespaces() {
        return false;
    }

    /** Whether a create or replace may send this type as protobuf (client-go's typed clients prefer it). */
    default boolean acceptsProtobuf() {
        return false;
    }

    /** The object in a protobuf message of this type; called only when {@link #acceptsProtobuf()}. */
    default ObjectNode decodeProtobuf(Protobuf.Reader message) {
        throw new UnsupportedOperationException(type().kind() + " has no protobuf decoding");
    }

    /** Discovery: the verbs served, short names, categories, and whether {@code <plural>/status} is served. */
    List<String> verbs();

    default List<String> shortNames() {
        return List.of();
    }

    default List<String> categories() {
        return List.of();
    }

    default boolean statusSubresource() {
        return type().hasStatus();
    }

    /** All of Kubernetes' verbs for a resource. */
    List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /**
     * Indexed columns of the object table: the node an object is bound to and its revision hash, so that the node
     * agents' and the reconciler's lookups are index scans. Null when a kind has none.
     */
    record IndexColumns(String nodeName, String revisionHash) {
        public static final IndexColumns NONE = new IndexColumns(null, null);
    }
}
