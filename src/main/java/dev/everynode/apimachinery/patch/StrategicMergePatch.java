package dev.everynode.apimachinery.patch;

import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side strategic merge patch ({@code application/strategic-merge-patch+json}), following
 * k8s.io/apimachinery/pkg/util/strategicpatch {@code StrategicMergePatch} with the options kube-apiserver uses
 * (parallel directive lists merged, unmatched nulls ignored).
 *
 * <ul>
 *   <li>Maps merge recursively; a {@code null} value deletes the key. Nulls inside values that are new to the
 *       object are dropped, so a replacement never stores explicit nulls (rollout undo sends
 *       {@code creationTimestamp: null}).</li>
 *   <li>Lists listed in the {@link PatchSchema} merge: map elements by their merge key (matching elements merge
 *       recursively, others are appended), primitive lists as a duplicate-free union. Every other list is replaced
 *       wholesale.</li>
 *   <li>{@code "$patch": "replace"} in a map replaces the map by the patch map; {@code "$patch": "delete"} in a map
 *       empties it (Kubernetes returns {@code {}}, it does not remove the key); {@code "$patch": "merge"} is the
 *       default and is accepted as a no-op. In a merge list, {@code {"$patch":"replace"}} makes the list exactly the
 *       other patch elements and {@code {"<key>": v, "$patch": "delete"}} removes the elements with that key.</li>
 *   <li>{@code $retainKeys: [...]} first drops every key of the original map that is not listed, and rejects a patch
 *       that sets a non-listed key ("invalid patch format of retainKeys").</li>
 *   <li>{@code $deleteFromPrimitiveList/<field>: [...]} removes those values from the primitive list
 *       {@code <field>}; it is applied after the rest of the map is merged.</li>
 *   <li>Order: as in Go, patch elements keep the patch's relative order and server-only elements keep the live
 *       order, interleaved by the live positions ({@code mergeSortedSlice}). With
 *       {@code $setElementOrder/<field>} the elements named there follow that order instead; elements not named
 *       there (added by someone else) are interleaved the same way.</li>
 * </ul>
 *
 * <p>Deviations from Go, all lenient: elements and values new to the object are cleaned (directives and nulls
 * removed) instead of stored verbatim; replaced atomic lists also lose nulls inside their elements; a list element
 * {@code {"$patch":"merge"}} is ignored instead of rejected; {@code $setElementOrder} lists are not cross-checked
 * against the patch list.
 */
final class StrategicMergePatch {

    private StrategicMergePatch() {
    }

    /**
     * Applies {@code patch} to {@code original} and returns a new tree; neither input is modified.
     *
     * @throws IllegalArgumentException when the patch is malformed (unknown directive, element without merge key...)
     */
    public static ObjectNode apply(ObjectNode original, ObjectNode patch, PatchSchema schema) {
        ObjectNode copy = original == null ? null : original.deepCopy();
        return new SmpMerger(schema == null ? PatchSchema.empty() : schema).mergeMap(copy, patch, "");
    }
}
