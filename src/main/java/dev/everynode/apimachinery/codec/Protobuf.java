package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.meta.ResourceType;
import java.nio.charset.StandardCharsets;

/**
 * Protobuf request bodies, which client-go's typed clients prefer and do not fall back from (kubectl create
 * namespace sends one): the {@code k8s\0} envelope (runtime.Unknown) with the apiVersion, kind and raw message
 * inside, and a minimal wire-format reader for the definitions that decode their message
 * ({@code ResourceDefinition.decodeProtobuf}). {@code kubectl apply -f} (JSON) always works.
 */
public final class Protobuf {

    public static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    /** The envelope's type and the raw message it carries. */
    public record Envelope(String apiVersion, String kind, Reader message) {}

    private Protobuf() {}

    public static Envelope unwrap(byte[] body) {
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
        return new Envelope(apiVersion, kind, new Reader(raw, 0, raw.length));
    }

    /** 415 for a protobuf body no definition decodes, naming the ones that do. */
    public static ApiException unsupported(java.util.List<ResourceType> accepted) {
        String types = String.join(", ", accepted.stream().map(t -> t.apiVersion() + " " + t.kind()).toList());
        String commands = String.join(", ", accepted.stream()
                .map(t -> "kubectl create " + t.kind().toLowerCase(java.util.Locale.ROOT)).toList());
        String accepts = accepted.isEmpty() ? "protobuf bodies are not accepted here"
                : "protobuf bodies are only accepted for " + types + " (" + commands + ")";
        return new ApiException(415, "UnsupportedMediaType", accepts + "; send JSON or YAML, e.g. kubectl apply -f",
                null, null, null, null);
    }

    /** A minimal protobuf wire-format reader over a byte range. */
    public static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        private Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        public boolean more() {
            return pos < end;
        }

        public long varint() {
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

        public int varint32() {
            return (int) varint();
        }

        public Reader message() {
            int length = varint32();
            if (length < 0 || pos + length > end) {
                throw ApiException.badRequest("truncated protobuf body");
            }
            Reader r = new Reader(buf, pos, pos + length);
            pos += length;
            return r;
        }

        public byte[] bytes() {
            Reader r = message();
            byte[] out = new byte[r.end - r.pos];
            System.arraycopy(buf, r.pos, out, 0, out.length);
            return out;
        }

        public String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        public void skip(int tag) {
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
