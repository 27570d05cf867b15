package dev.everynode.apimachinery.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.support.ApiClient;
import dev.everynode.support.IntegrationTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.CannotCreateTransactionException;
import tools.jackson.databind.JsonNode;

/**
 * While the connection pool has nothing to give (every connection borrowed, so Hikari's connection-timeout passes),
 * requests are answered 503 ServiceUnavailable with a Kubernetes Status body (details.retryAfterSeconds) and a
 * Retry-After header, never 500: through Spring MVC, through the agents' fast path (a pod status report, whose
 * coalesced transaction cannot start), and from the authentication filter (a token lookup). Afterwards the same
 * requests succeed.
 */
class PoolTimeoutStatusTest extends IntegrationTest {

    @Autowired
    DataSource dataSource;

    @Test
    void aPoolTimeoutIsA503StatusWithRetryAfter() throws Exception {
        api.post("/agent/v1/nodes", node("pool-timeout-node"));
        String report = """
                {"statuses": [{"namespace": "default", "name": "no-such-pod", "status": {"phase": "Running"}}]}""";
        HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
        List<Connection> held = drain(hikari);
        List<ApiClient.Response> answers = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            assertThat(hikari.getHikariPoolMXBean().getIdleConnections()).isZero();
            answers.add(api.get("/api/v1/namespaces/default/pods"));
            answers.add(api.post("/agent/v1/nodes/pool-timeout-node/pod-statuses", Json.MAPPER.readTree(report)));
            // a token never seen: the authentication filter must look it up in the database
            answers.add(api.withToken("ent_never-seen-token-0123456789abcdef").get("/api/v1/nodes"));
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("pool timeout: 3 requests answered in %.1f s with %s%n", seconds,
                answers.stream().map(a -> a.status() + " Retry-After=" + a.header("Retry-After")).toList());
        for (ApiClient.Response r : answers) {
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.header("Retry-After")).as("Retry-After").matches("[1-9][0-9]*");
            JsonNode status = r.json();
            assertThat(status.path("kind").asString()).isEqualTo("Status");
            assertThat(status.path("apiVersion").asString()).isEqualTo("v1");
            assertThat(status.path("status").asString()).isEqualTo("Failure");
            assertThat(status.path("reason").asString()).isEqualTo("ServiceUnavailable");
            assertThat(status.path("code").asInt()).isEqualTo(503);
            assertThat(status.path("details").path("retryAfterSeconds").asInt())
                    .isEqualTo(Integer.parseInt(r.header("Retry-After")));
            assertThat(r.body()).doesNotContain("at org.").doesNotContain("at com.zaxxer");
        }
        // the pool is back: the same requests succeed
        assertThat(api.get("/api/v1/namespaces/default/pods").status()).isEqualTo(200);
        ApiClient.Response again = api.post("/agent/v1/nodes/pool-timeout-node/pod-statuses",
                Json.MAPPER.readTree(report));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().path("results").path(0).path("result").asString()).isEqualTo("notFound");
    }

    @Test
    void connectionFailuresAreRecognisedWhereverTheyAreWrapped() {
        assertThat(ApiExceptionHandler.databaseUnavailable(new CannotCreateTransactionException("x",
                new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request timed out "
                        + "after 3000ms")))).isNotNull();
        assertThat(ApiExceptionHandler.databaseUnavailable(new java.util.concurrent.CompletionException(
                new org.springframework.dao.DataAccessResourceFailureException("x",
                        new SQLException("I/O error", "08006"))))).isNotNull();
        assertThat(ApiExceptionHandler.databaseUnavailable(new SQLException("terminating connection due to "
                + "administrator command", "57P01"))).isNotNull();
        ApiException e = ApiExceptionHandler.databaseUnavailable(new org.springframework.jdbc
                .CannotGetJdbcConnectionException("x"));
        assertThat(e.code()).isEqualTo(503);
        assertThat(e.reason()).isEqualTo("ServiceUnavailable");
        assertThat(e.retryAfterSeconds()).isBetween(1, 2);
        // not a connection failure: a constraint violation or a bug stays what it is
        assertThat(ApiExceptionHandler.databaseUnavailable(new SQLException("duplicate key", "23505"))).isNull();
        assertThat(ApiExceptionHandler.databaseUnavailable(new IllegalStateException("bug"))).isNull();
    }

    /** Borrows every connection the pool has or can open, until a borrow times out. */
    private static List<Connection> drain(HikariDataSource hikari) throws SQLException {
        List<Connection> held = new ArrayList<>();
        try {
            while (held.size() < hikari.getMaximumPoolSize()) {
                held.add(hikari.getConnection());
            }
        } catch (SQLTransientConnectionException busy) {
            // a background task holds the rest for now; it gives it back, and nobody else gets it while we wait
            if (held.size() < hikari.getMaximumPoolSize()) {
                held.add(hikari.getConnection());
            }
        }
        return held;
    }

    private static tools.jackson.databind.node.ObjectNode node(String name) {
        return Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "%s"}, "status": {}}""".formatted(name));
    }
}
