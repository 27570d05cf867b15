package dev.everynode.nodeagent;

/**
 * A container that cannot be started as specified: reported as a waiting state with {@code reason} (kubelet's
 * reasons: CreateContainerConfigError, ErrImagePull, ...) and {@code message}, never a crash of the agent.
 * {@code startError} marks a failed start of a valid configuration (kubelet: terminated, reason StartError,
 * exit code 128), which counts as a restart and backs off.
 */
final class ConfigError extends Exception {

    final String reason;
    final boolean startError;

    ConfigError(String reason, String message) {
        this(reason, message, false);
    }

    ConfigError(String reason, String message, boolean startError) {
        super(message);
        this.reason = reason;
        this.startError = startError;
    }
}
