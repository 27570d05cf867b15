package dev.everynode.platform.security;

/**
 * Who is calling: a name for the audit log, a role (admin, viewer, node, bootstrap) and, for a node
 * credential, the node it is bound to.
 */
public record Principal(String name, Role role, String nodeName) {

    public enum Role { admin, viewer, node, bootstrap }

    public static final String REQUEST_ATTRIBUTE = Principal.class.getName();

    public static Principal admin(String name) {
        return new Principal(name, Role.admin, null);
    }
}
