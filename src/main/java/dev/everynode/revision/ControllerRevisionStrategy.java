package dev.everynode.revision;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.ResourceStrategy;
import dev.everynode.apimachinery.validation.MetaValidation;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** ControllerRevisions: written by the reconciler; users may read, list by label, delete (and create, as in Kubernetes). */
@Component
public class ControllerRevisionStrategy implements ResourceStrategy {

    @Override
    public ResourceType type() {
        return ControllerRevisionResource.TYPE;
    }

    @Override
    public List<Cause> validate(ObjectNode revision) {
        List<Cause> causes = new ArrayList<>(MetaValidation.validateObjectMeta(Json.child(revision, "metadata"), true,
                MetaValidation.NameRule.DNS1123_SUBDOMAIN));
        JsonNode number = revision.path("revision");
        if (!number.isIntegralNumber() || number.longValue() < 0) {
            causes.add(Cause.invalid("revision", number.isMissingNode() ? 0 : number.toString(),
                    "must be greater than or equal to 0"));
        }
        return causes;
    }

    @Override
    public List<Cause> validateUpdate(ObjectNode revision, ObjectNode old) {
        List<Cause> causes = new ArrayList<>(validate(revision));
        if (!revision.path("data").equals(old.path("data"))) {
            causes.add(Cause.invalid("data", "...", "field is immutable"));
        }
        return causes;
    }
}
