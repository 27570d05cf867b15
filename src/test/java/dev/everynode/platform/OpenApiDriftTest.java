package dev.everynode.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The served OpenAPI document must equal the checked-in contract in openapi/everynode.json. After an intended
 * API change, regenerate it with {@code ./mvnw verify -Dtest=OpenApiDriftTest -Dopenapi.update=true} and
 * commit the file with the change.
 */
class OpenApiDriftTest extends IntegrationTest {

    private static final Path CONTRACT = Path.of("openapi", "everynode.json");
    private static final JsonMapper PRETTY = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    @Test
    void servedApiDocsMatchTheCheckedInContract() throws IOException {
        ApiClient.Response served = api.get("/v3/api-docs");
        assertThat(served.status()).isEqualTo(200);
        ObjectNode document = served.object();
        document.remove("servers");
        String canonical = PRETTY.writeValueAsString(PRETTY.convertValue(document, Object.class)) + "\n";
        if (Boolean.getBoolean("openapi.update")) {
            Files.createDirectories(CONTRACT.getParent());
            Files.writeString(CONTRACT, canonical);
        }
        assertThat(Files.exists(CONTRACT)).as("openapi/everynode.json exists").isTrue();
        ObjectNode checkedIn = (ObjectNode) Json.MAPPER.readTree(Files.readString(CONTRACT));
        assertThat(document)
                .as("the served /v3/api-docs drifted from openapi/everynode.json; regenerate it with "
                        + "./mvnw verify -Dtest=OpenApiDriftTest -Dopenapi.update=true and review the diff")
                .isEqualTo(checkedIn);
    }
}
