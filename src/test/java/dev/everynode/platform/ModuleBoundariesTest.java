package dev.everynode.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of the layout, checked on the sources: the planner is pure (java.* only), features never
 * import the reconciler, the change stream imports no feature (its subscribers depend on it, not it on them), and
 * the reference node agent ships alone (nothing of the service, no Spring).
 */
class ModuleBoundariesTest {

    private static final Path MAIN = Path.of("src", "main", "java", "dev", "everynode");
    /** The node agent, the fleet simulator and their agent-protocol client: not on the server's classpath. */
    private static final Path AGENT = Path.of("src", "agent", "java", "dev", "everynode");
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void thePlannerImportsOnlyJavaAndItself() throws IOException {
        assertThat(imports("reconcile/plan").stream()
                .filter(i -> !i.startsWith("java.") && !i.startsWith("dev.everynode.reconcile.plan.")).toList())
                .isEmpty();
    }

    @Test
    void featuresNeverImportTheReconciler() throws IOException {
        List<String> offending = new ArrayList<>();
        for (String feature : List.of("apimachinery", "namespace", "node", "daemonset", "pod", "revision", "event",
                "agent", "kubectl", "change")) {
            imports(feature).stream().filter(i -> i.startsWith("dev.everynode.reconcile."))
                    .forEach(i -> offending.add(feature + " -> " + i));
        }
        assertThat(offending).isEmpty();
    }

    @Test
    void theChangeStreamImportsNoFeature() throws IOException {
        assertThat(imports("change").stream()
                .filter(i -> i.startsWith("dev.everynode.") && !i.startsWith("dev.everynode.change.")).toList())
                .isEmpty();
    }

    @Test
    void theReferenceAgentStandsAlone() throws IOException {
        assertThat(imports(AGENT, "nodeagent").stream()
                .filter(i -> i.startsWith("org.springframework.") || (i.startsWith("dev.everynode.")
                        && !i.startsWith("dev.everynode.nodeagent.")))
                .toList()).isEmpty();
    }

    @Test
    void theFleetSimulatorUsesTheAgentsProtocolClientAndNothingOfTheServer() throws IOException {
        assertThat(imports(AGENT, "simulator").stream()
                .filter(i -> i.startsWith("org.springframework.") || (i.startsWith("dev.everynode.")
                        && !i.startsWith("dev.everynode.nodeagent.") && !i.startsWith("dev.everynode.simulator.")))
                .toList()).isEmpty();
    }

    private static List<String> imports(String pkg) throws IOException {
        return imports(MAIN, pkg);
    }

    private static List<String> imports(Path root, String pkg) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    found.add(m.group(2));
                }
            }
        }
        return found;
    }
}
