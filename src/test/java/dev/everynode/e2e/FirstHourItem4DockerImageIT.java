package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.platform.security.SecurityProperties;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Issue 21, item 4, read from the files (bin/docker-smoke builds and runs the image for real where a Docker engine
 * can be installed): after {@code mvn package}, the Dockerfile's COPY picks exactly the service jar of target/
 * (not also everynode-agent.jar), the build context (.dockerignore) holds that jar but not .data/, .git or the rest
 * of target/, and the admin token file the image configures lies in a directory the Dockerfile gives to the user
 * the service runs as, which docker-compose.yml keeps in a volume.
 */
class FirstHourItem4DockerImageIT {

    private static final Path TARGET = Path.of("target");
    private static final Pattern ENV = Pattern.compile("^ENV\\s+(\\w+)[=\\s]\\s*(\\S+)$", Pattern.CASE_INSENSITIVE);

    @Test
    void item4_theDockerfileCopiesExactlyTheServiceJarOfTarget() throws IOException {
        Path serviceJar = PackagedService.jar(TARGET);
        List<String> copies = instructions("COPY");
        assertThat(copies).as("COPY instructions of the Dockerfile").hasSize(1);
        String source = copies.get(0).split("\\s+")[0];
        assertThat(matches(source)).as("what COPY %s picks of %s", source, list(TARGET)).containsExactly(serviceJar);
    }

    @Test
    void item4_theBuildContextHoldsTheJarButNotTheTokenTheGitDirectoryOrTheRestOfTarget() throws IOException {
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore")).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        String jar = TARGET.resolve(PackagedService.jar(TARGET).getFileName()).toString();
        assertThat(excluded(ignore, jar)).as(jar + " is sent to the daemon").isFalse();
        for (String secretOrNoise : List.of(".data/admin-token", ".data/postgres/PG_VERSION", ".git/HEAD",
                "target/everynode-agent.jar", "target/classes/application.yml", "target/kubectl-walkthrough.txt")) {
            assertThat(excluded(ignore, secretOrNoise)).as(secretOrNoise + " stays out of the build context").isTrue();
        }
    }

    @Test
    void item4_theTokenFileLiesInADirectoryTheDockerfileGivesToTheServiceUser() throws IOException {
        String user = instructions("USER").get(instructions("USER").size() - 1).split(":")[0];
        Map<String, String> env = new java.util.HashMap<>();
        for (String line : logicalLines()) {
            Matcher m = ENV.matcher(line);
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
            }
        }
        assertThat(env).as("ENV of the Dockerfile").containsKey("EVERYNODE_SECURITY_TOKEN_FILE");

        // The variable really is everynode.security.token-file (Spring Boot's relaxed binding of the environment).
        SecurityProperties bound = new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.copyOf(env))))
                .bind("everynode.security", SecurityProperties.class).get();
        Path tokenFile = bound.tokenFileOrDefault();
        assertThat(tokenFile.isAbsolute()).as("%s is an absolute path", tokenFile).isTrue();
        String dataDir = tokenFile.getParent().toString();

        assertThat(instructions("RUN")).as("a RUN that creates %s owned by user %s", dataDir, user).anySatisfy(run -> {
            assertThat(run).containsPattern("mkdir -p [^&]*" + Pattern.quote(dataDir) + "(\\s|$)");
            assertThat(run).containsPattern("chown (-R )?" + user + "(:\\d+)? [^&]*" + Pattern.quote(dataDir) + "(\\s|$)");
        });
        assertThat(instructions("VOLUME")).as("the data directory is a volume").contains(dataDir);
        String compose = Files.readString(Path.of("docker-compose.yml"));
        assertThat(compose).as("docker-compose.yml keeps the data directory in a named volume")
                .containsPattern("- \\S+:" + Pattern.quote(dataDir) + "\\s");
        assertThat(compose).contains("EVERYNODE_SECURITY_TOKEN_FILE: " + tokenFile);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    private static List<String> logicalLines() throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(Path.of("Dockerfile"))) {
            String line = raw.strip();
            if (line.startsWith("#") || line.isEmpty() && current.isEmpty()) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            lines.add(current.append(line).toString().strip());
            current.setLength(0);
        }
        return lines;
    }

    /** The arguments of each instruction of this name. */
    private static List<String> instructions(String name) throws IOException {
        return logicalLines().stream().filter(l -> l.toUpperCase().startsWith(name + " "))
                .map(l -> l.substring(name.length()).strip()).toList();
    }

    /** The files of the project a COPY source picks (Docker's patterns are Go's filepath.Match: *, ?, [...]). */
    private static List<Path> matches(String source) throws IOException {
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + source);
        Path dir = Path.of(source).getParent();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Files.isRegularFile(p) && glob.matches(p)).sorted().toList();
        }
    }

    /**
     * Docker's .dockerignore rule: a path is left out when the last pattern matching it or one of its parent
     * directories is not a {@code !} exception.
     */
    private static boolean excluded(List<String> patterns, String path) {
        boolean excluded = false;
        for (String p : patterns) {
            boolean exception = p.startsWith("!");
            String pattern = Path.of(exception ? p.substring(1) : p).normalize().toString();
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            for (Path candidate = Path.of(path); candidate != null; candidate = candidate.getParent()) {
                if (glob.matches(candidate)) {
                    excluded = !exception;
                    break;
                }
            }
        }
        return excluded;
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
