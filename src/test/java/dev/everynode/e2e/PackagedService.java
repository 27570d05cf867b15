package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the end-to-end tests that run the packaged jar as a process share. */
final class PackagedService {

    private PackagedService() {}

    /** The service jar `mvn package` built in {@code target}. */
    static Path jar(Path target) throws IOException {
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("everynode-") && n.endsWith(".jar") && !n.endsWith("-agent.jar")
                        && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar");
            }).toList();
            assertThat(jars).as("the packaged service jar in %s (run mvn verify, not mvn test)", target).hasSize(1);
            return jars.get(0);
        }
    }

    /** The last 60 lines of a server log, for a failure message. */
    static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
