package dev.everynode.apimachinery.table;

import dev.everynode.apimachinery.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the apiserver's printers ({@code pkg/printers/internalversion}) share, for the resources' own cells:
 * name, age, labels and selectors the way kubectl prints them. Like the apiserver, wide cells are always
 * included: kubectl drops priority 1 columns itself unless {@code -o wide}.
 */
public final class Cells {

    public static final String NONE = "<none>";
    public static final String UNKNOWN = "<unknown>";

    private Cells() {}

    public static String name(ObjectNode o) {
        return Json.text(o, "metadata", "name");
    }

    /** The age column: time since creationTimestamp, {@code <unknown>} without one. */
    public static String age(ObjectNode o, Instant now) {
        return HumanDuration.since(time(o.path("metadata").path("creationTimestamp")), now);
    }

    public static String since(Instant then, Instant now) {
        return HumanDuration.since(then, now);
    }

    /** {@code daemonset.apps/fluentd}: the controller owner as {@code lower(Kind.group)/name}. */
    public static String controller(ObjectNode o) {
        for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                String apiVersion = ref.path("apiVersion").asString("");
                int slash = apiVersion.indexOf('/');
                String group = slash < 0 ? "" : apiVersion.substring(0, slash);
                String kind = ref.path("kind").asString("");
                String groupKind = group.isEmpty() ? kind : kind + "." + group;
                return lower(groupKind) + "/" + ref.path("name").asString("");
            }
        }
        return NONE;
    }

    /** {@code a=1,b=2} sorted by key, {@code <none>} when empty: labels.FormatLabels. */
    public static String formatLabels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return NONE;
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(labels).forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    /** A LabelSelector the way metav1.FormatLabelSelector prints it: requirements sorted by key. */
    public static String formatSelector(JsonNode selector) {
        if (selector == null || !selector.isObject()) {
            return NONE;
        }
        TreeMap<String, List<String>> byKey = new TreeMap<>();
        Json.stringMap(selector.get("matchLabels"))
                .forEach((k, v) -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(k + "=" + v));
        for (JsonNode e : selector.path("matchExpressions")) {
            String key = e.path("key").asString("");
            TreeSet<String> values = new TreeSet<>();
            e.path("values").forEach(v -> values.add(v.asString("")));
            String requirement = switch (e.path("operator").asString("")) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                case "DoesNotExist" -> "!" + key;
                default -> key + " " + e.path("operator").asString("") + " (" + String.join(",", values) + ")";
            };
            byKey.computeIfAbsent(key, x -> new ArrayList<>()).add(requirement);
        }
        List<String> parts = new ArrayList<>();
        byKey.values().forEach(parts::addAll);
        return parts.isEmpty() ? NONE : String.join(",", parts);
    }

    /** A timestamp field, or null when absent or unparsable. */
    public static Instant time(JsonNode node) {
        if (node == null || !node.isString() || node.stringValue().isEmpty()) {
            return null;
        }
        try {
            return Json.parseTime(node.stringValue());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    public static String firstNonEmpty(String a, String b) {
        return a != null && !a.isEmpty() ? a : b == null ? "" : b;
    }

    public static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    public static String orUnknown(String s) {
        return s.isEmpty() ? UNKNOWN : s;
    }

    public static String orNone(String s) {
        return s.isEmpty() ? NONE : s;
    }
}
