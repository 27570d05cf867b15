package dev.everynode.node;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.DeleteOptions;
import dev.everynode.apimachinery.resource.ResourceStrategy;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.pod.PodRepository;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Nodes. A create keeps the status it was sent, as kubelet registers nodes. Deleting a node removes the pods
 * bound to it at once (Kubernetes' pod garbage collector does the same for pods on vanished nodes).
 */
@Component
public class NodeStrategy implements ResourceStrategy {

    private final PodRepository pods;

    NodeStrategy(PodRepository pods) {
        this.pods = pods;
    }

    @Override
    public ResourceType type() {
        return NodeResource.TYPE;
    }

    @Override
    public boolean keepsStatusOnCreate() {
        return true;
    }

    @Override
    public void prepareForCreate(ObjectNode object) {
        NodeValidation.applyDefaults(object);
    }

    @Override
    public void prepareForCreateDefaultsOnly(ObjectNode object) {
        NodeValidation.applyDefaults(object);
    }

    @Override
    public List<Cause> validate(ObjectNode object) {
        return NodeValidation.validate(object);
    }

    @Override
    public DeletePlan planDelete(StoredObject node, DeleteOptions options) {
        if (!options.dryRun()) {
            pods.deleteOnNode(node.name());
        }
        return DeletePlan.IMMEDIATE;
    }
}
