package dev.everynode.namespace;

import dev.everynode.apimachinery.errors.Cause;
import dev.everynode.apimachinery.json.Trees;
import dev.everynode.apimachinery.validation.MetaValidation;
import dev.everynode.apimachinery.validation.MetaValidation.NameRule;
import dev.everynode.apimachinery.validation.Syntax;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** core/v1 Namespace: create-time defaults and {@code ValidateNamespace}. */
public final class NamespaceValidation {

    public static final String METADATA_NAME_LABEL = "kubernetes.io/metadata.name";
    private static final String KUBERNETES_FINALIZER = "kubernetes";

    private NamespaceValidation() {
    }

    /**
     * {@code SetDefaults_Namespace} (name label, always overwritten so it cannot lie) plus the namespace strategy's
     * create-time mutation: the "kubernetes" finalizer and phase Active.
     */
    public static void applyDefaults(ObjectNode ns) {
        ObjectNode meta = Trees.obj(ns, "metadata");
        if (meta == null) {
            meta = ns.putObject("metadata");
        }
        String name = Trees.str(meta, "name");
        if (!name.isEmpty()) {
            ObjectNode labels = Trees.obj(meta, "labels");
            if (labels == null) {
                labels = meta.putObject("labels");
            }
            labels.put(METADATA_NAME_LABEL, name);
        }
        ObjectNode spec = Trees.obj(ns, "spec");
        if (spec == null) {
            spec = ns.putObject("spec");
        }
        ArrayNode finalizers = spec.get("finalizers") instanceof ArrayNode a ? a : spec.putArray("finalizers");
        boolean hasKubernetes = false;
        for (JsonNode f : finalizers) {
            hasKubernetes |= f.isString() && KUBERNETES_FINALIZER.equals(f.stringValue());
        }
        if (!hasKubernetes) {
            finalizers.add(KUBERNETES_FINALIZER);
        }
        ObjectNode status = Trees.obj(ns, "status");
        if (status == null) {
            status = ns.putObject("status");
        }
        if (Trees.str(status, "phase").isEmpty()) {
            status.put("phase", "Active");
        }
    }

    public static List<Cause> validate(ObjectNode ns) {
        var causes = new ArrayList<Cause>();
        ObjectNode meta = Trees.obj(ns, "metadata");
        causes.addAll(MetaValidation.validateObjectMeta(meta == null ? JsonNodeFactory.instance.objectNode() : meta,
                false, NameRule.DNS1123_LABEL));
        JsonNode finalizers = Trees.obj(ns, "spec") == null ? null : ns.get("spec").get("finalizers");
        if (finalizers != null && finalizers.isArray()) {
            for (JsonNode f : finalizers) {
                causes.addAll(validateFinalizerName(f.isString() ? f.stringValue() : f.toString()));
            }
        }
        return causes;
    }

    /** Core {@code validateFinalizerName}: qualified, and a bare name must be a standard one. */
    private static List<Cause> validateFinalizerName(String value) {
        var causes = new ArrayList<Cause>();
        for (String msg : Syntax.isQualifiedName(value)) {
            causes.add(Cause.invalid("spec.finalizers", value, msg));
        }
        if (causes.isEmpty() && !value.contains("/") && !KUBERNETES_FINALIZER.equals(value)) {
            causes.add(Cause.invalid("spec.finalizers", value,
                    "name is neither a standard finalizer name nor is it fully qualified"));
        }
        return causes;
    }
}
