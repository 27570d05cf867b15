package dev.everynode.namespace;

import dev.everynode.apimachinery.codec.Protobuf;
import dev.everynode.apimachinery.json.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A core/v1 Namespace from protobuf, the body of {@code kubectl create namespace}: name, generateName, labels,
 * annotations and finalizers.
 */
final class NamespaceProtobuf {

    private NamespaceProtobuf() {}

    static ObjectNode decode(Protobuf.Reader ns) {
        ObjectNode object = Json.object();
        object.put("apiVersion", NamespaceResource.TYPE.apiVersion());
        object.put("kind", NamespaceResource.TYPE.kind());
        ObjectNode meta = object.putObject("metadata");
        List<String> finalizers = new ArrayList<>();
        while (ns.more()) {
            int tag = ns.varint32();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                Protobuf.Reader m = ns.message();
                while (m.more()) {
                    int t = m.varint32();
                    switch (t >>> 3) {
                        case 1 -> putIfNotEmpty(meta, "name", m.string());
                        case 2 -> putIfNotEmpty(meta, "generateName", m.string());
                        case 11 -> entry(Json.child(meta, "labels"), m.message());
                        case 12 -> entry(Json.child(meta, "annotations"), m.message());
                        default -> m.skip(t);
                    }
                }
            } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
                Protobuf.Reader spec = ns.message();
                while (spec.more()) {
                    int t = spec.varint32();
                    if (t >>> 3 == 1) {
                        finalizers.add(spec.string());
                    } else {
                        spec.skip(t);
                    }
                }
            } else {
                ns.skip(tag);
            }
        }
        if (!finalizers.isEmpty()) {
            var array = object.putObject("spec").putArray("finalizers");
            finalizers.forEach(array::add);
        }
        return object;
    }

    private static void entry(ObjectNode map, Protobuf.Reader e) {
        String key = "";
        String value = "";
        while (e.more()) {
            int t = e.varint32();
            if (t >>> 3 == 1) {
                key = e.string();
            } else if (t >>> 3 == 2) {
                value = e.string();
            } else {
                e.skip(t);
            }
        }
        map.put(key, value);
    }

    private static void putIfNotEmpty(ObjectNode node, String field, String value) {
        if (!value.isEmpty()) {
            node.put(field, value);
        }
    }
}
