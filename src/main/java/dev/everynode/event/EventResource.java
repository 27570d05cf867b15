package dev.everynode.event;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.resource.BaseResourceDefinition;
import dev.everynode.apimachinery.table.Cells;
import dev.everynode.apimachinery.table.TableColumn;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** core/v1 Event as the API serves it: read-only (the reconciler writes events), printEvent's columns. */
@Component
@Order(4)
public final class EventResource extends BaseResourceDefinition {

    public static final ResourceType TYPE = new ResourceType("", "v1", "Event", "events", true, false);

    private static final List<TableColumn> COLUMNS = List.of(
            TableColumn.string("Last Seen", "The time at which the most recent occurrence of this event was "
                    + "recorded."),
            TableColumn.string("Type", "Type of this event (Normal, Warning), new types could be added in the "
                    + "future"),
            TableColumn.string("Reason", "This should be a short, machine understandable string that gives the "
                    + "reason for the transition into the object's current status."),
            TableColumn.string("Object", "The object that this event is about."),
            TableColumn.wide("Subobject", "The field of the object that this event is about, if any."),
            TableColumn.wide("Source", "The component reporting this event."),
            TableColumn.string("Message", "A human-readable description of the status of this operation."),
            TableColumn.wide("First Seen", "The time at which the event was first recorded."),
            TableColumn.wide("Count", "The number of times this event has occurred."),
            TableColumn.wideNameColumn());

    public EventResource() {
        super(TYPE, null, COLUMNS);
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        Instant firstTime = Cells.time(o.get("firstTimestamp"));
        String first = Cells.since(firstTime != null ? firstTime : Cells.time(o.get("eventTime")), now);
        Instant lastTime = Cells.time(o.get("lastTimestamp"));
        String last = lastTime != null ? Cells.since(lastTime, now) : first;
        long count = o.path("count").asLong(0);
        JsonNode series = o.get("series");
        if (series != null && series.isObject()) {
            last = Cells.since(Cells.time(series.get("lastObservedTime")), now);
            count = series.path("count").asLong(0);
        } else if (count == 0) {
            count = 1;
        }
        JsonNode involved = o.path("involvedObject");
        String target = Cells.lower(involved.path("kind").asString(""));
        String involvedName = involved.path("name").asString("");
        if (!involvedName.isEmpty()) {
            target = target + "/" + involvedName;
        }
        String component = Cells.firstNonEmpty(Json.text(o, "source", "component"), Json.text(o, "reportingComponent"));
        String instance = Cells.firstNonEmpty(Json.text(o, "source", "host"), Json.text(o, "reportingInstance"));
        String source = instance.isEmpty() ? component : component + ", " + instance;
        return List.of(last, Cells.orEmpty(Json.text(o, "type")), Cells.orEmpty(Json.text(o, "reason")), target,
                involved.path("fieldPath").asString(""), source, Cells.orEmpty(Json.text(o, "message")).strip(), first,
                count, Cells.name(o));
    }

    @Override
    public Set<String> fieldSelectors() {
        return Set.of("involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid",
                "involvedObject.apiVersion", "reason", "type");
    }

    @Override
    public List<String> verbs() {
        return List.of("get", "list", "watch");
    }

    @Override
    public List<String> shortNames() {
        return List.of("ev");
    }
}
