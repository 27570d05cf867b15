package dev.everynode.apimachinery.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.everynode.apimachinery.Definitions;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProtobufTest {

    @Test
    void decodesTheNamespaceOfKubectlCreateNamespace() {
        byte[] metadata = concat(field(1, text("demo")), field(11, concat(field(1, text("team")), field(2, text("a")))));
        byte[] namespace = concat(field(1, metadata), field(2, field(1, text("kubernetes"))));
        ObjectNodeAssert.of(Definitions.REGISTRY.decodeProtobuf(envelope("v1", "Namespace", namespace)))
                .isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"demo\","
                        + "\"labels\":{\"team\":\"a\"}},\"spec\":{\"finalizers\":[\"kubernetes\"]}}");
    }

    @Test
    void anyOtherTypeIs415NamingTheOnesThatDecode() {
        assertThatThrownBy(() -> Definitions.REGISTRY.decodeProtobuf(envelope("v1", "Pod", new byte[0])))
                .isInstanceOf(ApiException.class)
                .hasMessage("protobuf bodies are only accepted for v1 Namespace (kubectl create namespace); send JSON "
                        + "or YAML, e.g. kubectl apply -f");
        assertThatThrownBy(() -> Definitions.REGISTRY.decodeProtobuf("{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class)
                .hasMessage("the protobuf body does not start with the k8s envelope");
    }

    private record ObjectNodeAssert(String json) {
        static ObjectNodeAssert of(tools.jackson.databind.node.ObjectNode node) {
            return new ObjectNodeAssert(Json.write(node));
        }

        void isEqualTo(String expected) {
            assertThat(Json.parseObject(json)).isEqualTo(Json.parseObject(expected));
        }
    }

    private static byte[] envelope(String apiVersion, String kind, byte[] raw) {
        byte[] typeMeta = concat(field(1, text(apiVersion)), field(2, text(kind)));
        return concat(new byte[] {'k', '8', 's', 0}, field(1, typeMeta), field(2, raw));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A length-delimited field (wire type 2); lengths here stay below 128, so one byte each. */
    private static byte[] field(int number, byte[] value) {
        return concat(new byte[] {(byte) (number << 3 | 2), (byte) value.length}, value);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
