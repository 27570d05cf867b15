package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.NodeSelectorTerm;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.Requirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code nodeaffinity.RequiredNodeAffinity.Match}: the nodeSelector map AND the required node affinity terms.
 * A term that fails to parse (wrong value count, non-integer Gt/Lt value, unknown operator) matches nothing,
 * which is how the DaemonSet controller treats such errors.
 */
final class NodeAffinity {

    private static final String NODE_NAME_FIELD = "metadata.name";

    private NodeAffinity() {}

    static boolean matches(Map<String, String> nodeSelector, List<NodeSelectorTerm> requiredTerms, NodeView node) {
        Map<String, String> labels = node.labels() == null ? Map.of() : node.labels();
        if (nodeSelector != null) {
            for (Map.Entry<String, String> entry : nodeSelector.entrySet()) {
                if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                    return false;
                }
            }
        }
        if (requiredTerms == null) {
            return true;
        }
        return requiredTerms.stream().anyMatch(term -> termMatches(term, labels, node.name()));
    }

    private static boolean termMatches(NodeSelectorTerm term, Map<String, String> labels, String nodeName) {
        List<Requirement> expressions = term.matchExpressions() == null ? List.of() : term.matchExpressions();
        List<Requirement> fields = term.matchFields() == null ? List.of() : term.matchFields();
        if (expressions.isEmpty() && fields.isEmpty()) {
            return false;
        }
        for (Requirement requirement : expressions) {
            Optional<Boolean> result = labelMatch(requirement, labels);
            if (result.isEmpty() || !result.get()) {
                return false;
            }
        }
        for (Requirement requirement : fields) {
            Optional<Boolean> result = fieldMatch(requirement, nodeName);
            if (result.isEmpty() || !result.get()) {
                return false;
            }
        }
        return true;
    }

    /** {@code labels.Requirement.Matches}; empty when the requirement itself is invalid. */
    static Optional<Boolean> labelMatch(Requirement requirement, Map<String, String> labels) {
        List<String> values = requirement.values() == null ? List.of() : requirement.values();
        String key = requirement.key();
        boolean has = labels.containsKey(key);
        String operator = requirement.operator() == null ? "" : requirement.operator();
        switch (operator) {
            case "In":
                return values.isEmpty() ? Optional.empty() : Optional.of(has && values.contains(labels.get(key)));
            case "NotIn":
                return values.isEmpty() ? Optional.empty() : Optional.of(!has || !values.contains(labels.get(key)));
            case "Exists":
                return values.isEmpty() ? Optional.of(has) : Optional.empty();
            case "DoesNotExist":
                return values.isEmpty() ? Optional.of(!has) : Optional.empty();
            case "Gt":
            case "Lt":
                if (values.size() != 1) {
                    return Optional.empty();
                }
                Optional<Long> bound = parseInt64(values.get(0));
                if (bound.isEmpty()) {
                    return Optional.empty();
                }
                Optional<Long> actual = has ? parseInt64(labels.get(key)) : Optional.empty();
                if (actual.isEmpty()) {
                    return Optional.of(false);
                }
                return Optional.of(operator.equals("Gt") ? actual.get() > bound.get() : actual.get() < bound.get());
            default:
                return Optional.empty();
        }
    }

    /** Field requirements allow In/NotIn with exactly one value; the only field a node has is its name. */
    private static Optional<Boolean> fieldMatch(Requirement requirement, String nodeName) {
        List<String> values = requirement.values() == null ? List.of() : requirement.values();
        if (values.size() != 1) {
            return Optional.empty();
        }
        String actual = NODE_NAME_FIELD.equals(requirement.key()) ? nodeName : "";
        return switch (requirement.operator() == null ? "" : requirement.operator()) {
            case "In" -> Optional.of(values.get(0).equals(actual));
            case "NotIn" -> Optional.of(!values.get(0).equals(actual));
            default -> Optional.empty();
        };
    }

    // Go's strconv.ParseInt(s, 10, 64) and Long.parseLong accept the same strings (optional sign, digits only).
    private static Optional<Long> parseInt64(String s) {
        try {
            return Optional.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
