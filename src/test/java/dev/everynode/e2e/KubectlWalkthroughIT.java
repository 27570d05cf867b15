package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.e2e.KubectlCli.Background;
import dev.everynode.e2e.KubectlCli.Result;
import dev.everynode.support.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The README walkthrough, end to end, with nothing faked: the packaged jar ({@code java -jar target/everynode-*.jar})
 * as a child process over https (a self-signed certificate made with keytool) with an admin token, a real
 * PostgreSQL, three nodes played by the fleet simulator, and the real kubectl on PATH. Each step runs kubectl
 * commands and checks their output and exit code. The transcript goes to System.out and to
 * {@code target/kubectl-walkthrough.txt}; the server log to {@code target/kubectl-walkthrough-server.log}.
 *
 * <p>The steps share one cluster and run in order; a failing step does not stop the later ones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlWalkthroughIT {

    private static final String NS = "kube-system";
    private static final String OLD_IMAGE = "fluent/fluentd";
    private static final String NEW_IMAGE = "fluent/fluentd:v1.17-1";
    private static final Duration WAIT = Duration.ofSeconds(45);

    private final List<String> nodes = List.of("node-00001", "node-00002", "node-00003");

    @AutoClose
    private KubectlCluster cluster;
    private KubectlCli kubectl;

    // ---------------------------------------------------------------------------------------------------------
    // the cluster

    @BeforeAll
    void startCluster() throws Exception {
        cluster = KubectlCluster.start("kubectl-walkthrough", nodes);
        Path work = cluster.work();
        String fluentd = Fixtures.fluentdYaml();
        assertThat(fluentd).contains("image: " + OLD_IMAGE + "\n");
        Files.writeString(work.resolve("fluentd-daemonset.yaml"), fluentd);
        Files.writeString(work.resolve("fluentd-daemonset-v2.yaml"),
                fluentd.replace("image: " + OLD_IMAGE + "\n", "image: " + NEW_IMAGE + "\n"));
        Files.writeString(work.resolve("bad-daemonset.yaml"), """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: bad
                  namespace: kube-system
                spec:
                  selector:
                    matchLabels:
                      name: bad
                  template:
                    metadata:
                      labels:
                        name: something-else
                    spec:
                      containers:
                      - name: c
                        image: busybox
                """);
        kubectl = cluster.kubectl();
    }

    // ---------------------------------------------------------------------------------------------------------
    // the walkthrough

    @Test
    @Order(1)
    void applyCreatesTheDaemonSet() {
        Result r = kubectl.run("apply", "-f", "fluentd-daemonset.yaml");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("daemonset.apps/fluentd created\n");
    }

    @Test
    @Order(2)
    void onePodPerNode() {
        awaitTrue("a Running fluentd pod on each of the 3 nodes", () -> {
            List<JsonNode> pods = pods();
            return pods.size() == 3 && nodesOf(pods).equals(new TreeSet<>(nodes))
                    && pods.stream().allMatch(p -> p.path("status").path("phase").asString().equals("Running"));
        });
        Result r = kubectl.run("get", "pods", "-n", NS, "-l", "name=fluentd", "-o", "wide");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines.get(0)).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s+NOMINATED NODE.*");
        List<String> rows = lines.subList(1, lines.size());
        assertThat(rows).hasSize(3).allMatch(l -> l.startsWith("fluentd-") && l.contains("Running"));
        assertThat(rows.stream().map(this::nodeIn).collect(Collectors.toSet())).containsExactlyInAnyOrderElementsOf(nodes);

        // The seed's own command: k8s-app=fluentd-logging labels the DaemonSet, not its pods (as in Kubernetes).
        Result seed = kubectl.run("get", "pods", "-n", NS, "-l", "k8s-app=fluentd-logging");
        assertThat(seed.exitCode()).as(seed.toString()).isZero();
        assertThat(seed.all()).isEqualTo("No resources found in kube-system namespace.\n");
    }

    @Test
    @Order(3)
    void rolloutStatus() {
        assertRolledOut();
    }

    @Test
    @Order(4)
    void updateHistoryAndUndo() {
        Result r = kubectl.run("apply", "-f", "fluentd-daemonset-v2.yaml");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("daemonset.apps/fluentd configured\n");
        assertRolledOut();
        assertThat(image()).isEqualTo(NEW_IMAGE);
        assertThat(livePods()).hasSize(3).allSatisfy(p -> assertThat(
                p.path("spec").path("containers").get(0).path("image").asString()).isEqualTo(NEW_IMAGE));

        Result history = kubectl.run("rollout", "history", "ds/fluentd", "-n", NS);
        assertThat(history.exitCode()).as(history.toString()).isZero();
        List<String> lines = history.stdout().lines().toList();
        assertThat(lines).first().asString().isEqualToIgnoringWhitespace("daemonset.apps/fluentd");
        assertThat(lines.get(1)).matches("REVISION\\s+CHANGE-CAUSE");
        assertThat(lines.stream().filter(l -> l.matches("\\d+\\s+.*")).toList()).hasSize(2);

        Result undo = kubectl.run("rollout", "undo", "ds/fluentd", "-n", NS);
        assertThat(undo.exitCode()).as(undo.toString()).isZero();
        assertThat(undo.stdout()).isEqualTo("daemonset.apps/fluentd rolled back\n");
        Result jsonpath = kubectl.run("get", "ds", "fluentd", "-n", NS, "-o",
                "jsonpath={.spec.template.spec.containers[0].image}");
        assertThat(jsonpath.exitCode()).as(jsonpath.toString()).isZero();
        assertThat(jsonpath.stdout()).isEqualTo(OLD_IMAGE);
        assertRolledOut();
        assertThat(livePods()).hasSize(3).allSatisfy(p -> assertThat(
                p.path("spec").path("containers").get(0).path("image").asString()).isEqualTo(OLD_IMAGE));
    }

    @Test
    @Order(5)
    void getAndDescribe() {
        Result ds = kubectl.run("get", "ds", "-n", NS);
        assertThat(ds.exitCode()).as(ds.toString()).isZero();
        List<String> lines = ds.stdout().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches(
                "NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+NODE SELECTOR\\s+AGE");
        assertThat(lines.get(1)).matches("fluentd\\s+3\\s+3\\s+3\\s+3\\s+3\\s+<none>\\s+\\S+");

        Result describe = kubectl.run("describe", "ds", "fluentd", "-n", NS);
        assertThat(describe.exitCode()).as(describe.toString()).isZero();
        assertThat(describe.stdout())
                .contains("Name:           fluentd")
                .containsPattern("Selector:\\s+name=fluentd")
                .containsPattern("Desired Number of Nodes Scheduled: 3")
                .containsPattern("Pods Status:\\s+3 Running / 0 Waiting / 0 Succeeded / 0 Failed")
                .containsPattern("Image:\\s+fluent/fluentd\\n")
                .contains("Events:")
                .contains("SuccessfulCreate");
    }

    @Test
    @Order(6)
    void nodesLabelCordonTaint() {
        Result get = kubectl.run("get", "nodes");
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(get.stdout().lines().toList()).hasSize(4).element(0).asString()
                .matches("NAME\\s+STATUS\\s+ROLES\\s+AGE\\s+VERSION");
        for (String n : nodes) {
            assertThat(get.stdout()).containsPattern(n + "\\s+Ready\\s");
        }

        Result label = kubectl.run("label", "node", nodes.get(0), "disk=ssd");
        assertThat(label.exitCode()).as(label.toString()).isZero();
        assertThat(label.stdout()).isEqualTo("node/" + nodes.get(0) + " labeled\n");
        Result selected = kubectl.run("get", "nodes", "-l", "disk=ssd");
        assertThat(selected.stdout().lines().toList()).hasSize(2).last().asString().startsWith(nodes.get(0) + " ");

        Result cordon = kubectl.run("cordon", nodes.get(0));
        assertThat(cordon.exitCode()).as(cordon.toString()).isZero();
        assertThat(cordon.stdout()).isEqualTo("node/" + nodes.get(0) + " cordoned\n");
        Result cordoned = kubectl.run("get", "nodes");
        assertThat(cordoned.stdout()).containsPattern(nodes.get(0) + "\\s+Ready,SchedulingDisabled\\s");
        assertThat(cordoned.stdout()).containsPattern(nodes.get(1) + "\\s+Ready\\s");

        Result taint = kubectl.run("taint", "nodes", nodes.get(1), "dedicated=x:NoExecute");
        assertThat(taint.exitCode()).as(taint.toString()).isZero();
        assertThat(taint.stdout()).isEqualTo("node/" + nodes.get(1) + " tainted\n");
        kubectl.note("waiting until the fluentd pod has left " + nodes.get(1));
        awaitTrue("no fluentd pod left on the tainted node", () -> pods().size() == 2
                && nodesOf(pods()).equals(Set.of(nodes.get(0), nodes.get(2))));
        Result after = kubectl.run("get", "pods", "-n", NS, "-l", "name=fluentd", "-o", "wide");
        List<String> rows = after.stdout().lines().skip(1).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.stream().map(this::nodeIn).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(nodes.get(0), nodes.get(2));
        // A cordoned node keeps its DaemonSet pod (DaemonSet pods tolerate unschedulable).
        awaitTrue("fluentd desired on 2 nodes", () -> dsStatus().path("desiredNumberScheduled").asInt() == 2
                && dsStatus().path("numberAvailable").asInt() == 2);
    }

    @Test
    @Order(7)
    void watchDaemonSets() throws InterruptedException {
        try (Background watch = kubectl.background("get", "ds", "-n", NS, "-w")) {
            awaitTrue("kubectl get -w printed the header and a row", () -> watch.stdout().lines().count() >= 2);
            long before = watch.stdout().lines().count();
            // The untaint brings fluentd back to node-00002: DESIRED goes 2 -> 3 and the other counts follow.
            Result untaint = kubectl.run("taint", "nodes", nodes.get(1), "dedicated=x:NoExecute-");
            assertThat(untaint.exitCode()).as(untaint.toString()).isZero();
            assertThat(untaint.stdout()).isEqualTo("node/" + nodes.get(1) + " untainted\n");
            awaitTrue("kubectl get -w printed a row for the change, up to 3 3 3 3 3",
                    () -> watch.stdout().lines().count() > before
                            && watch.stdout().lines().anyMatch(l -> l.matches("fluentd\\s+3\\s+3\\s+3\\s+3\\s+3\\s.*")));
            dev.everynode.support.Await.holds("kubectl get -w still watching", Duration.ofMillis(500), watch::alive);
            assertThat(watch.alive()).as("kubectl get -w still watching; stderr: %s", watch.stderr()).isTrue();
            watch.close();
            List<String> lines = watch.stdout().lines().toList();
            assertThat(lines.get(0)).matches(
                    "NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+NODE SELECTOR\\s+AGE");
            assertThat(lines.get(1)).matches("fluentd\\s+2\\s+2\\s+2\\s+2\\s+2\\s+<none>\\s+\\S+");
            assertThat(lines.subList(2, lines.size())).isNotEmpty().allMatch(l -> l.startsWith("fluentd "));
            assertThat(watch.stderr()).isEmpty();
        }
    }

    @Test
    @Order(8)
    void deleteIsWatched() {
        try (Background watch = kubectl.background("get", "ds", "fluentd", "-n", NS, "-w", "--output-watch-events")) {
            awaitTrue("kubectl get -w --output-watch-events printed the DaemonSet",
                    () -> watch.stdout().lines().anyMatch(l -> l.startsWith("ADDED ")));
            Result delete = kubectl.run("delete", "-f", "fluentd-daemonset.yaml");
            assertThat(delete.exitCode()).as(delete.toString()).isZero();
            assertThat(delete.stdout()).isEqualTo("daemonset.apps \"fluentd\" deleted\n");
            try {
                awaitTrue("kubectl get -w --output-watch-events printed a DELETED event",
                        () -> watch.stdout().lines().anyMatch(l -> l.startsWith("DELETED ")));
            } finally {
                watch.close();
            }
        }
    }

    @Test
    @Order(9)
    void podsGoThenServerSideApply() {
        kubectl.note("waiting until the pods are gone");
        awaitTrue("the fluentd DaemonSet and pods are gone", () -> pods().isEmpty()
                && get("/apis/apps/v1/namespaces/kube-system/daemonsets").path("items").isEmpty());
        Result none = kubectl.run("get", "ds,pods", "-n", NS);
        assertThat(none.exitCode()).as(none.toString()).isZero();
        assertThat(none.all()).isEqualTo("No resources found in kube-system namespace.\n");

        Result ssa = kubectl.run("apply", "--server-side", "-f", "fluentd-daemonset.yaml");
        assertThat(ssa.exitCode()).as(ssa.toString()).isZero();
        assertThat(ssa.stdout()).isEqualTo("daemonset.apps/fluentd serverside-applied\n");
        assertRolledOut();
        Result ds = kubectl.run("get", "ds", "fluentd", "-n", NS);
        assertThat(ds.stdout()).containsPattern("fluentd\\s+3\\s+3\\s+3\\s+3\\s+3\\s");
    }

    @Test
    @Order(10)
    void invalidManifestIsRejected() {
        Result r = kubectl.run("apply", "-f", "bad-daemonset.yaml");
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).startsWith("The DaemonSet \"bad\" is invalid: spec.template.metadata.labels: "
                + "Invalid value: ");
        assertThat(r.stderr()).contains("`selector` does not match template `labels`");
        Result get = kubectl.run("get", "ds", "bad", "-n", NS);
        assertThat(get.exitCode()).isNotZero();
        assertThat(get.stderr()).isEqualTo("Error from server (NotFound): daemonsets.apps \"bad\" not found\n");
    }

    @Test
    @Order(11)
    void namespaces() {
        Result create = kubectl.run("create", "namespace", "logging");
        assertThat(create.exitCode()).as(create.toString()).isZero();
        assertThat(create.stdout()).isEqualTo("namespace/logging created\n");
        Result get = kubectl.run("get", "ns");
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(get.stdout().lines().toList().get(0)).matches("NAME\\s+STATUS\\s+AGE");
        assertThat(get.stdout()).containsPattern("\\nlogging\\s+Active\\s").containsPattern("\\nkube-system\\s+Active\\s");
        Result again = kubectl.run("create", "namespace", "logging");
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.stderr()).isEqualTo("Error from server (AlreadyExists): namespaces \"logging\" already exists\n");
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private void assertRolledOut() {
        Result r = kubectl.run("rollout", "status", "ds/fluentd", "-n", NS, "--timeout=60s");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).endsWith("daemon set \"fluentd\" successfully rolled out\n");
    }

    private String image() {
        return get("/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd").path("spec").path("template")
                .path("spec").path("containers").get(0).path("image").asString();
    }

    private JsonNode dsStatus() {
        return get("/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd").path("status");
    }

    /** The fluentd pods, terminating ones included. */
    private List<JsonNode> pods() {
        List<JsonNode> pods = new ArrayList<>();
        get("/api/v1/namespaces/kube-system/pods?labelSelector=name%3Dfluentd").path("items").forEach(pods::add);
        return pods;
    }

    /** The fluentd pods not being deleted. */
    private List<JsonNode> livePods() {
        return pods().stream().filter(p -> !p.path("metadata").has("deletionTimestamp")).toList();
    }

    private static Set<String> nodesOf(List<JsonNode> pods) {
        return pods.stream().map(p -> p.path("spec").path("nodeName").asString()).collect(Collectors.toCollection(TreeSet::new));
    }

    private String nodeIn(String line) {
        return Arrays.stream(line.split("\\s+")).filter(nodes::contains).findFirst().orElse("<no node in: " + line + ">");
    }

    private JsonNode get(String path) {
        return cluster.get(path);
    }

    private void awaitTrue(String what, BooleanSupplier condition) {
        dev.everynode.support.Await.await(what).pollInterval(Duration.ofMillis(200)).atMost(WAIT).until(condition::getAsBoolean);
    }
}
