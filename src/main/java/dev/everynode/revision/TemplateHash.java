package dev.everynode.revision;

import dev.everynode.apimachinery.json.Json;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The controller-revision-hash of a pod template: FNV-32a over a canonical (key-sorted) JSON rendering of the
 * defaulted template, plus collisionCount as 8 little-endian bytes when set, printed as decimal digits mapped
 * onto Kubernetes' SafeEncodeString alphabet. Kubernetes hashes a Go struct dump, so the strings differ from a
 * real cluster's; what matters (equal templates, equal hash; a collision bumps collisionCount) is the same.
 */
public final class TemplateHash {

    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private TemplateHash() {}

    public static String compute(JsonNode template, Integer collisionCount) {
        byte[] bytes = canonical(template).getBytes(StandardCharsets.UTF_8);
        int hash = 0x811c9dc5;
        for (byte b : bytes) {
            hash ^= (b & 0xff);
            hash *= 0x01000193;
        }
        if (collisionCount != null) {
            long c = collisionCount;
            for (int i = 0; i < 8; i++) {
                hash ^= (int) ((c >>> (8 * i)) & 0xff);
                hash *= 0x01000193;
            }
        }
        String digits = Long.toString(Integer.toUnsignedLong(hash));
        var sb = new StringBuilder(digits.length());
        for (char ch : digits.toCharArray()) {
            sb.append(ALPHABET.charAt(ch % ALPHABET.length()));
        }
        return sb.toString();
    }

    /** Key-sorted JSON, so that the order a client wrote keys in does not change the hash. */
    static String canonical(JsonNode node) {
        Object plain = CANONICAL.convertValue(node, Object.class);
        return CANONICAL.writeValueAsString(plain == null ? Json.object() : plain);
    }
}
