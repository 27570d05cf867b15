package dev.everynode.apimachinery.resource;

import dev.everynode.apimachinery.json.Json;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.node.ObjectNode;

/**
 * One row of the object table. The columns are the truth for uid, resourceVersion, generation, creation and
 * deletion timestamps; {@link #body()} has them written into its metadata when read.
 */
public record StoredObject(String kind, String namespace, String name, UUID uid, long resourceVersion,
                           long generation, Instant createdAt, Instant deletionTimestamp, ObjectNode body) {

    public ObjectNode metadata() {
        return Json.child(body, "metadata");
    }
}
