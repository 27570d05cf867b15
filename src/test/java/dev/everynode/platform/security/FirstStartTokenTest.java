package dev.everynode.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.everynode.support.IntegrationTest;
import java.io.UncheckedIOException;
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

    /**
     * Issue 21, item 4: a container whose data directory was not writable stored the generated token's hash, failed
     * to write the file and exited; the second start saw a stored admin, generated nothing and had no usable
     * token. Now nothing is stored unless the file was written, so the next start, with a writable path,
     * generates a token that works.
     */
    @Test
    void item4_aTokenFileThatCannotBeWrittenStoresNoHashAndTheNextStartRecovers(@TempDir Path dir) throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-directory"), "");
        Path unwritable = blocker.resolve("admin-token");
        SecurityProperties readOnly = new SecurityProperties(true, null, null, unwritable, null, null);
        TokenRegistry registry = new TokenRegistry(jdbc, readOnly, Clock.systemUTC());

        assertThatThrownBy(() -> new FirstStartToken(readOnly, registry).ensureAdmin())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(unwritable.toString())
                .hasMessageContaining("nothing was stored");
        assertThat(registry.hasStoredAdmin()).as("no admin hash without its file").isFalse();

        Path writable = dir.resolve("data").resolve("admin-token");
        SecurityProperties fixed = new SecurityProperties(true, null, null, writable, null, null);
        new FirstStartToken(fixed, new TokenRegistry(jdbc, fixed, Clock.systemUTC())).ensureAdmin();
        String token = Files.readString(writable).trim();
        assertThat(api.withToken(token).get("/apis/apps/v1/daemonsets").status()).isEqualTo(200);
    }
}
