package dev.everynode.apimachinery;

import dev.everynode.apimachinery.patch.PatchSchema;
import dev.everynode.apimachinery.resource.ResourceDefinition;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import dev.everynode.daemonset.DaemonSetResource;
import dev.everynode.event.EventResource;
import dev.everynode.namespace.NamespaceResource;
import dev.everynode.node.NodeResource;
import dev.everynode.pod.PodResource;
import dev.everynode.revision.ControllerRevisionResource;
import java.util.List;

/** The served resources' definitions without their strategies, for tests of printing and patching. */
public final class Definitions {

    public static final ResourceDefinition DAEMON_SET = new DaemonSetResource(null);
    public static final ResourceDefinition POD = new PodResource(null);
    public static final ResourceDefinition NODE = new NodeResource(null);
    public static final ResourceDefinition NAMESPACE = new NamespaceResource(null);
    public static final ResourceDefinition CONTROLLER_REVISION = new ControllerRevisionResource(null);
    public static final ResourceDefinition EVENT = new EventResource();
    public static final ResourceRegistry REGISTRY = new ResourceRegistry(List.of(NAMESPACE, NODE, POD, EVENT, DAEMON_SET,
            CONTROLLER_REVISION));

    private Definitions() {}

    /** The patch schema of a served kind; any other kind gets ObjectMeta's lists only. */
    public static PatchSchema patchSchema(String kind) {
        return REGISTRY.forKind(kind).map(ResourceDefinition::patchSchema).orElse(PatchSchema.object());
    }
}
