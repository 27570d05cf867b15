package dev.everynode.nodeagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code <state-dir>/state.json}: the pods this agent runs (the assigned Pod, its start time) and, per
 * container, what the runtime needs to adopt it after an agent restart (pid + process start instant, or Docker
 * container id) and its restart count. Written atomically (temp file + rename) on every change.
 */
final class StateStore {

    private final Path file;
    private ObjectNode state;

    StateStore(Path dir) {
        this.file = dir.resolve("state.json");
        ObjectNode loaded = null;
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                JsonNode n = Js.parse(Files.readAllBytes(file));
                loaded = n instanceof ObjectNode o ? o : null;
            }
        } catch (IOException | RuntimeException e) {
            Log.info("state file %s unreadable (%s): starting without it", file, e.getMessage());
        }
        state = loaded != null ? loaded : Js.object();
        if (!state.path("pods").isObject()) {
            state.putObject("pods");
        }
    }

    synchronized ObjectNode pods() {
        return ((ObjectNode) state.get("pods")).deepCopy();
    }

    synchronized ObjectNode pod(String uid) {
        JsonNode p = state.get("pods").get(uid);
        return p instanceof ObjectNode o ? o.deepCopy() : null;
    }

    synchronized void putPod(String uid, ObjectNode entry) {
        ((ObjectNode) state.get("pods")).set(uid, entry.deepCopy());
        save();
    }

    synchronized void removePod(String uid) {
        if (((ObjectNode) state.get("pods")).remove(uid) != null) {
            save();
        }
    }

    private void save() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, Js.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Log.info("cannot write state file %s: %s", file, e.getMessage());
        }
    }
}
