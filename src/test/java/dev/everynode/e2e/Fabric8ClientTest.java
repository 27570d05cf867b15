package dev.everynode.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.Await;
import dev.everynode.support.IntegrationTest;
import dev.everynode.support.TestAgent;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fabric8 Kubernetes client (typed DaemonSet/Node/Pod DSL, JDK HTTP transport) against Everynode: create, get,
 * list by label, watch, JSON merge / strategic merge / JSON patch (edit) and delete of a DaemonSet, with nodes
 * created through the client and their pods reported Running by the test agent.
 */
class Fabric8ClientTest extends IntegrationTest {

    private final String NS = namespace;
    private static final Set<String> NODES = Set.of("f8-node-1", "f8-node-2");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private KubernetesClient client;
    private TestAgent agent;

    @BeforeEach
    void client() {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("http://localhost:" + port)
                .withOauthToken(ADMIN_TOKEN)
                .withNamespace(NS)
                .withRequestTimeout(30_000)
                // Watches over plain HTTP streaming (what kubectl uses): see websocketWatch() for the default.
                .withOnlyHttpWatches(true)
                .build();
        client = new KubernetesClientBuilder().withConfig(config).build();
        agent = new TestAgent(api);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void daemonSetLifecycleThroughTheFabric8Client() {
        for (String name : NODES) {
            Node node = client.nodes().resource(new NodeBuilder()
                    .withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
                    .withNewSpec().endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                    .endCondition().addToCapacity("pods", new io.fabric8.kubernetes.api.model.Quantity("110"))
                    .endStatus().build()).create();
            assertThat(node.getMetadata().getUid()).isNotBlank();
        }
        assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(NODES);

        // create (from the walkthrough manifest, parsed by the client)
        DaemonSet manifest = client.apps().daemonSets().load(getClass().getResourceAsStream("/fluentd-daemonset.yaml"))
                .item();
        manifest.getMetadata().setNamespace(NS);
        DaemonSet created = client.apps().daemonSets().inNamespace(NS).resource(manifest).create();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(created.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");

        Resource<DaemonSet> fluentd = client.apps().daemonSets().inNamespace(NS).withName("fluentd");

        // watch: from now on, every change of the DaemonSet
        List<String> events = new CopyOnWriteArrayList<>();
        List<DaemonSet> modified = new CopyOnWriteArrayList<>();
        List<WatcherException> closed = new CopyOnWriteArrayList<>();
        Watch watch = fluentd.watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, DaemonSet ds) {
                events.add(action + " rv=" + ds.getMetadata().getResourceVersion());
                if (action == Action.MODIFIED) {
                    modified.add(ds);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                closed.add(cause);
            }
        });
        try {
            // pods appear on both nodes; the agent reports them Running and Ready: status MODIFIED events follow
            Await.until("a fluentd pod on each node", WAIT, () -> client.pods().inNamespace(NS)
                    .withLabel("name", "fluentd").list().getItems().stream()
                    .map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet()).equals(NODES));
            Await.until("the DaemonSet reports both pods available", WAIT, () -> {
                agent.step(NODES, TestAgent.Outcome.READY);
                return modified.stream().anyMatch(ds -> ds.getStatus() != null
                        && ds.getStatus().getNumberAvailable() != null && ds.getStatus().getNumberAvailable() == 2
                        && ds.getStatus().getNumberReady() == 2 && ds.getStatus().getDesiredNumberScheduled() == 2);
            });

            // get
            DaemonSet got = fluentd.get();
            assertThat(got.getMetadata().getLabels()).containsEntry("k8s-app", "fluentd-logging");
            assertThat(got.getStatus().getObservedGeneration()).isEqualTo(1L);
            assertThat(got.getStatus().getUpdatedNumberScheduled()).isEqualTo(2);
            List<Pod> pods = client.pods().inNamespace(NS).withLabel("name", "fluentd").list().getItems();
            assertThat(pods).hasSize(2).allSatisfy(p -> {
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                    assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
                    assertThat(o.getController()).isTrue();
                });
            });

            // list with label selectors
            DaemonSetList byLabel = client.apps().daemonSets().inNamespace(NS).withLabel("k8s-app", "fluentd-logging")
                    .list();
            assertThat(byLabel.getMetadata().getResourceVersion()).isNotBlank();
            assertThat(byLabel.getItems()).extracting(d -> d.getMetadata().getName()).containsExactly("fluentd");
            assertThat(client.apps().daemonSets().inNamespace(NS).withLabel("k8s-app", "other").list().getItems())
                    .isEmpty();
            assertThat(client.apps().daemonSets().inAnyNamespace().withLabelIn("k8s-app", "fluentd-logging", "x")
                    .list().getItems()).hasSize(1);

            // JSON merge patch: a label
            DaemonSet merged = fluentd.patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"labels\":{\"tier\":\"logging\"}}}");
            assertThat(merged.getMetadata().getLabels()).containsEntry("tier", "logging")
                    .containsEntry("k8s-app", "fluentd-logging");
            assertThat(merged.getMetadata().getGeneration()).isEqualTo(1L);

            // strategic merge patch: the container's image, merged by name (its volume mounts stay)
            DaemonSet strategic = fluentd.patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"fluentd\","
                            + "\"image\":\"fluent/fluentd:v1.17\"}]}}}}");
            assertThat(strategic.getSpec().getTemplate().getSpec().getContainers()).singleElement().satisfies(c -> {
                assertThat(c.getImage()).isEqualTo("fluent/fluentd:v1.17");
                assertThat(c.getVolumeMounts()).hasSize(2);
            });
            assertThat(strategic.getMetadata().getGeneration()).isEqualTo(2L);

            // edit: the client GETs, computes a JSON patch (application/json-patch+json) carrying the resourceVersion
            // it read, and PATCHes; the controller writes status concurrently, so retry on 409 like a real client
            DaemonSet edited = null;
            for (int attempt = 1; edited == null; attempt++) {
                try {
                    edited = fluentd.edit(d -> new DaemonSetBuilder(d).editMetadata()
                            .addToAnnotations("example.com/owner", "team-logging").endMetadata().build());
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 || attempt == 5) {
                        throw e;
                    }
                    System.out.println("[fabric8] edit attempt " + attempt + ": 409 Conflict, retrying");
                }
            }
            assertThat(edited.getMetadata().getAnnotations()).containsEntry("example.com/owner", "team-logging");
            assertThat(edited.getMetadata().getLabels()).containsEntry("tier", "logging");

            // the rollout of the new image: watched until done
            Await.until("the new image rolled out to both nodes", WAIT, () -> {
                agent.step(NODES, TestAgent.Outcome.READY);
                return modified.stream().anyMatch(ds -> ds.getMetadata().getGeneration() == 2
                        && ds.getStatus().getObservedGeneration() == 2
                        && ds.getStatus().getUpdatedNumberScheduled() == 2
                        && ds.getStatus().getNumberAvailable() == 2);
            });
            assertThat(client.pods().inNamespace(NS).withLabel("name", "fluentd").list().getItems())
                    .filteredOn(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage())
                            .isEqualTo("fluent/fluentd:v1.17"));

            // delete: the DaemonSet goes, its pods follow, the watch sees DELETED
            assertThat(fluentd.delete()).hasSize(1);
            Await.until("the DaemonSet and its pods gone", WAIT, () -> {
                agent.step(NODES, TestAgent.Outcome.READY);
                return fluentd.get() == null
                        && client.pods().inNamespace(NS).withLabel("name", "fluentd").list().getItems().isEmpty();
            });
            Await.until("a DELETED event", WAIT, () -> events.stream().anyMatch(e -> e.startsWith("DELETED")));
            assertThat(closed).as("the watch closed with an error").isEmpty();
        } finally {
            watch.close();
            System.out.println("[fabric8] watch events: " + events);
            System.out.println("[fabric8] watch log of the DaemonSet: " + jdbc.queryForList(
                    "SELECT resource_version || ' ' || event_type || ' xid=' || xid FROM watch_events "
                            + "WHERE kind = 'DaemonSet' AND name = 'fluentd' ORDER BY resource_version", String.class));
        }
    }

    /**
     * fabric8's default watch (no onlyHttpWatches) first asks for a WebSocket upgrade and falls back to an HTTP watch
     * only when the handshake fails. With the JDK transport the handshake waits for the end of a non-101 response,
     * so a server that answers the upgrade with its streaming 200 keeps the caller blocked until the watch times out.
     * Real Kubernetes accepts WebSocket watches; answering the upgrade at once (101, or a plain 503/400) avoids it.
     */
    @Test
    void defaultWatchDoesNotHangOnTheWebSocketUpgrade() throws Exception {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://localhost:" + port)
                .withOauthToken(ADMIN_TOKEN).withNamespace(NS).build();
        try (KubernetesClient websocketFirst = new KubernetesClientBuilder().withConfig(config).build()) {
            // timeoutSeconds bounds the server's stream, hence how long a hanging handshake can last
            ListOptions options = new ListOptionsBuilder().withTimeoutSeconds(20L).build();
            long t0 = System.nanoTime();
            CompletableFuture<Watch> started = CompletableFuture.supplyAsync(() -> websocketFirst.apps().daemonSets()
                    .inNamespace(NS).watch(options, new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, DaemonSet resource) {}

                        @Override
                        public void onClose(WatcherException cause) {}
                    }));
            Watch watch = started.get(40, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            watch.close();
            assertThat(took).as("time for client.watch() to return with fabric8's default (WebSocket first) watch")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }
}
