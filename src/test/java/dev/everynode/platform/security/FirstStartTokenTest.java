package dev.everynode.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no admin token configured, the first start generates one: hash in the database, secret in a 0600 file. */
class FirstStartTokenTest extends IntegrationTest {

    @Test
    void generatesStoresAndWritesAnAdminToken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets").resolve("admin-token");
        SecurityProperties unconfigured = new SecurityProperties(true, null, null, file, null, null);
        TokenRegistry registry = new TokenRegistry(jdbc, unconfigured, Clock.systemUTC());
        new FirstStartToken(unconfigured, registry).ensureAdmin();

        String token = Files.readString(file).trim();
        assertThat(token).startsWith("ent_").hasSizeGreaterThan(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(registry.resolve(token)).get().extracting(Principal::role).isEqualTo(Principal.Role.admin);
        Integer hashed = jdbc.queryForObject("SELECT count(*) FROM api_tokens WHERE role = 'admin' AND token_hash = ?",
                Integer.class, Tokens.sha256(token));
        assertThat(hashed).isEqualTo(1);

        Files.delete(file);
        new FirstStartToken(unconfigured, registry).ensureAdmin();
        assertThat(Files.exists(file)).as("a stored admin token is not replaced at the next start").isFalse();
        assertThat(api.withToken(token).get("/apis/apps/v1/daemonsets").status()).isEqualTo(200);
    }
}
