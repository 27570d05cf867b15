package dev.everynode.metrics;

import dev.everynode.platform.EverynodeProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The kube-state-metrics families of DaemonSets and nodes, with their exact names, labels and meaning
 * (kube-state-metrics docs/metrics/workload/daemonset-metrics.md and cluster/node-metrics.md), so the stock
 * kubernetes-mixin alerts and dashboards work unchanged. Computed from one aggregate query, at most once per
 * {@code everynode.metrics.min-interval} (5 s): scrapes in between, from several Prometheus servers, share it.
 * Per-pod families (kube_pod_status_phase) are left out: one series per pod and phase grows with the fleet
 * (50,000 series at 10,000 nodes), and DaemonSet status already counts the pods. kube_daemonset_created is left
 * out too: the Prometheus Java client 1.x refuses the {@code _created} suffix (OpenMetrics reserves it), and no
 * mixin rule or dashboard uses it.
 */
@Component
class KubeStateMetrics implements MultiCollector {

    /** One statement: the DaemonSets' status and the nodes' conditions, spec.unschedulable and taints. */
    private static final String QUERY = """
            SELECT (SELECT COALESCE(json_agg(json_build_object('namespace', namespace, 'name', name,
                           'generation', generation,
                           'status', body->'status')), '[]')
                    FROM objects WHERE kind = 'DaemonSet') AS daemonsets,
                   (SELECT COALESCE(json_agg(json_build_object('name', name,
                           'unschedulable', body->'spec'->'unschedulable' = 'true'::jsonb,
                           'taints', body->'spec'->'taints',
                           'conditions', (SELECT json_agg(json_build_array(c->>'type', c->>'status'))
                                          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body->'status'->'conditions')
                                              = 'array' THEN body->'status'->'conditions' ELSE '[]'::jsonb END) c))),
                           '[]')
                    FROM objects WHERE kind = 'Node') AS nodes
            """;

    /** kube_daemonset_status_* family → the status field it reports. */
    private static final Map<String, String> DAEMONSET_STATUS = new LinkedHashMap<>();

    static {
        DAEMONSET_STATUS.put("current_number_scheduled", "currentNumberScheduled");
        DAEMONSET_STATUS.put("desired_number_scheduled", "desiredNumberScheduled");
        DAEMONSET_STATUS.put("number_available", "numberAvailable");
        DAEMONSET_STATUS.put("number_misscheduled", "numberMisscheduled");
        DAEMONSET_STATUS.put("number_ready", "numberReady");
        DAEMONSET_STATUS.put("number_unavailable", "numberUnavailable");
        DAEMONSET_STATUS.put("updated_number_scheduled", "updatedNumberScheduled");
        DAEMONSET_STATUS.put("observed_generation", "observedGeneration");
    }

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final JdbcTemplate jdbc;
    private final Duration minInterval;
    private final Timer collectTime;
    private MetricSnapshots cached;
    private long cachedAt;

    KubeStateMetrics(JdbcTemplate jdbc, ObjectProvider<PrometheusMeterRegistry> prometheus, MeterRegistry meters,
                     EverynodeProperties.Metrics settings) {
        this.jdbc = jdbc;
        this.minInterval = settings.minInterval();
        this.collectTime = Timer.builder("everynode.metrics.collect")
                .description("Computing the kube-state-metrics families (one query and the snapshot)").register(meters);
        prometheus.ifAvailable(registry -> registry.getPrometheusRegistry().register(this));
    }

    @Override
    public synchronized MetricSnapshots collect() {
        long now = System.nanoTime();
        if (cached == null || now - cachedAt >= minInterval.toNanos()) {
            cached = compute();
            cachedAt = System.nanoTime();
            collectTime.record(cachedAt - now, TimeUnit.NANOSECONDS);
        }
        return cached;
    }

    @Override
    public List<String> getPrometheusNames() {
        List<String> names = new ArrayList<>();
        DAEMONSET_STATUS.keySet().forEach(k -> names.add("kube_daemonset_status_" + k));
        names.addAll(List.of("kube_daemonset_metadata_generation",
                "kube_node_status_condition", "kube_node_spec_unschedulable", "kube_node_spec_taint"));
        return names;
    }

    private MetricSnapshots compute() {
        Map<String, Object> row = jdbc.queryForMap(QUERY);
        JsonNode daemonSets = MAPPER.readTree(row.get("daemonsets").toString());
        JsonNode nodes = MAPPER.readTree(row.get("nodes").toString());
        List<MetricSnapshot> out = new ArrayList<>();

        Map<String, GaugeSnapshot.Builder> status = new LinkedHashMap<>();
        DAEMONSET_STATUS.forEach((family, field) -> status.put(field, gauge("kube_daemonset_status_" + family,
                help(family))));
        GaugeSnapshot.Builder generation = gauge("kube_daemonset_metadata_generation",
                "Sequence number representing a specific generation of the desired state.");
        for (JsonNode ds : daemonSets) {
            Labels labels = Labels.of("namespace", ds.path("namespace").asString(), "daemonset",
                    ds.path("name").asString());
            status.forEach((field, gauge) -> gauge.dataPoint(point(labels, ds.path("status").path(field).asDouble(0))));
            generation.dataPoint(point(labels, ds.path("generation").asDouble(0)));
        }
        status.values().forEach(b -> out.add(b.build()));
        out.add(generation.build());

        GaugeSnapshot.Builder condition = gauge("kube_node_status_condition",
                "The condition of a cluster node.");
        GaugeSnapshot.Builder unschedulable = gauge("kube_node_spec_unschedulable",
                "Whether a node can schedule new pods.");
        GaugeSnapshot.Builder taint = gauge("kube_node_spec_taint", "The taint of a cluster node.");
        for (JsonNode node : nodes) {
            String name = node.path("name").asString();
            for (JsonNode c : node.path("conditions")) {
                String type = c.path(0).asString("");
                String value = c.path(1).asString("Unknown").toLowerCase(Locale.ROOT);
                for (String s : List.of("true", "false", "unknown")) {
                    condition.dataPoint(point(Labels.of("node", name, "condition", type, "status", s),
                            s.equals(value) ? 1 : 0));
                }
            }
            unschedulable.dataPoint(point(Labels.of("node", name), node.path("unschedulable").asBoolean(false) ? 1 : 0));
            for (JsonNode t : node.path("taints")) {
                taint.dataPoint(point(Labels.of("node", name, "key", t.path("key").asString(""), "value",
                        t.path("value").asString(""), "effect", t.path("effect").asString("")), 1));
            }
        }
        out.add(condition.build());
        out.add(unschedulable.build());
        out.add(taint.build());
        return new MetricSnapshots(out);
    }

    /** kube-state-metrics' help texts. */
    private static String help(String family) {
        return switch (family) {
            case "current_number_scheduled" -> "The number of nodes running at least one daemon pod and are supposed to.";
            case "desired_number_scheduled" -> "The number of nodes that should be running the daemon pod.";
            case "number_available" -> "The number of nodes that should be running the daemon pod and have one or "
                    + "more of the daemon pod running and available";
            case "number_misscheduled" -> "The number of nodes running a daemon pod but are not supposed to.";
            case "number_ready" -> "The number of nodes that should be running the daemon pod and have one or more "
                    + "of the daemon pod running and ready.";
            case "number_unavailable" -> "The number of nodes that should be running the daemon pod and have none of "
                    + "the daemon pod running and available";
            case "updated_number_scheduled" -> "The total number of nodes that are running updated daemon pod";
            default -> "The most recent generation observed by the daemon set controller.";
        };
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
