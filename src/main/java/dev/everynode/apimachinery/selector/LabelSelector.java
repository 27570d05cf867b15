package dev.everynode.apimachinery.selector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * A parsed Kubernetes label selector (k8s.io/apimachinery/pkg/labels). Built from the {@code labelSelector} query
 * string with {@link #parse(String)} or from a metav1.LabelSelector object with {@link #fromJson(JsonNode)}.
 * Requirements are ANDed and kept sorted by key, as in Go, so {@link #toString()} gives the canonical form that
 * kubectl shows in its SELECTOR columns.
 */
public final class LabelSelector {

    /** Selection operators; {@code symbol} is what the canonical string form prints. */
    public enum Operator {
        EQUALS("="), DOUBLE_EQUALS("=="), NOT_EQUALS("!="), IN(" in "), NOT_IN(" notin "), EXISTS(""),
        DOES_NOT_EXIST(""), GT(">"), LT("<");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    /** One requirement; {@code values} are sorted and duplicate-free. */
    public record Requirement(String key, Operator operator, List<String> values) {

        public Requirement {
            Objects.requireNonNull(key);
            Objects.requireNonNull(operator);
            values = List.copyOf(new TreeSet<>(values));
        }

        /** Validates like labels.NewRequirement, so JSON selectors and strings get the same checks. */
        static Requirement of(String key, Operator op, List<String> values) {
            LabelValidation.requireValidKey(key);
            switch (op) {
                case IN, NOT_IN -> {
                    if (values.isEmpty()) {
                        throw new IllegalArgumentException(
                                "unable to parse requirement: values: Invalid value: []: for 'in', 'notin' operators,"
                                        + " values set can't be empty");
                    }
                }
                case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
                    if (values.size() != 1) {
                        throw new IllegalArgumentException("unable to parse requirement: values: Invalid value: "
                                + values + ": exact-match compatibility requires one single value");
                    }
                }
                case EXISTS, DOES_NOT_EXIST -> {
                    if (!values.isEmpty()) {
                        throw new IllegalArgumentException("unable to parse requirement: values: Invalid value: "
                                + values + ": values set must be empty for exists and does not exist");
                    }
                }
                case GT, LT -> {
                    if (values.size() != 1 || parseLong(values.get(0)) == null) {
                        throw new IllegalArgumentException("unable to parse requirement: values[0]: Invalid value: "
                                + values + ": for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                }
            }
            for (int i = 0; i < values.size(); i++) {
                if (op != Operator.GT && op != Operator.LT) {
                    LabelValidation.requireValidValue(values.get(i), i);
                }
            }
            return new Requirement(key, op, values);
        }

        /** labels.Requirement.Matches: note NotIn and != match when the key is absent. */
        public boolean matches(Map<String, String> labels) {
            String actual = labels.get(key);
            return switch (operator) {
                case EQUALS, DOUBLE_EQUALS, IN -> actual != null && values.contains(actual);
                case NOT_EQUALS, NOT_IN -> actual == null || !values.contains(actual);
                case EXISTS -> actual != null;
                case DOES_NOT_EXIST -> actual == null;
                case GT, LT -> {
                    Long have = actual == null ? null : parseLong(actual);
                    long want = parseLong(values.get(0));
                    yield have != null && (operator == Operator.GT ? have > want : have < want);
                }
            };
        }

        @Override
        public String toString() {
            return switch (operator) {
                case DOES_NOT_EXIST -> "!" + key;
                case EXISTS -> key;
                case IN, NOT_IN -> key + operator.symbol + "(" + String.join(",", values) + ")";
                default -> key + operator.symbol + values.get(0);
            };
        }
    }

    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);
    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        List<Requirement> sorted = new ArrayList<>(requirements);
        // Stable sort by key only, like sort.Sort(ByKey) does for requirements with the same key.
        sorted.sort(Comparator.comparing(Requirement::key));
        this.requirements = List.copyOf(sorted);
        this.nothing = nothing;
    }

    /** Selector that matches every object. */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** Selector that matches no object (a nil metav1.LabelSelector). */
    public static LabelSelector nothing() {
        return NOTHING;
    }

    /**
     * Parses the string syntax of {@code ?labelSelector=}: {@code a=b}, {@code a==b}, {@code a!=b},
     * {@code a in (x,y)}, {@code a notin (x,y)}, {@code a}, {@code !a}, {@code a>1}, {@code a<1}; commas AND.
     * A null or blank string selects everything.
     *
     * @throws IllegalArgumentException with a kube-apiserver-like message when the string is invalid
     */
    public static LabelSelector parse(String s) {
        if (s == null || s.isBlank()) {
            return EVERYTHING;
        }
        return new LabelSelector(SelectorParser.parse(s), false);
    }

    /**
     * Converts a metav1.LabelSelector (matchLabels + matchExpressions) like metav1.LabelSelectorAsSelector: a null,
     * missing or JSON-null node selects nothing; {@code {}} selects everything.
     *
     * @throws IllegalArgumentException for unknown operators or invalid keys/values
     */
    public static LabelSelector fromJson(JsonNode selector) {
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return NOTHING;
        }
        if (!selector.isObject()) {
            throw new IllegalArgumentException("label selector must be an object");
        }
        List<Requirement> reqs = new ArrayList<>();
        JsonNode matchLabels = selector.path("matchLabels");
        if (matchLabels.isObject()) {
            for (Map.Entry<String, JsonNode> e : matchLabels.properties()) {
                reqs.add(Requirement.of(e.getKey(), Operator.EQUALS, List.of(e.getValue().asString())));
            }
        }
        JsonNode expressions = selector.path("matchExpressions");
        if (expressions.isArray()) {
            for (JsonNode expr : expressions) {
                List<String> values = new ArrayList<>();
                for (JsonNode v : expr.path("values")) {
                    values.add(v.asString());
                }
                String op = expr.path("operator").asString("");
                Operator operator = switch (op) {
                    case "In" -> Operator.IN;
                    case "NotIn" -> Operator.NOT_IN;
                    case "Exists" -> Operator.EXISTS;
                    case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                    default -> throw new IllegalArgumentException("\"" + op + "\" is not a valid label selector operator");
                };
                reqs.add(Requirement.of(expr.path("key").asString(""), operator, values));
            }
        }
        return reqs.isEmpty() ? EVERYTHING : new LabelSelector(reqs, false);
    }

    /** The {@code metadata.labels} of an object as a map; empty when absent. */
    public static Map<String, String> labelsOf(JsonNode objectMetadata) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (objectMetadata != null) {
            JsonNode node = objectMetadata.path("labels");
            if (node.isObject()) {
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    if (!e.getValue().isNull()) {
                        labels.put(e.getKey(), e.getValue().asString());
                    }
                }
            }
        }
        return labels;
    }

    /** True when every requirement holds; a "nothing" selector never matches. */
    public boolean matches(Map<String, String> labels) {
        if (nothing) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (Requirement r : requirements) {
            if (!r.matches(l)) {
                return false;
            }
        }
        return true;
    }

    /** True for the selector that matches everything (no requirements). */
    public boolean isEmpty() {
        return !nothing && requirements.isEmpty();
    }

    /** True for the selector that matches nothing. */
    public boolean isNothing() {
        return nothing;
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    /** Canonical form, e.g. {@code app=web,tier in (a,b)}; empty for everything and nothing, as in Go. */
    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
