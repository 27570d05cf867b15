package dev.everynode;

import dev.everynode.support.TestDatabase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;

/**
 * {@code ./mvnw spring-boot:run}: the service on an embedded PostgreSQL whose data lives in {@code .data/}
 * between runs, unless SPRING_DATASOURCE_URL points at a server.
 */
public final class DevApplication {

    private DevApplication() {}

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(EverynodeApplication.class);
        if (System.getenv("SPRING_DATASOURCE_URL") == null) {
            TestDatabase.Connection db = TestDatabase.embedded(Path.of(".data", "postgres").toAbsolutePath());
            Map<String, Object> props = new HashMap<>();
            props.put("spring.datasource.url", db.url() + "&reWriteBatchedInserts=true&tcpKeepAlive=true");
            props.put("spring.datasource.username", db.username());
            props.put("spring.datasource.password", db.password());
            app.setDefaultProperties(props);
            System.setProperty("spring.datasource.url", db.url() + "&reWriteBatchedInserts=true&tcpKeepAlive=true");
            System.setProperty("spring.datasource.username", db.username());
            System.setProperty("spring.datasource.password", db.password());
        }
        app.run(args);
    }
}
