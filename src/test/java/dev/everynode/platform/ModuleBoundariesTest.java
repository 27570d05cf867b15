package dev.everynode.platform;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import dev.everynode.apimachinery.errors.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of the layout, checked by ArchUnit on the compiled classes, so every reference counts
 * (fully-qualified names in code, field and parameter types, annotations), not only import lines: apimachinery
 * knows no feature, features never reach into the reconciler, the change stream knows no feature (its
 * subscribers depend on it, not it on them), the planner is pure (java.* only), and the reference node agent and
 * the fleet simulator ship without the server.
 */
class ModuleBoundariesTest {

    private static final String[] FEATURES = {"dev.everynode.namespace..", "dev.everynode.node..",
            "dev.everynode.daemonset..", "dev.everynode.pod..", "dev.everynode.revision..", "dev.everynode.event..",
            "dev.everynode.agent..", "dev.everynode.kubectl..", "dev.everynode.metrics.."};
    private static final String[] SERVER = {"dev.everynode.apimachinery..", "dev.everynode.namespace..",
            "dev.everynode.node..", "dev.everynode.daemonset..", "dev.everynode.pod..", "dev.everynode.revision..",
            "dev.everynode.event..", "dev.everynode.agent..", "dev.everynode.kubectl..", "dev.everynode.metrics..",
            "dev.everynode.reconcile..", "dev.everynode.platform..", "dev.everynode.change.."};

    /** The node agent, the fleet simulator and their agent-protocol client: not on the server's classpath. */
    private static final Path AGENT = Path.of("src", "agent", "java");

    /**
     * The server's classes and those of src/agent/java, which the tests see as test sources (so they sit among the
     * test classes); no test class itself.
     */
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(location -> ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location)
                    || fromAgentSources(location))
            .importPackages("dev.everynode");

    private static boolean fromAgentSources(Location location) {
        String uri = location.asURI().toString();
        int at = uri.indexOf("/test-classes/");
        if (at < 0 || !uri.endsWith(".class")) {
            return false;
        }
        String type = uri.substring(at + "/test-classes/".length(), uri.length() - ".class".length());
        int nested = type.indexOf('$');
        return Files.exists(AGENT.resolve((nested < 0 ? type : type.substring(0, nested)) + ".java"));
    }

    @Test
    void apimachineryKnowsNoFeature() {
        noClasses().that().resideInAPackage("dev.everynode.apimachinery..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .orShould().dependOnClassesThat().resideInAPackage("dev.everynode.reconcile..")
                .orShould().dependOnClassesThat(resideInAPackage("dev.everynode.platform..")
                        .and(not(nameMatching("dev\\.everynode\\.platform\\.EverynodeProperties(\\$.*)?"))))
                .because("of platform, apimachinery reads only its configuration (EverynodeProperties)")
                .check(CLASSES);
    }

    @Test
    void featuresNeverReachTheReconciler() {
        noClasses().that().resideInAnyPackage(FEATURES).or().resideInAPackage("dev.everynode.apimachinery..")
                .or().resideInAPackage("dev.everynode.change..")
                .should().dependOnClassesThat().resideInAPackage("dev.everynode.reconcile..")
                .check(CLASSES);
    }

    @Test
    void theChangeStreamKnowsNoFeature() {
        noClasses().that().resideInAPackage("dev.everynode.change..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.everynode.apimachinery..",
                        "dev.everynode.reconcile..", "dev.everynode.platform..")
                .check(CLASSES);
    }

    /**
     * apimachinery's sub-packages, in layers: each uses only those before it (README, Development, "Layout"), so
     * each can be read from the ones below it.
     */
    private static final String[] APIMACHINERY_LAYERS = {"json", "meta", "errors", "validation", "selector", "codec",
            "patch", "table", "resource", "store", "endpoint", "watch"};

    @Test
    void apimachineryLayersUseOnlyThoseBeforeThem() {
        for (int i = 0; i < APIMACHINERY_LAYERS.length - 1; i++) {
            String[] later = Arrays.stream(APIMACHINERY_LAYERS, i + 1, APIMACHINERY_LAYERS.length)
                    .map(layer -> "dev.everynode.apimachinery." + layer + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage("dev.everynode.apimachinery." + APIMACHINERY_LAYERS[i] + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(later)
                    .check(CLASSES);
        }
    }

    /** Every class of apimachinery sits in one of the layers (none in the root package, no unlisted one). */
    @Test
    void apimachineryHasNoClassOutsideItsLayers() {
        classes().that().resideInAPackage("dev.everynode.apimachinery..")
                .should().resideInAnyPackage(Arrays.stream(APIMACHINERY_LAYERS)
                        .map(layer -> "dev.everynode.apimachinery." + layer + "..").toArray(String[]::new))
                .check(CLASSES);
    }

    /** And no cycle between any of its sub-packages, whatever the list above says. */
    @Test
    void apimachinerySubPackagesAreFreeOfCycles() {
        slices().matching("dev.everynode.apimachinery.(*)..").namingSlices("apimachinery.$1")
                .should().beFreeOfCycles()
                .check(CLASSES);
    }

    /** The patch engine is a leaf of apimachinery: JSON trees in, JSON trees out, Status errors. */
    @Test
    void thePatchEngineStandsOnItsOwn() {
        classes().that().resideInAPackage("dev.everynode.apimachinery.patch..")
                .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "tools.jackson..",
                        "org.springframework.stereotype..", "dev.everynode.apimachinery.patch..")
                        .or(type(ApiException.class)))
                .check(CLASSES);
    }

    @Test
    void thePlannerDependsOnJavaAndItselfOnly() {
        noClasses().that().resideInAPackage("dev.everynode.reconcile.plan..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "dev.everynode.reconcile.plan..")
                .check(CLASSES);
    }

    @Test
    void theReferenceAgentStandsAlone() {
        noClasses().that().resideInAPackage("dev.everynode.nodeagent..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER)
                .orShould().dependOnClassesThat().resideInAnyPackage("org.springframework..", "dev.everynode.simulator..")
                .check(CLASSES);
    }

    @Test
    void theSimulatorUsesNoServerPackage() {
        noClasses().that().resideInAPackage("dev.everynode.simulator..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER)
                .check(CLASSES);
    }
}
