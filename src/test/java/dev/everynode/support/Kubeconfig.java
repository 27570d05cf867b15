package dev.everynode.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig for real kubectl against a test server's HTTPS port, with a bearer token. */
public final class Kubeconfig {

    private Kubeconfig() {}

    /** Writes {@code dir/kubeconfig} and returns its path. */
    public static Path write(Path dir, int port, String token) throws IOException {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: everynode
                  cluster:
                    server: https://localhost:%d
                    insecure-skip-tls-verify: true
                contexts:
                - name: everynode
                  context:
                    cluster: everynode
                    user: admin
                current-context: everynode
                users:
                - name: admin
                  user:
                    token: %s
                """.formatted(port, token));
        return kubeconfig;
    }
}
