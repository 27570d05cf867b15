package dev.everynode.apimachinery.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.Definitions;
import dev.everynode.apimachinery.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class TablesTest {

    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @Test
    void daemonSetColumnsAndCells() {
        ObjectNode ds = Json.parseObject("""
                {"kind": "DaemonSet", "apiVersion": "apps/v1",
                 "metadata": {"name": "fluentd", "namespace": "kube-system", "uid": "u1", "resourceVersion": "7",
                              "creationTimestamp": "2026-01-10T11:55:00Z", "labels": {"k8s-app": "fluentd-logging"}},
                 "spec": {"selector": {"matchLabels": {"name": "fluentd"},
                                       "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]},
                          "template": {"spec": {"nodeSelector": {"zone": "b", "disk": "ssd"},
                                                "containers": [{"name": "fluentd", "image": "fluent/fluentd:v1"},
                                                               {"name": "side", "image": "busybox"}]}}},
                 "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                            "updatedNumberScheduled": 1, "numberAvailable": 2}}
                """);
        ObjectNode table = Tables.table(Definitions.DAEMON_SET, List.of(ds), "42", NOW, true);

        assertThat(table.path("kind").asString()).isEqualTo("Table");
        assertThat(table.path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(table.path("metadata").path("resourceVersion").asString()).isEqualTo("42");
        assertThat(columns(table)).containsExactly("Name", "Desired", "Current", "Ready", "Up-to-date", "Available",
                "Node Selector", "Age", "Containers", "Images", "Selector");
        assertThat(priorities(table)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1);
        assertThat(table.path("columnDefinitions").get(0).path("format").asString()).isEqualTo("name");
        assertThat(table.path("columnDefinitions").get(1).path("type").asString()).isEqualTo("integer");
        assertThat(cells(table, 0)).containsExactly("fluentd", "3", "3", "2", "1", "2", "disk=ssd,zone=b", "5m",
                "fluentd,side", "fluent/fluentd:v1,busybox", "name=fluentd,tier in (a,b)");
        assertThat(row(table, 0).path("cells").get(1).isNumber()).isTrue();

        JsonNode object = row(table, 0).path("object");
        assertThat(object.path("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(object.path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(object.path("metadata").path("namespace").asString()).isEqualTo("kube-system");
        assertThat(object.path("metadata").path("labels").path("k8s-app").asString()).isEqualTo("fluentd-logging");
        assertThat(object.has("spec")).isFalse();
    }

    @Test
    void emptyDaemonSetShowsZerosAndNone() {
        ObjectNode ds = Json.parseObject("""
                {"metadata": {"name": "new"}, "spec": {"template": {"spec": {"containers": []}}}}
                """);
        ObjectNode table = Tables.table(Definitions.DAEMON_SET, List.of(ds), "1", NOW, false);
        assertThat(cells(table, 0)).containsExactly("new", "0", "0", "0", "0", "0", "<none>", "<unknown>", "", "",
                "<none>");
        assertThat(row(table, 0).has("object")).isFalse();
    }

    @Test
    void podReadyStatusRestartsAndWideCells() {
        ObjectNode pod = pod("""
                "metadata": {"name": "fluentd-abc", "namespace": "kube-system", "creationTimestamp": "2026-01-10T08:56:00Z"},
                "spec": {"nodeName": "node-1", "containers": [{"name": "a"}, {"name": "b"}]},
                "status": {"phase": "Running", "podIP": "10.0.0.5",
                           "containerStatuses": [
                             {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}},
                              "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-10T11:50:00Z"}}},
                             {"name": "b", "ready": false, "restartCount": 1, "state": {"running": {}}}]}
                """);
        ObjectNode table = Tables.table(Definitions.POD, List.of(pod), "5", NOW, true);
        assertThat(columns(table)).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                "Nominated Node", "Readiness Gates");
        assertThat(cells(table, 0)).containsExactly("fluentd-abc", "1/2", "Running", "3 (10m ago)", "3h4m",
                "10.0.0.5", "node-1", "<none>", "<none>");
    }

    @Test
    void podWithoutStatusesIsZeroOfTotalAndPhaseOnly() {
        ObjectNode pod = pod("""
                "metadata": {"name": "p", "creationTimestamp": "2026-01-10T11:59:55Z"},
                "spec": {"containers": [{"name": "a"}], "readinessGates": [{"conditionType": "x/ready"}]},
                "status": {"phase": "Pending"}
                """);
        assertThat(cells(Tables.table(Definitions.POD, List.of(pod), "5", NOW, true), 0))
                .containsExactly("p", "0/1", "Pending", "0", "5s", "<none>", "<none>", "<none>", "0/1");
    }

    @Test
    void podStatusFollowsContainerStatesAndDeletion() {
        ObjectNode waiting = pod("""
                "metadata": {"name": "w"}, "spec": {"containers": [{"name": "a"}]},
                "status": {"phase": "Pending", "containerStatuses": [{"name": "a", "ready": false,
                           "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}
                """);
        ObjectNode terminating = pod("""
                "metadata": {"name": "t", "deletionTimestamp": "2026-01-10T11:59:00Z"},
                "spec": {"containers": [{"name": "a"}]},
                "status": {"phase": "Running", "containerStatuses": [{"name": "a", "ready": true, "restartCount": 0,
                           "state": {"running": {}}}]}
                """);
        ObjectNode failedAndDeleted = pod("""
                "metadata": {"name": "f", "deletionTimestamp": "2026-01-10T11:59:00Z"},
                "spec": {"containers": [{"name": "a"}]},
                "status": {"phase": "Failed", "containerStatuses": [{"name": "a", "ready": false, "restartCount": 0,
                           "state": {"terminated": {"exitCode": 137}}}]}
                """);
        ObjectNode initializing = pod("""
                "metadata": {"name": "i"}, "spec": {"initContainers": [{"name": "i1"}, {"name": "i2"}],
                                                   "containers": [{"name": "a"}]},
                "status": {"phase": "Pending", "initContainerStatuses": [
                             {"name": "i1", "restartCount": 0, "state": {"terminated": {"exitCode": 0}}},
                             {"name": "i2", "restartCount": 0, "state": {"running": {}}}]}
                """);
        ObjectNode table = Tables.table(Definitions.POD, List.of(waiting, terminating, failedAndDeleted, initializing),
                "5", NOW, false);
        assertThat(cells(table, 0).subList(1, 3)).containsExactly("0/1", "ImagePullBackOff");
        assertThat(cells(table, 1).subList(1, 3)).containsExactly("1/1", "Terminating");
        assertThat(cells(table, 2).subList(1, 3)).containsExactly("0/1", "ExitCode:137");
        assertThat(cells(table, 3).subList(1, 3)).containsExactly("0/1", "Init:1/2");
    }

    @Test
    void nodeStatusRolesVersionAndWideCells() {
        ObjectNode ready = Json.parseObject("""
                {"metadata": {"name": "node-1", "creationTimestamp": "2026-01-08T07:00:00Z",
                              "labels": {"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": "",
                                         "kubernetes.io/hostname": "node-1"}},
                 "spec": {"unschedulable": true},
                 "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
                            "addresses": [{"type": "Hostname", "address": "node-1"}, {"type": "InternalIP", "address": "10.0.0.11"}],
                            "nodeInfo": {"kubeletVersion": "v1.32.4", "osImage": "Ubuntu 22.04.4 LTS",
                                         "kernelVersion": "6.5.0", "containerRuntimeVersion": "containerd://1.7.20"}}}
                """);
        ObjectNode notReady = Json.parseObject("""
                {"metadata": {"name": "node-2", "creationTimestamp": "2026-01-10T11:58:30Z"},
                 "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}}
                """);
        ObjectNode silent = Json.parseObject("""
                {"metadata": {"name": "node-3", "labels": {"kubernetes.io/role": "edge"}}, "spec": {"unschedulable": true}}
                """);
        ObjectNode table = Tables.table(Definitions.NODE, List.of(ready, notReady, silent), "9", NOW, true);
        assertThat(columns(table)).containsExactly("Name", "Status", "Roles", "Age", "Version", "Internal-IP",
                "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime");
        assertThat(cells(table, 0)).containsExactly("node-1", "Ready,SchedulingDisabled", "control-plane,worker",
                "2d5h", "v1.32.4", "10.0.0.11", "<none>", "Ubuntu 22.04.4 LTS", "6.5.0", "containerd://1.7.20");
        assertThat(cells(table, 1).subList(0, 5)).containsExactly("node-2", "NotReady", "<none>", "90s", "");
        assertThat(cells(table, 2).subList(0, 3)).containsExactly("node-3", "Unknown,SchedulingDisabled", "edge");
        assertThat(cells(table, 2).subList(7, 10)).containsOnly("<unknown>");
    }

    @Test
    void namespaceAndControllerRevision() {
        ObjectNode ns = Json.parseObject("""
                {"metadata": {"name": "kube-system", "creationTimestamp": "2025-11-01T12:00:00Z"}, "status": {"phase": "Active"}}
                """);
        assertThat(columns(Tables.table(Definitions.NAMESPACE, List.of(ns), "1", NOW, true)))
                .containsExactly("Name", "Status", "Age");
        assertThat(cells(Tables.table(Definitions.NAMESPACE, List.of(ns), "1", NOW, true), 0))
                .containsExactly("kube-system", "Active", "70d");

        ObjectNode cr = Json.parseObject("""
                {"metadata": {"name": "fluentd-26375e8ba2", "creationTimestamp": "2026-01-10T09:00:00Z",
                              "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "fluentd",
                                                   "uid": "u1", "controller": true}]},
                 "revision": 3}
                """);
        ObjectNode orphan = Json.parseObject("""
                {"metadata": {"name": "orphan", "creationTimestamp": "2026-01-10T09:00:00Z"}, "revision": 1}
                """);
        ObjectNode table = Tables.table(Definitions.CONTROLLER_REVISION, List.of(cr, orphan), "1", NOW, true);
        assertThat(columns(table)).containsExactly("Name", "Controller", "Revision", "Age");
        assertThat(cells(table, 0)).containsExactly("fluentd-26375e8ba2", "daemonset.apps/fluentd", "3", "3h");
        assertThat(cells(table, 1)).containsExactly("orphan", "<none>", "1", "3h");
    }

    @Test
    void eventColumnsDefaultAndWide() {
        ObjectNode event = Json.parseObject("""
                {"metadata": {"name": "fluentd.1"},
                 "involvedObject": {"kind": "DaemonSet", "name": "fluentd", "namespace": "kube-system"},
                 "reason": "SuccessfulCreate", "message": "Created pod: fluentd-x  ", "type": "Normal",
                 "source": {"component": "daemonset-controller"},
                 "firstTimestamp": "2026-01-10T11:00:00Z", "lastTimestamp": "2026-01-10T11:58:00Z", "count": 4}
                """);
        ObjectNode table = Tables.table(Definitions.EVENT, List.of(event), "1", NOW, true);
        assertThat(columns(table)).containsExactly("Last Seen", "Type", "Reason", "Object", "Subobject", "Source",
                "Message", "First Seen", "Count", "Name");
        assertThat(priorities(table)).containsExactly(0, 0, 0, 0, 1, 1, 0, 1, 1, 1);
        assertThat(cells(table, 0)).containsExactly("2m", "Normal", "SuccessfulCreate", "daemonset/fluentd", "",
                "daemonset-controller", "Created pod: fluentd-x", "60m", "4", "fluentd.1");
    }

    @Test
    void humanDurationMatchesKubectl() {
        assertThat(HumanDuration.format(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
        assertThat(HumanDuration.format(Duration.ofMillis(-900))).isEqualTo("0s");
        assertThat(HumanDuration.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(HumanDuration.format(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(HumanDuration.format(Duration.ofSeconds(123))).isEqualTo("2m3s");
        assertThat(HumanDuration.format(Duration.ofMinutes(4))).isEqualTo("4m");
        assertThat(HumanDuration.format(Duration.ofSeconds(10 * 60 + 30))).isEqualTo("10m");
        assertThat(HumanDuration.format(Duration.ofMinutes(179))).isEqualTo("179m");
        assertThat(HumanDuration.format(Duration.ofMinutes(3 * 60 + 4))).isEqualTo("3h4m");
        assertThat(HumanDuration.format(Duration.ofHours(5))).isEqualTo("5h");
        assertThat(HumanDuration.format(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(HumanDuration.format(Duration.ofHours(53))).isEqualTo("2d5h");
        assertThat(HumanDuration.format(Duration.ofDays(3))).isEqualTo("3d");
        assertThat(HumanDuration.format(Duration.ofDays(100))).isEqualTo("100d");
        assertThat(HumanDuration.format(Duration.ofDays(365 * 3 + 10))).isEqualTo("3y10d");
        assertThat(HumanDuration.format(Duration.ofDays(365 * 9))).isEqualTo("9y");
        assertThat(HumanDuration.since(null, NOW)).isEqualTo("<unknown>");
    }

    @Test
    void acceptAndIncludeObject() {
        assertThat(Tables.wantsTable("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;"
                + "v=v1beta1;g=meta.k8s.io,application/json")).isTrue();
        assertThat(Tables.wantsTable("application/json")).isFalse();
        assertThat(Tables.wantsTable("application/json;as=Table;v=v1;g=other.io")).isFalse();
        assertThat(Tables.wantsTable(null)).isFalse();
        assertThat(Tables.includeObject(null)).isTrue();
        assertThat(Tables.includeObject("Metadata")).isTrue();
        assertThat(Tables.includeObject("Object")).isTrue();
        assertThat(Tables.includeObject("None")).isFalse();
        assertThat(Tables.rowObject("Object")).isEqualTo(Tables.RowObject.OBJECT);

        ObjectNode item = Json.parseObject("""
                {"metadata": {"name": "x"}, "status": {"phase": "Active"}}
                """);
        JsonNode full = row(Tables.table(Definitions.NAMESPACE, List.of(item), "1", NOW, Tables.RowObject.OBJECT), 0)
                .path("object");
        assertThat(full.path("kind").asString()).isEqualTo("Namespace");
        assertThat(full.path("apiVersion").asString()).isEqualTo("v1");
        assertThat(full.path("status").path("phase").asString()).isEqualTo("Active");
    }

    private static ObjectNode pod(String fields) {
        return Json.parseObject("{\"kind\": \"Pod\", \"apiVersion\": \"v1\", " + fields + "}");
    }

    private static JsonNode row(ObjectNode table, int i) {
        return table.path("rows").get(i);
    }

    private static List<String> columns(ObjectNode table) {
        List<String> names = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> names.add(c.path("name").asString()));
        return names;
    }

    private static List<Integer> priorities(ObjectNode table) {
        List<Integer> p = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> p.add(c.path("priority").asInt()));
        return p;
    }

    private static List<String> cells(ObjectNode table, int i) {
        List<String> out = new ArrayList<>();
        row(table, i).path("cells").forEach(c -> out.add(c.isString() ? c.stringValue() : c.toString()));
        return out;
    }
}
