package dev.everynode.platform.security;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.StatusBodies;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.store.ObjectStore;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bearer-token authentication and role authorization on every path but the health probes and the API
 * description (Swagger UI and /v3/api-docs) and the rollout view's static files under /ui/ (none of which hold data;
 * the view's own API calls carry the user's token). 401 and 403 are Kubernetes Status bodies, so
 * kubectl prints them well. Every mutating request leaves one audit line: who, what, result, how long.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class SecurityFilter extends OncePerRequestFilter {

    private static final Logger audit = LoggerFactory.getLogger("everynode.audit");

    private final SecurityProperties properties;
    private final TokenRegistry tokens;
    private final AuthFailureLimiter limiter;
    private final ObjectStore store;

    SecurityFilter(SecurityProperties properties, TokenRegistry tokens, AuthFailureLimiter limiter, ObjectStore store) {
        this.properties = properties;
        this.tokens = tokens;
        this.limiter = limiter;
        this.store = store;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !properties.isEnabled() || path.startsWith("/actuator/health") || path.equals("/livez")
                || path.equals("/readyz") || path.equals("/swagger-ui.html") || path.startsWith("/swagger-ui/")
                || path.startsWith("/v3/api-docs") || path.equals("/favicon.ico") || path.equals("/ui")
                || path.startsWith("/ui/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long start = System.nanoTime();
        String address = request.getRemoteAddr();
        String method = request.getMethod();
        String path = request.getRequestURI();
        if (limiter.blocked(address)) {
            response.setHeader("Retry-After", Long.toString(limiter.secondsLeftInWindow()));
            reject(response, new ApiException(429, "TooManyRequests", "too many failed authentication attempts "
                    + "from this address; try again later", null, null, null, null));
            return;
        }
        Optional<Principal> principal = bearer(request).flatMap(tokens::resolve);
        if (principal.isEmpty()) {
            limiter.failed(address);
            response.setHeader("WWW-Authenticate", "Bearer");
            reject(response, new ApiException(401, "Unauthorized", "Unauthorized", null, null, null, null));
            auditLine(method, path, "anonymous", "-", 401, start);
            return;
        }
        Principal who = principal.get();
        Authorizer.Decision decision = Authorizer.decide(who, method, path, this::podNode);
        if (!decision.allowed()) {
            reject(response, ApiException.forbidden(decision.reason()));
            auditLine(method, path, who.name(), who.role().name(), 403, start);
            return;
        }
        request.setAttribute(Principal.REQUEST_ATTRIBUTE, who);
        try {
            chain.doFilter(request, response);
        } finally {
            if (!method.equals("GET") && !method.equals("HEAD") && !path.endsWith("/heartbeat")) {
                auditLine(method, path, who.name(), who.role().name(), response.getStatus(), start);
            }
        }
    }

    private String podNode(String namespace, String name) {
        return store.get("Pod", namespace, name).map(p -> Json.text(p.body(), "spec", "nodeName")).orElse(null);
    }

    private static Optional<String> bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.substring(7).trim();
        return token.isEmpty() || token.length() > 4096 ? Optional.empty() : Optional.of(token);
    }

    private static void reject(HttpServletResponse response, ApiException e) throws IOException {
        response.setStatus(e.code());
        response.setContentType("application/json");
        response.getOutputStream().write(Json.MAPPER.writeValueAsBytes(StatusBodies.failure(e)));
    }

    private static void auditLine(String method, String path, String user, String role, int status, long start) {
        audit.info("audit user={} role={} verb={} path={} status={} durationMs={}", user, role, method, path, status,
                (System.nanoTime() - start) / 1_000_000);
    }
}
