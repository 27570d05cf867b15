package dev.everynode.platform.security;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code everynode.security.*}: whether authentication is on (it is, unless switched off for a local try-out),
 * the admin and bootstrap tokens (from EVERYNODE_ADMIN_TOKEN / EVERYNODE_BOOTSTRAP_TOKEN), more users by token
 * hash, and where a generated first-start admin token is written.
 */
@ConfigurationProperties("everynode.security")
public record SecurityProperties(Boolean enabled, String adminToken, String bootstrapToken, Path tokenFile,
                                 List<User> users, Integer authFailuresPerMinute) {

    /** A configured user: name, role (admin or viewer) and the SHA-256 (hex) of its token. */
    public record User(String name, String role, String tokenSha256) {}

    public boolean isEnabled() {
        return enabled == null || enabled;
    }

    public List<User> usersOrEmpty() {
        return users == null ? List.of() : users;
    }

    public Path tokenFileOrDefault() {
        return tokenFile == null ? Path.of(".data", "admin-token") : tokenFile;
    }

    public int failuresPerMinute() {
        return authFailuresPerMinute == null ? 30 : authFailuresPerMinute;
    }
}
