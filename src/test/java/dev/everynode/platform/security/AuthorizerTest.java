package dev.everynode.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The authorization rules as a table: role, method, path → allowed or not. */
class AuthorizerTest {

    record Case(String name, Principal who, String method, String path, boolean allowed) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Principal ADMIN = Principal.admin("root");
    private static final Principal VIEWER = new Principal("alice", Principal.Role.viewer, null);
    private static final Principal NODE_A = new Principal("system:node:a", Principal.Role.node, "a");
    private static final Principal BOOTSTRAP = new Principal("bootstrap", Principal.Role.bootstrap, null);

    static Stream<Case> cases() {
        return Stream.of(
                new Case("admin deletes a DaemonSet", ADMIN, "DELETE", "/apis/apps/v1/namespaces/x/daemonsets/d", true),
                new Case("admin manages tokens", ADMIN, "POST", "/everynode/v1/tokens", true),
                new Case("viewer lists pods", VIEWER, "GET", "/api/v1/pods", true),
                new Case("viewer creates a DaemonSet", VIEWER, "POST", "/apis/apps/v1/namespaces/x/daemonsets", false),
                new Case("viewer lists tokens", VIEWER, "GET", "/everynode/v1/tokens", false),
                new Case("viewer heartbeats a node", VIEWER, "PUT", "/agent/v1/nodes/a/heartbeat", false),
                new Case("bootstrap registers a node", BOOTSTRAP, "POST", "/agent/v1/nodes", true),
                new Case("bootstrap reads assignments", BOOTSTRAP, "GET", "/agent/v1/nodes/a/assignments", false),
                new Case("bootstrap lists nodes", BOOTSTRAP, "GET", "/api/v1/nodes", false),
                new Case("node reads discovery", NODE_A, "GET", "/apis", true),
                new Case("node re-registers", NODE_A, "POST", "/agent/v1/nodes", true),
                new Case("node heartbeats itself", NODE_A, "PUT", "/agent/v1/nodes/a/heartbeat", true),
                new Case("node polls its assignments", NODE_A, "GET", "/agent/v1/nodes/a/assignments", true),
                new Case("node polls another node", NODE_A, "GET", "/agent/v1/nodes/b/assignments", false),
                new Case("node reports through its path", NODE_A, "POST", "/agent/v1/nodes/a/pod-statuses", true),
                new Case("node confirms a pod on itself", NODE_A, "DELETE", "/agent/v1/nodes/a/pods/ns/p", true),
                new Case("node patches its Node status", NODE_A, "PATCH", "/api/v1/nodes/a/status", true),
                new Case("node deletes its Node", NODE_A, "DELETE", "/api/v1/nodes/a", false),
                new Case("node reads another Node", NODE_A, "GET", "/api/v1/nodes/b", false),
                new Case("node lists nodes", NODE_A, "GET", "/api/v1/nodes", false),
                new Case("node updates status of its pod", NODE_A, "PUT", "/api/v1/namespaces/ns/pods/on-a/status", true),
                new Case("node deletes its pod", NODE_A, "DELETE", "/api/v1/namespaces/ns/pods/on-a", true),
                new Case("node updates status of another's pod", NODE_A, "PUT", "/api/v1/namespaces/ns/pods/on-b/status",
                        false),
                new Case("node reads a missing pod", NODE_A, "GET", "/api/v1/namespaces/ns/pods/missing", false),
                new Case("node lists DaemonSets", NODE_A, "GET", "/apis/apps/v1/daemonsets", false),
                new Case("node reads pod logs-like subpaths", NODE_A, "GET", "/api/v1/namespaces/ns/pods/on-a/log", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(Case c) {
        Authorizer.Decision d = Authorizer.decide(c.who(), c.method(), c.path(),
                (ns, name) -> name.equals("on-a") ? "a" : name.equals("on-b") ? "b" : null);
        assertThat(d.allowed()).isEqualTo(c.allowed());
        if (!c.allowed()) {
            assertThat(d.reason()).contains(c.who().name()).contains(c.path());
        }
    }
}
