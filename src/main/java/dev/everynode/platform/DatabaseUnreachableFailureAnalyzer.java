package dev.everynode.platform;

import java.sql.SQLException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/** Says which database could not be reached at start-up, instead of a page of stack trace. */
class DatabaseUnreachableFailureAnalyzer extends AbstractFailureAnalyzer<SQLException> {

    private final Environment environment;

    DatabaseUnreachableFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SQLException cause) {
        String url = environment.getProperty("spring.datasource.url", "(none)");
        String user = environment.getProperty("spring.datasource.username", "(none)");
        return new FailureAnalysis(
                "Everynode could not use its PostgreSQL database at " + url + " as user '" + user + "': "
                        + cause.getMessage(),
                "Start that PostgreSQL server, or point Everynode at another one with SPRING_DATASOURCE_URL, "
                        + "SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD. For a local try-out without any "
                        + "server, run ./mvnw spring-boot:run (embedded PostgreSQL).",
                rootFailure);
    }
}
