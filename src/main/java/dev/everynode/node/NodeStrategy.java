package dev.everynode.node;

import dev.everynode.apimachinery.Cause;
import dev.everynode.apimachinery.DeleteOptions;
import dev.everynode.apimachinery.ResourceStrategy;
import dev.everynode.apimachinery.ResourceType;
import dev.everynode.apimachinery.StoredObject;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Nodes. A create keeps the status it was sent, as kubelet registers nodes. Deleting a node removes the pods
 * bound to it at once (Kubernetes' pod garbage collector does the same for pods on vanished nodes).
 */
@Component
public class NodeStrategy implements ResourceStrategy {

    private final JdbcTemplate jdbc;

    NodeStrategy(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public ResourceType type() {
        return ResourceType.NODE;
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
            jdbc.update("DELETE FROM objects WHERE kind = 'Pod' AND node_name = ?", node.name());
        }
        return DeletePlan.IMMEDIATE;
    }
}
