package dev.everynode.namespace;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.DeleteOptions;
import dev.everynode.apimachinery.resource.ResourceStrategy;
import dev.everynode.apimachinery.resource.StoredObject;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Namespaces. Deleting one removes everything in it at once (Kubernetes drains it through a Terminating
 * phase; we have no finalizing controllers to wait for). The system namespaces cannot be deleted.
 */
@Component
public class NamespaceStrategy implements ResourceStrategy {

    private static final Set<String> PROTECTED = Set.of("default", "kube-system", "kube-public");

    private final JdbcTemplate jdbc;

    NamespaceStrategy(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public ResourceType type() {
        return NamespaceResource.TYPE;
    }

    @Override
    public void prepareForCreate(ObjectNode object) {
        NamespaceValidation.applyDefaults(object);
    }

    @Override
    public void prepareForCreateDefaultsOnly(ObjectNode object) {
        NamespaceValidation.applyDefaults(object);
    }

    @Override
    public List<Cause> validate(ObjectNode object) {
        return NamespaceValidation.validate(object);
    }

    @Override
    public DeletePlan planDelete(StoredObject namespace, DeleteOptions options) {
        if (PROTECTED.contains(namespace.name())) {
            throw ApiException.forbidden("namespaces \"" + namespace.name()
                    + "\" is forbidden: this namespace may not be deleted");
        }
        if (!options.dryRun()) {
            jdbc.update("DELETE FROM objects WHERE namespace = ?", namespace.name());
        }
        return DeletePlan.IMMEDIATE;
    }
}
