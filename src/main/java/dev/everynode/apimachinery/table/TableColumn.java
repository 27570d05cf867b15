package dev.everynode.apimachinery.table;

/** One columnDefinition of a Table; priority 1 columns show only with {@code kubectl get -o wide}. */
public record TableColumn(String name, String type, String format, String description, int priority) {

    private static final String NAME_DOC = "Name must be unique within a namespace. Is required when creating "
            + "resources, although some resources may allow a client to request the generation of an appropriate "
            + "name automatically. Name is primarily intended for creation idempotence and configuration definition. "
            + "Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
    private static final String AGE_DOC = "CreationTimestamp is a timestamp representing the server time when this "
            + "object was created. It is not guaranteed to be set in happens-before order across separate operations. "
            + "Clients may not set this value. It is represented in RFC3339 form and is in UTC.";

    public static TableColumn nameColumn() {
        return new TableColumn("Name", "string", "name", NAME_DOC, 0);
    }

    /** The Name column shown only with -o wide (events put it last). */
    public static TableColumn wideNameColumn() {
        return new TableColumn("Name", "string", "name", NAME_DOC, 1);
    }

    public static TableColumn ageColumn() {
        return string("Age", AGE_DOC);
    }

    public static TableColumn string(String name, String description) {
        return new TableColumn(name, "string", "", description, 0);
    }

    public static TableColumn integer(String name, String description) {
        return new TableColumn(name, "integer", "", description, 0);
    }

    public static TableColumn wide(String name, String description) {
        return new TableColumn(name, "string", "", description, 1);
    }
}
