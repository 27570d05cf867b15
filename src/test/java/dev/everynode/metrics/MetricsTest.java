package dev.everynode.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.ApiClient;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * /actuator/prometheus during a rollout: the kube-state-metrics families equal the API's status, node conditions
 * and spec, the controller's own metrics move, and every metric the shipped alert rules name is exported.
 */
class MetricsTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One parsed exposition: samples by metric name, each with its labels. */
    record Scrape(Map<String, List<Map.Entry<Map<String, String>, Double>>> samples) {
        double value(String name, String... labels) {
            Map<String, String> want = new HashMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                want.put(labels[i], labels[i + 1]);
            }
            return samples.getOrDefault(name, List.of()).stream()
                    .filter(e -> e.getKey().entrySet().containsAll(want.entrySet())).mapToDouble(Map.Entry::getValue)
                    .sum();
        }

        boolean has(String name) {
            return samples.containsKey(name);
        }
    }

    @Test
    void kubeStateMetricsFollowARolloutAndTheControllerReportsItsWork() throws Exception {
        SimulatorConfig config = SimulatorConfig.builder("http://localhost:" + port).token(BOOTSTRAP_TOKEN)
                .prefix("prom").nodes(20).waitSeconds(30).startDelay(Duration.ofMillis(300))
                .reportBatch(Duration.ofMillis(50)).concurrency(16).workerThreads(2).heartbeat(Duration.ofSeconds(1))
                .build();
        try (FleetSimulator sim = FleetSimulator.start(config)) {
            Await.until("20 simulated nodes", Duration.ofSeconds(20), () -> api.get(
                    "/api/v1/nodes?labelSelector=everynode.dev%2Fsimulated%3Dtrue").json().path("items").size() == 20);
            ObjectNode ds = Fixtures.fluentd(namespace);
            ((ObjectNode) ds.path("spec")).putObject("updateStrategy").put("type", "RollingUpdate")
                    .putObject("rollingUpdate").put("maxUnavailable", 2);
            assertThat(api.post(DS, ds).status()).isEqualTo(201);
            Await.until("20 available", Duration.ofSeconds(30), () -> status().path("numberAvailable").asInt() == 20);

            assertThat(api.patch(DS + "/fluentd", "application/strategic-merge-patch+json", Json.parseObject(
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"fluentd\","
                            + "\"image\":\"fluent/fluentd:v2\"}]}}}}")).status()).isEqualTo(200);
            // During the rollout: a scrape between two equal status reads must say exactly what they say.
            java.util.concurrent.atomic.AtomicInteger compared = new java.util.concurrent.atomic.AtomicInteger();
            Await.await("the rollout, each scrape on the way compared with the API").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        JsonNode before = api.get(DS + "/fluentd").json();
                        Scrape scrape = scrape(api);
                        JsonNode after = api.get(DS + "/fluentd").json();
                        // Done only once the status speaks of the new template: until the first pass after the
                        // PATCH it still describes the finished previous rollout (20 updated, 20 available).
                        boolean done = after.path("status").path("observedGeneration").asLong()
                                == after.path("metadata").path("generation").asLong()
                                && after.path("status").path("updatedNumberScheduled").asInt() == 20
                                && after.path("status").path("numberAvailable").asInt() == 20;
                        if (before.path("metadata").path("resourceVersion")
                                .equals(after.path("metadata").path("resourceVersion")) && !done) {
                            assertDaemonSet(scrape, after);
                            compared.incrementAndGet();
                        }
                        return done;
                    });
            assertThat(compared.get()).as("scrapes compared with the API mid-rollout").isGreaterThan(0);
            Await.until("rolled out", Duration.ofSeconds(30), () -> status().path("updatedNumberScheduled").asInt() == 20
                    && status().path("numberAvailable").asInt() == 20);
            assertDaemonSet(scrape(api), api.get(DS + "/fluentd").json());

            Scrape s = scrape(api);
            assertThat(s.value("workqueue_adds_total", "name", "daemonset")).isGreaterThan(0);
            assertThat(s.has("workqueue_depth")).isTrue();
            assertThat(s.value("workqueue_work_duration_seconds_count", "name", "daemonset")).isGreaterThan(0);
            assertThat(s.value("workqueue_queue_duration_seconds_count", "name", "daemonset")).isGreaterThan(0);
            assertThat(s.has("workqueue_unfinished_work_seconds")).isTrue();
            assertThat(s.has("workqueue_longest_running_processor_seconds")).isTrue();
            assertThat(s.has("workqueue_retries_total")).isTrue();
            assertThat(s.value("everynode_reconcile_pass_seconds_count")).isGreaterThan(0);
            assertThat(s.value("everynode_agent_parked_polls")).as("the simulator's parked polls").isGreaterThan(0);
            assertThat(s.value("everynode_assignment_delivery_seconds_count")).as("new pods delivered by wake-ups")
                    .isGreaterThanOrEqualTo(20);
            assertThat(s.value("everynode_status_report_lag_seconds_count")).isGreaterThan(0);
            assertThat(s.has("hikaricp_connections_active")).isTrue();
            assertThat(s.has("kube_pod_status_phase")).as("no per-pod series").isFalse();
            System.out.printf("metrics: delivery mean %.1f ms over %.0f wake-ups, status lag mean %.1f ms%n",
                    1000 * s.value("everynode_assignment_delivery_seconds_sum")
                            / s.value("everynode_assignment_delivery_seconds_count"),
                    s.value("everynode_assignment_delivery_seconds_count"),
                    1000 * s.value("everynode_status_report_lag_seconds_sum")
                            / s.value("everynode_status_report_lag_seconds_count"));
        }
    }

    @Test
    void nodeConditionsUnschedulableAndTaintsAreKubeStateMetrics() {
        assertThat(api.post("/api/v1/nodes", Fixtures.node("ready-node")).status()).isEqualTo(201);
        ObjectNode notReady = Fixtures.node("sick-node");
        ((ObjectNode) notReady.path("status").path("conditions").get(0)).put("status", "False");
        assertThat(api.post("/api/v1/nodes", notReady).status()).isEqualTo(201);
        assertThat(api.patch("/api/v1/nodes/sick-node", "application/merge-patch+json", Json.parseObject(
                "{\"spec\":{\"unschedulable\":true,\"taints\":[{\"key\":\"dedicated\",\"value\":\"x\","
                        + "\"effect\":\"NoSchedule\"}]}}")).status()).isEqualTo(200);
        Scrape s = scrape(api);
        assertThat(s.value("kube_node_status_condition", "node", "ready-node", "condition", "Ready", "status", "true"))
                .isEqualTo(1);
        assertThat(s.value("kube_node_status_condition", "node", "ready-node", "condition", "Ready", "status", "false"))
                .isEqualTo(0);
        assertThat(s.value("kube_node_status_condition", "node", "sick-node", "condition", "Ready", "status", "false"))
                .isEqualTo(1);
        assertThat(s.value("kube_node_spec_unschedulable", "node", "sick-node")).isEqualTo(1);
        assertThat(s.value("kube_node_spec_unschedulable", "node", "ready-node")).isEqualTo(0);
        assertThat(s.value("kube_node_spec_taint", "node", "sick-node", "key", "dedicated", "value", "x", "effect",
                "NoSchedule")).isEqualTo(1);
    }

    /**
     * The scrape's cost with 10,000 nodes (inserted by SQL: no agents needed to measure one query and its
     * exposition): median of 5 scrapes, each computing the families (min-interval 0 here), beside GET /livez and
     * the aggregate query alone. Printed, not asserted: figures in docs/benchmarks.md.
     */
    @Test
    void scrapeCostAtTenThousandNodes() {
        int n = 10_000;
        String node = Fixtures.node("x").toString();
        jdbc.update("""
                INSERT INTO objects (kind, namespace, name, uid, resource_version, created_at, body)
                SELECT 'Node', '', 'scale-' || lpad(i::text, 5, '0'), gen_random_uuid(), nextval('resource_version_seq'),
                       now(), jsonb_set(?::jsonb, '{metadata,name}', to_jsonb('scale-' || lpad(i::text, 5, '0')))
                FROM generate_series(1, ?) i""", node, n);
        long[] scrapes = new long[5];
        long[] livez = new long[5];
        long[] query = new long[5];
        int lines = 0;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            assertThat(api.get("/actuator/prometheus", "text/plain").status()).isEqualTo(200);
            scrapes[i] = System.nanoTime() - t;
            t = System.nanoTime();
            api.get("/livez");
            livez[i] = System.nanoTime() - t;
            t = System.nanoTime();
            jdbc.queryForMap("SELECT (SELECT json_agg(body->'status'->'conditions') FROM objects WHERE kind = 'Node')");
            query[i] = System.nanoTime() - t;
        }
        lines = scrape(api).samples().getOrDefault("kube_node_status_condition", List.of()).size();
        assertThat(lines).isEqualTo(3 * n);
        java.util.Arrays.sort(scrapes);
        java.util.Arrays.sort(livez);
        java.util.Arrays.sort(query);
        System.out.printf("scrape at %,d nodes: median %.1f ms (max %.1f); floors: GET /livez %.1f ms, the nodes' "
                + "conditions as one JSON query %.1f ms; ratio to /livez %.0f%n", n, scrapes[2] / 1e6, scrapes[4] / 1e6,
                livez[2] / 1e6, query[2] / 1e6, (double) scrapes[2] / livez[2]);
    }

    @Test
    void aScrapeAskingForJsonGets406WithAStatus() {
        var r = api.get("/actuator/prometheus", "application/json");
        assertThat(r.status()).isEqualTo(406);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.json().path("reason").asString()).isEqualTo("NotAcceptable");
        assertThat(r.json().path("message").asString()).startsWith("only the following media types are accepted: ")
                .contains("text/plain");
    }

    @Test
    void theScrapeNeedsAToken() {
        assertThat(api.withToken("").get("/actuator/prometheus").status()).isEqualTo(401);
    }

    @Test
    void everyMetricTheAlertRulesAndTheDashboardNameIsExported() throws Exception {
        assertThat(api.post("/api/v1/nodes", Fixtures.node("n1")).status()).isEqualTo(201);
        // a taint, so that kube_node_spec_taint has a series (an empty family is not printed)
        assertThat(api.patch("/api/v1/nodes/n1", "application/merge-patch+json", Json.parseObject(
                "{\"spec\":{\"taints\":[{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoSchedule\"}]}}"))
                .status()).isEqualTo(200);
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        Await.until("a pass", Duration.ofSeconds(10), () -> status().path("observedGeneration").asInt() == 1);
        Set<String> exported = scrape(api).samples().keySet();
        JsonNode rules = Json.YAML.readTree(Files.readString(Path.of("deploy/prometheus/alerts.yml")));
        Set<String> named = new TreeSet<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                named.addAll(metricNames(rule.path("expr").asString()));
            }
        }
        String dashboard = Files.readString(Path.of("deploy/prometheus/everynode-dashboard.json"));
        for (JsonNode panel : Json.MAPPER.readTree(dashboard).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                named.addAll(metricNames(target.path("expr").asString()));
            }
        }
        System.out.println("metrics named by deploy/prometheus: " + named);
        assertThat(named).contains("kube_daemonset_status_desired_number_scheduled", "kube_node_status_condition",
                "kube_node_spec_taint", "workqueue_depth");
        assertThat(exported).containsAll(named);
    }

    /** The metric names of a PromQL expression: identifiers outside label matchers, not functions or keywords. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> keywords = Set.of("and", "or", "unless", "bool", "offset");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(bare);
        while (m.find()) {
            if (m.group(2) == null && !keywords.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static void assertDaemonSet(Scrape s, JsonNode ds) {
        JsonNode st = ds.path("status");
        String[] l = {"namespace", ds.path("metadata").path("namespace").asString(), "daemonset", "fluentd"};
        assertThat(s.value("kube_daemonset_status_current_number_scheduled", l)).isEqualTo(st.path("currentNumberScheduled").asDouble());
        assertThat(s.value("kube_daemonset_status_desired_number_scheduled", l)).isEqualTo(st.path("desiredNumberScheduled").asDouble());
        assertThat(s.value("kube_daemonset_status_number_available", l)).isEqualTo(st.path("numberAvailable").asDouble());
        assertThat(s.value("kube_daemonset_status_number_misscheduled", l)).isEqualTo(st.path("numberMisscheduled").asDouble());
        assertThat(s.value("kube_daemonset_status_number_ready", l)).isEqualTo(st.path("numberReady").asDouble());
        assertThat(s.value("kube_daemonset_status_number_unavailable", l)).isEqualTo(st.path("numberUnavailable").asDouble(0));
        assertThat(s.value("kube_daemonset_status_updated_number_scheduled", l)).isEqualTo(st.path("updatedNumberScheduled").asDouble());
        assertThat(s.value("kube_daemonset_status_observed_generation", l)).isEqualTo(st.path("observedGeneration").asDouble());
        assertThat(s.value("kube_daemonset_metadata_generation", l)).isEqualTo(ds.path("metadata").path("generation").asDouble());
    }

    static Scrape scrape(ApiClient api) {
        ApiClient.Response r = api.get("/actuator/prometheus", "text/plain");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, List<Map.Entry<Map<String, String>, Double>>> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            if (m.group(3) != null) {
                Matcher lm = LABEL.matcher(m.group(3));
                while (lm.find()) {
                    labels.put(lm.group(1), lm.group(2));
                }
            }
            samples.computeIfAbsent(m.group(1), k -> new java.util.ArrayList<>())
                    .add(Map.entry(labels, Double.parseDouble(m.group(4))));
        }
        return new Scrape(samples);
    }

    private JsonNode status() {
        return api.get(DS + "/fluentd").json().path("status");
    }
}
