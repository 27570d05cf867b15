package dev.everynode.platform.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The service never starts open: with no admin token configured and none stored, it generates one, writes it to a
 * file only the service user can read, then stores its hash, and logs where it is.
 */
@Component
class FirstStartToken {

    private static final Logger log = LoggerFactory.getLogger(FirstStartToken.class);

    private final SecurityProperties properties;
    private final TokenRegistry tokens;

    FirstStartToken(SecurityProperties properties, TokenRegistry tokens) {
        this.properties = properties;
        this.tokens = tokens;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ensureAdmin() {
        if (!properties.isEnabled()) {
            log.warn("authentication is DISABLED (everynode.security.enabled=false): anyone who can reach this "
                    + "service controls every node");
            return;
        }
        if (TokenRegistry.hasText(properties.adminToken()) || tokens.hasStoredAdmin()) {
            return;
        }
        // The file first, the hash after: a hash stored for a token nobody could read would lock everyone out
        // for good (the next start sees an admin and generates nothing). If the file cannot be written, nothing
        // is stored and the start fails saying where; the next start tries again.
        String token = Tokens.generate(TokenRegistry.PREFIX);
        Path file = properties.tokenFileOrDefault().toAbsolutePath();
        write(file, token);
        try {
            tokens.store("admin", Principal.Role.admin, null, token);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
        log.warn("no admin token was configured: generated one and wrote it to {} (readable by this user only); "
                + "use it as a bearer token, e.g. in your kubeconfig", file);
    }

    private static void write(Path file, String token) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                file.toFile().setReadable(false, false);
                file.toFile().setReadable(true, true);
            }
            Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new UncheckedIOException("could not write the generated admin token to " + file + " (" + e
                    + "); nothing was stored. Make that directory writable for this user, point "
                    + "everynode.security.token-file (EVERYNODE_SECURITY_TOKEN_FILE) elsewhere, or set "
                    + "EVERYNODE_ADMIN_TOKEN", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException ignored) {
            // nothing to clean up, or nothing we can do about it: the start fails anyway
        }
    }
}
