package dev.everynode.platform.security;

import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Resolves bearer tokens to principals: the configured admin, bootstrap and user tokens, then tokens in the
 * database (cached for a few seconds; a revocation on this replica takes effect at once, on others within the
 * cache time). Also issues and revokes database tokens.
 */
@Component
public class TokenRegistry {

    /**
     * How long a token lookup is reused. Every agent request carries its node token, so a short cache means a
     * database round trip per heartbeat (10,000 nodes: 1,000 a second, most of the pool's traffic). A revocation on
     * this replica takes effect at once; on other replicas within this time (Kubernetes' webhook token cache: 2 min).
     */
    private static final Duration CACHE = Duration.ofSeconds(60);

    /**
     * How long past {@link #CACHE} a known token is still answered from the cache while one background lookup
     * refreshes it. Without this, the lookups of every agent's token fell due together, and with the database
     * unreachable each request held a Tomcat thread for the pool's connection timeout: all 200 were taken and the
     * replica stopped answering /livez (FaultsIT, PostgreSQL blackholed). A revocation elsewhere still takes effect
     * within {@code CACHE} plus one lookup while the database answers.
     */
    private static final Duration STALE = Duration.ofMinutes(10);

    /** How generated tokens start: people's and bootstrap tokens, node credentials. */
    static final String PREFIX = "ent_";
    static final String NODE_PREFIX = "enn_";

    /** A stored token without its secret. */
    public record Stored(UUID id, String name, String role, String nodeName, Instant createdAt, Instant revokedAt) {}

    /** A token just issued: the secret is shown this once. */
    public record Issued(UUID id, String token, Principal principal) {}

    private record Cached(Optional<Principal> principal, Instant at) {}

    private final JdbcTemplate jdbc;
    private final SecurityProperties properties;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "token-refresh");
        t.setDaemon(true);
        return t;
    });
    private final String adminHash;
    private final String bootstrapHash;

    TokenRegistry(JdbcTemplate jdbc, SecurityProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.adminHash = hasText(properties.adminToken()) ? Tokens.sha256(properties.adminToken()) : null;
        this.bootstrapHash = hasText(properties.bootstrapToken()) ? Tokens.sha256(properties.bootstrapToken()) : null;
    }

    public Optional<Principal> resolve(String token) {
        String hash = Tokens.sha256(token);
        if (Tokens.sameHash(hash, adminHash)) {
            return Optional.of(Principal.admin("admin"));
        }
        if (Tokens.sameHash(hash, bootstrapHash)) {
            return Optional.of(new Principal("bootstrap", Principal.Role.bootstrap, null));
        }
        for (SecurityProperties.User user : properties.usersOrEmpty()) {
            if (Tokens.sameHash(hash, user.tokenSha256() == null ? null : user.tokenSha256().toLowerCase())) {
                return Optional.of(new Principal(user.name(), Principal.Role.valueOf(user.role()), null));
            }
        }
        Cached cached = cache.get(hash);
        Instant now = clock.instant();
        if (cached != null && cached.at().plus(CACHE).isAfter(now)) {
            return cached.principal();
        }
        if (cached != null && cached.principal().isPresent() && cached.at().plus(CACHE).plus(STALE).isAfter(now)) {
            refreshSoon(hash);
            return cached.principal();
        }
        return lookup(hash);
    }

    private Optional<Principal> lookup(String hash) {
        Optional<Principal> found = jdbc.query("SELECT name, role, node_name FROM api_tokens "
                        + "WHERE token_hash = ? AND revoked_at IS NULL",
                (rs, i) -> new Principal(rs.getString(1), Principal.Role.valueOf(rs.getString(2)), rs.getString(3)),
                hash).stream().findFirst();
        if (cache.size() > 100_000) {
            cache.clear();
        }
        cache.put(hash, new Cached(found, clock.instant()));
        return found;
    }

    /** One background lookup per token at a time; a failed one leaves the stale entry for the next request. */
    private void refreshSoon(String hash) {
        if (refreshing.add(hash)) {
            refresher.execute(() -> {
                try {
                    lookup(hash);
                } catch (RuntimeException e) {
                    // The database is unreachable: the next request after it answers again refreshes the entry.
                } finally {
                    refreshing.remove(hash);
                }
            });
        }
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
    }

    public Issued issue(String name, Principal.Role role, String nodeName) {
        String token = Tokens.generate(role == Principal.Role.node ? NODE_PREFIX : PREFIX);
        return store(name, role, nodeName, token);
    }

    /** Stores the hash of a token generated by the caller (who has already kept the secret somewhere). */
    Issued store(String name, Principal.Role role, String nodeName, String token) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO api_tokens (id, name, role, node_name, token_hash) VALUES (?, ?, ?, ?, ?)",
                id, name, role.name(), nodeName, Tokens.sha256(token));
        return new Issued(id, token, new Principal(name, role, nodeName));
    }

    /** A fresh credential for a node; its earlier credentials stop working. */
    public Issued issueNodeCredential(String nodeName) {
        revokeNode(nodeName);
        return issue("system:node:" + nodeName, Principal.Role.node, nodeName);
    }

    public boolean revoke(UUID id) {
        boolean revoked = jdbc.update("UPDATE api_tokens SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL",
                id) > 0;
        cache.clear();
        return revoked;
    }

    public void revokeNode(String nodeName) {
        int revoked = jdbc.update("UPDATE api_tokens SET revoked_at = now() WHERE node_name = ? AND revoked_at IS NULL",
                nodeName);
        if (revoked > 0) {
            cache.values().removeIf(c -> c.principal().map(p -> nodeName.equals(p.nodeName())).orElse(false));
        }
    }

    public List<Stored> list() {
        return jdbc.query("SELECT id, name, role, node_name, created_at, revoked_at FROM api_tokens ORDER BY created_at",
                (rs, i) -> new Stored(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(),
                        rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()));
    }

    boolean hasStoredAdmin() {
        Boolean any = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE role = 'admin' "
                + "AND revoked_at IS NULL)", Boolean.class);
        return Boolean.TRUE.equals(any);
    }

    static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
