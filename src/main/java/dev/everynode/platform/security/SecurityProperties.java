package dev.everynode.platform.security;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code everynode.security.*}: whether authentication is on (it is, unless switched off for a local try-out),
 * the admin and bootstrap tokens (from EVERYNODE_ADMIN_TOKEN / EVERYNODE_BOOTSTRAP_TOKEN), more users by token
 * hash, and where a generated first-start admin token is written. A branch of
 * {@link dev.everynode.platform.EverynodeProperties}. The defaults are the constants below, bound by Spring and
 * applied by the methods to a value constructed as null (the unit tests do).
 */
public record SecurityProperties(@DefaultValue(ENABLED) Boolean enabled, String adminToken, String bootstrapToken,
                                 @DefaultValue(TOKEN_FILE) Path tokenFile, List<User> users,
                                 @DefaultValue(AUTH_FAILURES_PER_MINUTE) Integer authFailuresPerMinute) {

    static final String ENABLED = "true";
    static final String TOKEN_FILE = ".data/admin-token";
    static final String AUTH_FAILURES_PER_MINUTE = "30";

    /** A configured user: name, role (admin or viewer) and the SHA-256 (hex) of its token. */
    public record User(String name, String role, String tokenSha256) {}

    public boolean isEnabled() {
        return enabled == null ? Boolean.parseBoolean(ENABLED) : enabled;
    }

    public List<User> usersOrEmpty() {
        return users == null ? List.of() : users;
    }

    public Path tokenFileOrDefault() {
        return tokenFile == null ? Path.of(TOKEN_FILE) : tokenFile;
    }

    public int failuresPerMinute() {
        return authFailuresPerMinute == null ? Integer.parseInt(AUTH_FAILURES_PER_MINUTE) : authFailuresPerMinute;
    }
}
