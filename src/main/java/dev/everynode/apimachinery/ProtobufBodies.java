package dev.everynode.apimachinery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one protobuf body kubectl sends us: {@code kubectl create namespace} (client-go's typed clients prefer
 * protobuf and do not fall back to JSON). Decodes the {@code k8s\0} envelope (runtime.Unknown) and a
 * core/v1 Namespace inside it: name, generateName, labels, annotations, finalizers. Any other kind is 415,
 * and {@code kubectl apply -f} (JSON) always works.
 */
final class ProtobufBodies {

    static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private ProtobufBodies() {}

    static ObjectNode decode(byte[] body) {
        if (body.length < 4 || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
            throw ApiException.badRequest("the protobuf body does not start with the k8s envelope");
        }
        Reader unknown = new Reader(body, 4, body.length);
        String apiVersion = "";
        String kind = "";
        byte[] raw = new byte[0];
        while (unknown.more()) {
            int tag = unknown.varint32();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                Reader typeMeta = unknown.message();
                while (typeMeta.more()) {
                    int t = typeMeta.varint32();
                    if (t >>> 3 == 1) {
                        apiVersion = typeMeta.string();
                    } else if (t >>> 3 == 2) {
                        kind = typeMeta.string();
                    } else {
                        typeMeta.skip(t);
                    }
                }
            } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
                raw = unknown.bytes();
            } else {
                unknown.skip(tag);
            }
        }
        if (!"Namespace".equals(kind) || !"v1".equals(apiVersion)) {
            throw new ApiException(415, "UnsupportedMediaType", "protobuf bodies are only accepted for v1 Namespace "
                    + "(kubectl create namespace); send JSON or YAML, e.g. kubectl apply -f", null, null, null, null);
        }
        return namespace(new Reader(raw, 0, raw.length));
    }

    private static ObjectNode namespace(Reader ns) {
        ObjectNode object = Json.object();
        object.put("apiVersion", "v1");
        object.put("kind", "Namespace");
        ObjectNode meta = object.putObject("metadata");
        List<String> finalizers = new ArrayList<>();
        while (ns.more()) {
            int tag = ns.varint32();
            if (tag >>> 3 == 1 && (tag & 7) == 2) {
                Reader m = ns.message();
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
                Reader spec = ns.message();
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

    private static void entry(ObjectNode map, Reader e) {
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

    /** A minimal protobuf wire-format reader over a byte range. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw ApiException.badRequest("truncated protobuf body");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw ApiException.badRequest("malformed protobuf varint");
        }

        int varint32() {
            return (int) varint();
        }

        Reader message() {
            int length = varint32();
            if (length < 0 || pos + length > end) {
                throw ApiException.badRequest("truncated protobuf body");
            }
            Reader r = new Reader(buf, pos, pos + length);
            pos += length;
            return r;
        }

        byte[] bytes() {
            Reader r = message();
            byte[] out = new byte[r.end - r.pos];
            System.arraycopy(buf, r.pos, out, 0, out.length);
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> message();
                case 5 -> pos += 4;
                default -> throw ApiException.badRequest("unsupported protobuf wire type " + (tag & 7));
            }
        }
    }
}
