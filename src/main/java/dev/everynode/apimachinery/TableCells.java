package dev.everynode.apimachinery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cells of one row, ported from the apiserver's printers ({@code pkg/printers/internalversion}). Like the
 * apiserver, wide cells are always included: kubectl drops priority 1 columns itself unless {@code -o wide}.
 */
final class TableCells {

    static final String NONE = "<none>";
    static final String UNKNOWN = "<unknown>";

    private TableCells() {}

    static List<Object> of(String kind, ObjectNode o, Instant now) {
        String name = Json.text(o, "metadata", "name");
        String age = HumanDuration.since(time(o.path("metadata").path("creationTimestamp")), now);
        return switch (kind) {
            case "DaemonSet" -> daemonSet(o, name, age);
            case "Pod" -> PodCells.of(o, name, age, now);
            case "Node" -> node(o, name, age);
            case "Namespace" -> List.of(name, orEmpty(Json.text(o, "status", "phase")), age);
            case "ControllerRevision" -> List.of(name, controller(o), o.path("revision").asLong(0), age);
            case "Event" -> event(o, name, now);
            default -> List.of(name, age);
        };
    }

    private static List<Object> daemonSet(ObjectNode o, String name, String age) {
        JsonNode status = o.path("status");
        JsonNode podSpec = o.path("spec").path("template").path("spec");
        List<String> containers = new ArrayList<>();
        List<String> images = new ArrayList<>();
        for (JsonNode c : podSpec.path("containers")) {
            containers.add(c.path("name").asString(""));
            images.add(c.path("image").asString(""));
        }
        return List.of(name,
                status.path("desiredNumberScheduled").asLong(0),
                status.path("currentNumberScheduled").asLong(0),
                status.path("numberReady").asLong(0),
                status.path("updatedNumberScheduled").asLong(0),
                status.path("numberAvailable").asLong(0),
                formatLabels(Json.stringMap(podSpec.get("nodeSelector"))),
                age,
                String.join(",", containers),
                String.join(",", images),
                formatSelector(o.path("spec").get("selector")));
    }

    private static List<Object> node(ObjectNode o, String name, String age) {
        JsonNode status = o.path("status");
        List<String> states = new ArrayList<>();
        // Only the Ready condition counts, as in the apiserver's NodeAllConditions.
        for (JsonNode c : status.path("conditions")) {
            if ("Ready".equals(c.path("type").asString(""))) {
                states.clear();
                states.add("True".equals(c.path("status").asString("")) ? "Ready" : "NotReady");
            }
        }
        if (states.isEmpty()) {
            states.add("Unknown");
        }
        if (o.path("spec").path("unschedulable").asBoolean(false)) {
            states.add("SchedulingDisabled");
        }
        JsonNode info = status.path("nodeInfo");
        return List.of(name, String.join(",", states), roles(Json.stringMap(o.path("metadata").get("labels"))), age,
                info.path("kubeletVersion").asString(""),
                address(status, "InternalIP"), address(status, "ExternalIP"),
                orUnknown(info.path("osImage").asString("")),
                orUnknown(info.path("kernelVersion").asString("")),
                orUnknown(info.path("containerRuntimeVersion").asString("")));
    }

    /** {@code node-role.kubernetes.io/<role>} labels and the older {@code kubernetes.io/role=<role>}, sorted. */
    static String roles(Map<String, String> labels) {
        TreeSet<String> roles = new TreeSet<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                String role = e.getKey().substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (e.getKey().equals("kubernetes.io/role") && !e.getValue().isEmpty()) {
                roles.add(e.getValue());
            }
        }
        return roles.isEmpty() ? NONE : String.join(",", roles);
    }

    private static String address(JsonNode status, String type) {
        for (JsonNode a : status.path("addresses")) {
            if (type.equals(a.path("type").asString(""))) {
                return a.path("address").asString("");
            }
        }
        return NONE;
    }

    /** {@code daemonset.apps/fluentd}: the controller owner as {@code lower(Kind.group)/name}. */
    private static String controller(ObjectNode o) {
        for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                String apiVersion = ref.path("apiVersion").asString("");
                int slash = apiVersion.indexOf('/');
                String group = slash < 0 ? "" : apiVersion.substring(0, slash);
                String kind = ref.path("kind").asString("");
                String groupKind = group.isEmpty() ? kind : kind + "." + group;
                return Tables.lower(groupKind) + "/" + ref.path("name").asString("");
            }
        }
        return NONE;
    }

    private static List<Object> event(ObjectNode o, String name, Instant now) {
        Instant firstTime = time(o.get("firstTimestamp"));
        String first = HumanDuration.since(firstTime != null ? firstTime : time(o.get("eventTime")), now);
        Instant lastTime = time(o.get("lastTimestamp"));
        String last = lastTime != null ? HumanDuration.since(lastTime, now) : first;
        long count = o.path("count").asLong(0);
        JsonNode series = o.get("series");
        if (series != null && series.isObject()) {
            last = HumanDuration.since(time(series.get("lastObservedTime")), now);
            count = series.path("count").asLong(0);
        } else if (count == 0) {
            count = 1;
        }
        JsonNode involved = o.path("involvedObject");
        String target = Tables.lower(involved.path("kind").asString(""));
        String involvedName = involved.path("name").asString("");
        if (!involvedName.isEmpty()) {
            target = target + "/" + involvedName;
        }
        String component = firstNonEmpty(Json.text(o, "source", "component"), Json.text(o, "reportingComponent"));
        String instance = firstNonEmpty(Json.text(o, "source", "host"), Json.text(o, "reportingInstance"));
        String source = instance.isEmpty() ? component : component + ", " + instance;
        return List.of(last, orEmpty(Json.text(o, "type")), orEmpty(Json.text(o, "reason")), target,
                involved.path("fieldPath").asString(""), source, orEmpty(Json.text(o, "message")).strip(), first,
                count, name);
    }

    /** {@code a=1,b=2} sorted by key, {@code <none>} when empty: labels.FormatLabels. */
    static String formatLabels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return NONE;
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(labels).forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    /** A LabelSelector the way metav1.FormatLabelSelector prints it: requirements sorted by key. */
    static String formatSelector(JsonNode selector) {
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

    static Instant time(JsonNode node) {
        if (node == null || !node.isString() || node.stringValue().isEmpty()) {
            return null;
        }
        try {
            return Json.parseTime(node.stringValue());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String firstNonEmpty(String a, String b) {
        return a != null && !a.isEmpty() ? a : b == null ? "" : b;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? UNKNOWN : s;
    }
}
