package dev.everynode.platform.security;

import java.util.Set;
import java.util.function.BiFunction;

/**
 * Who may do what, decided from the principal, the HTTP method and the path alone (plus, for a node, which
 * node a pod is bound to). admin: everything. viewer: reads and watches. node: like Kubernetes'
 * NodeRestriction, its own Node object and agent endpoints and the pods bound to it. bootstrap: registering a
 * node, nothing else.
 */
public final class Authorizer {

    /** The outcome; {@code reason} is what a 403 says. */
    public record Decision(boolean allowed, String reason) {
        static final Decision ALLOW = new Decision(true, null);
    }

    private static final Set<String> READS = Set.of("GET", "HEAD");
    private static final Set<String> DISCOVERY = Set.of("/version", "/api", "/api/v1", "/apis", "/apis/apps",
            "/apis/apps/v1");

    private Authorizer() {}

    /**
     * @param podNode the node a pod is bound to, given (namespace, name); null when there is no such pod
     */
    public static Decision decide(Principal who, String method, String path, BiFunction<String, String, String> podNode) {
        String[] p = segments(path);
        return switch (who.role()) {
            case admin -> Decision.ALLOW;
            case viewer -> READS.contains(method) && !path.startsWith("/everynode/v1/tokens") ? Decision.ALLOW
                    : deny(who, method, path, "viewers may only read, and not tokens");
            case bootstrap -> "POST".equals(method) && path.equals("/agent/v1/nodes") ? Decision.ALLOW
                    : deny(who, method, path, "a bootstrap token may only register a node");
            case node -> node(who, method, path, p, podNode);
        };
    }

    private static Decision node(Principal who, String method, String path, String[] p,
                                 BiFunction<String, String, String> podNode) {
        String own = who.nodeName();
        if (READS.contains(method) && (DISCOVERY.contains(path) || path.startsWith("/openapi/"))) {
            return Decision.ALLOW;
        }
        // /agent/v1/nodes and /agent/v1/nodes/{node}/...
        if (p.length >= 3 && p[0].equals("agent") && p[1].equals("v1") && p[2].equals("nodes")) {
            if (p.length == 3) {
                return "POST".equals(method) ? Decision.ALLOW : deny(who, method, path, "");
            }
            return p[3].equals(own) ? Decision.ALLOW
                    : deny(who, method, path, "a node may only use its own agent endpoints");
        }
        // /api/v1/nodes/{node}[/status]
        if (p.length >= 4 && p.length <= 5 && p[0].equals("api") && p[1].equals("v1") && p[2].equals("nodes")
                && (p.length == 4 || p[4].equals("status"))) {
            boolean verbOk = Set.of("GET", "HEAD", "PUT", "PATCH").contains(method);
            return verbOk && p[3].equals(own) ? Decision.ALLOW
                    : deny(who, method, path, "a node may only read and update its own Node object");
        }
        // /api/v1/namespaces/{ns}/pods/{name}[/status]
        if (p.length >= 6 && p.length <= 7 && p[0].equals("api") && p[1].equals("v1") && p[2].equals("namespaces")
                && p[4].equals("pods") && (p.length == 6 || p[6].equals("status"))) {
            boolean verbOk = Set.of("GET", "HEAD", "PUT", "PATCH", "DELETE").contains(method);
            return verbOk && own.equals(podNode.apply(p[3], p[5])) ? Decision.ALLOW
                    : deny(who, method, path, "a node may only act on pods bound to it");
        }
        return deny(who, method, path, "a node may only act on itself and its pods");
    }

    private static Decision deny(Principal who, String method, String path, String why) {
        return new Decision(false, "User \"" + who.name() + "\" (" + who.role() + ") cannot " + method + " " + path
                + (why.isEmpty() ? "" : ": " + why));
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/");
    }
}
