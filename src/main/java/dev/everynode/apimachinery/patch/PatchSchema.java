package dev.everynode.apimachinery.patch;

import java.util.HashMap;
import java.util.Map;

/**
 * Strategic-merge-patch metadata: which lists are merged instead of replaced, and by which key. This is the
 * server-side equivalent of the {@code patchStrategy}/{@code patchMergeKey} struct tags of k8s.io/api.
 *
 * <p>Paths are dotted object paths from the object root, with {@code []} stepping into list elements, e.g.
 * {@code spec.template.spec.containers[].env}. Any list without an entry is atomic (replaced wholesale), which
 * is also what Kubernetes does for lists without a patch strategy.
 */
public final class PatchSchema {

    /**
     * Merge metadata of one list: {@code mergeKey} is the element field identifying map elements, or null for a
     * list of primitives whose values are unioned.
     */
    public record ListMerge(String mergeKey) {
    }

    private static final PatchSchema EMPTY = new PatchSchema(Map.of());

    private final Map<String, ListMerge> lists;

    private PatchSchema(Map<String, ListMerge> lists) {
        this.lists = Map.copyOf(lists);
    }

    /** A schema in which every list is atomic. */
    public static PatchSchema empty() {
        return EMPTY;
    }

    /**
     * ObjectMeta's lists, which every object has: ownerReferences merge by uid, finalizers are a merged set of
     * strings. A resource's own schema adds its lists to this one ({@code ResourceDefinition.patchSchema()}).
     */
    public static PatchSchema objectMeta() {
        return EMPTY.withMergeKey("ownerReferences", "uid").withPrimitiveMerge("finalizers");
    }

    /** An object's schema: ObjectMeta's lists under {@code metadata}. */
    public static PatchSchema object() {
        return EMPTY.withAll("metadata", objectMeta());
    }

    /** Returns a copy in which the list at {@code path} merges map elements by {@code mergeKey}. */
    public PatchSchema withMergeKey(String path, String mergeKey) {
        if (mergeKey == null || mergeKey.isEmpty()) {
            throw new IllegalArgumentException("merge key must not be empty");
        }
        return with(path, new ListMerge(mergeKey));
    }

    /** Returns a copy in which the primitive list at {@code path} is merged as a set union. */
    public PatchSchema withPrimitiveMerge(String path) {
        return with(path, new ListMerge(null));
    }

    /** Returns a copy with all entries of {@code other} re-rooted under {@code prefix} (empty prefix: as is). */
    public PatchSchema withAll(String prefix, PatchSchema other) {
        Map<String, ListMerge> copy = new HashMap<>(lists);
        other.lists.forEach((p, m) -> copy.put(prefix.isEmpty() ? p : prefix + "." + p, m));
        return new PatchSchema(copy);
    }

    private PatchSchema with(String path, ListMerge merge) {
        Map<String, ListMerge> copy = new HashMap<>(lists);
        copy.put(path, merge);
        return new PatchSchema(copy);
    }

    /** Merge metadata of the list at {@code path}, or null when that list is atomic. */
    public ListMerge listAt(String path) {
        return lists.get(path);
    }

    public Map<String, ListMerge> lists() {
        return lists;
    }
}
