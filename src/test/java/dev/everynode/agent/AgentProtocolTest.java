package dev.everynode.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.simulator.FleetSimulator;
import dev.everynode.simulator.Latencies;
import dev.everynode.simulator.SimulatorConfig;
import dev.everynode.support.ApiClient.Response;
import dev.everynode.support.Await;
import dev.everynode.support.Fixtures;
import dev.everynode.support.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The node-agent protocol end to end (docs/agent-protocol.md), with the fleet simulator playing the agents:
 * a DaemonSet reaching and rolling over 100 simulated nodes, node failure detection and recovery, long-poll
 * wake-ups, and the validation of status reports. Prints the measured figures (lines starting with "[agent]").
 */
class AgentProtocolTest extends IntegrationTest {

    private final String DS = "/apis/apps/v1/namespaces/" + namespace + "/daemonsets";
    private final String PODS = "/api/v1/namespaces/" + namespace + "/pods";

    private final HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<FleetSimulator> simulators = new ArrayList<>();

    @AfterEach
    void stopSimulators() {
        simulators.forEach(FleetSimulator::close);
        simulators.clear();
    }

    @Test
    void concurrentFirstRegistrationsOfOneNodeCreateItOnceAndEachGetsACredential() throws Exception {
        // One transaction per registration (node, heartbeat row, credential): the registrations that lose the
        // race for the insert are run again as updates, none answers an error.
        String body = """
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "race-00001"}}""";
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(CompletableFuture.supplyAsync(() -> api.withToken(BOOTSTRAP_TOKEN)
                    .post("/agent/v1/nodes", Json.parseObject(body))));
        }
        List<Integer> codes = new ArrayList<>();
        for (CompletableFuture<Response> answer : answers) {
            Response r = answer.get(60, java.util.concurrent.TimeUnit.SECONDS);
            codes.add(r.status());
            assertThat(r.headers().firstValue("Everynode-Node-Token")).as("a credential").isPresent();
        }
        assertThat(codes).containsOnly(200, 201);
        assertThat(codes.stream().filter(c -> c == 201).count()).as("created once").isEqualTo(1);
        assertThat(api.get("/api/v1/nodes?fieldSelector=metadata.name%3Drace-00001").json().path("items").size())
                .isEqualTo(1);
        assertThat(api.put("/agent/v1/nodes/race-00001/heartbeat", Json.object()).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void fluentdReachesAHundredSimulatedNodesAndRollsOver() {
        FleetSimulator sim = simulator("fleet", 100, b -> b.heartbeat(Duration.ofSeconds(1)));
        printObservations(sim, "registration");
        assertThat(api.get("/api/v1/nodes?labelSelector=everynode.dev%2Fsimulated%3Dtrue").json().path("items").size())
                .isEqualTo(100);

        ObjectNode ds = Fixtures.fluentd(namespace);
        ((ObjectNode) ds.path("spec")).putObject("updateStrategy").put("type", "RollingUpdate")
                .putObject("rollingUpdate").put("maxUnavailable", "10%");
        long created = System.nanoTime();
        sim.observations().mark();
        assertThat(api.post(DS, ds).status()).isEqualTo(201);
        Await.until("fluentd on all 100 nodes, available, rollout done", Duration.ofSeconds(40), () -> {
            JsonNode s = dsStatus();
            return livePods("fleet-").size() == 100 && s.path("numberAvailable").asInt() == 100
                    && s.path("numberReady").asInt() == 100 && rollout().path("done").asBoolean();
        });
        double createSeconds = (System.nanoTime() - created) / 1e9;
        List<JsonNode> pods = livePods("fleet-");
        assertThat(pods.stream().map(p -> p.path("spec").path("nodeName").asString()).collect(Collectors.toSet()))
                .hasSize(100);
        String oldHash = revisionHashes(pods).iterator().next();
        assertThat(revisionHashes(pods)).hasSize(1);
        Map<String, Duration> seen = sim.observations().firstSeenSinceMark(oldHash);
        assertThat(seen).hasSize(100);
        System.out.printf("[agent] create: fluentd on 100 simulated nodes, all available and rollout done in %.2f s; "
                + "nodes saw their pod after p50=%d ms max=%d ms%n", createSeconds, p(seen, 50), p(seen, 100));

        // Rolling update: new image, maxUnavailable 10%.
        ObjectNode current = api.get(DS + "/fluentd").object();
        ((ObjectNode) current.path("spec").path("template").path("spec").path("containers").get(0))
                .put("image", "fluent/fluentd:v1.17");
        long updated = System.nanoTime();
        sim.observations().mark();
        assertThat(api.put(DS + "/fluentd", current).status()).isEqualTo(200);
        try {
            Await.until("all 100 pods on the new revision, available, rollout done", Duration.ofSeconds(60), () -> {
                List<JsonNode> live = livePods("fleet-");
                JsonNode s = dsStatus();
                return live.size() == 100 && !revisionHashes(live).contains(oldHash) && revisionHashes(live).size() == 1
                        && s.path("updatedNumberScheduled").asInt() == 100 && s.path("numberAvailable").asInt() == 100
                        && rollout().path("done").asBoolean();
            });
        } catch (AssertionError stalled) {
            System.out.println("[agent] rollout stalled: " + rollout());
            System.out.println("[agent] simulator: " + sim.observations().summary());
            throw stalled;
        }
        double rolloutSeconds = (System.nanoTime() - updated) / 1e9;
        List<JsonNode> after = livePods("fleet-");
        String newHash = revisionHashes(after).iterator().next();
        assertThat(newHash).isNotEqualTo(oldHash);
        assertThat(after).allSatisfy(p -> {
            assertThat(p.path("spec").path("containers").get(0).path("image").asString()).isEqualTo("fluent/fluentd:v1.17");
            assertThat(p.path("status").path("phase").asString()).isEqualTo("Running");
        });
        assertThat(api.get(PODS).json().path("items").size()).as("no pod left terminating").isEqualTo(100);
        Map<String, Duration> seenNew = sim.observations().firstSeenSinceMark(newHash);
        assertThat(seenNew).hasSize(100);
        System.out.printf("[agent] rolling update (maxUnavailable 10%%, start delay 50 ms): 100 nodes on the new "
                + "revision in %.2f s; nodes saw the new pod after p50=%d ms max=%d ms%n",
                rolloutSeconds, p(seenNew, 50), p(seenNew, 100));
        System.out.printf("[agent] long-polls parked at once (client side): max %d, now %d of 100 nodes%n",
                sim.observations().maxPollsInFlight(), sim.observations().pollsInFlight());
        printObservations(sim, "fleet");
        assertThat(sim.observations().errors()).as("simulator errors %s", sim.observations().errorKinds()).isZero();
        assertThat(sim.observations().maxPollsInFlight()).isGreaterThanOrEqualTo(95);
    }

    @Test
    void silentNodeTurnsUnknownAndRecoversWhenHeartbeatsResume() {
        FleetSimulator sim = simulator("hb", 3, b -> b.heartbeat(Duration.ofSeconds(1)));
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        awaitAvailable("hb-", 3);
        String silent = "hb-00002";
        JsonNode pod = podOn(silent);
        String podName = pod.path("metadata").path("name").asString();
        String podUid = pod.path("metadata").path("uid").asString();

        long paused = System.nanoTime();
        sim.pauseHeartbeats(List.of(silent));
        Await.until(silent + " Ready=Unknown", Duration.ofSeconds(10),
                () -> "Unknown".equals(condition(node(silent), "Ready")));
        double unknownAfter = (System.nanoTime() - paused) / 1e9;
        JsonNode node = node(silent);
        assertThat(node.path("spec").path("taints").findValuesAsString("effect").stream().sorted().toList())
                .containsExactly("NoExecute", "NoSchedule");
        assertThat(node.path("spec").path("taints")).allSatisfy(t ->
                assertThat(t.path("key").asString()).isEqualTo("node.kubernetes.io/unreachable"));
        Await.until("its pod Ready=False", Duration.ofSeconds(2),
                () -> "False".equals(condition(api.get(PODS + "/" + podName).json(), "Ready")));
        for (String other : List.of("hb-00001", "hb-00003")) {
            assertThat(condition(node(other), "Ready")).as(other + " keeps beating").isEqualTo("True");
        }
        System.out.printf("[agent] node failure detection: Ready=Unknown + unreachable taints %.2f s after its heartbeats "
                + "stopped (grace 3 s, monitor period 0.5 s, heartbeat every 1 s)%n", unknownAfter);
        assertThat(unknownAfter).as("seconds until Ready=Unknown (grace 3 s + monitor 0.5 s + allowance)")
                .isLessThanOrEqualTo(6.0);

        long resumed = System.nanoTime();
        sim.resumeHeartbeats(List.of(silent));
        Await.until(silent + " Ready again, taints gone, pod Ready again", Duration.ofSeconds(10), () -> {
            JsonNode n = node(silent);
            JsonNode p = api.get(PODS + "/" + podName).json();
            return "True".equals(condition(n, "Ready")) && n.path("spec").path("taints").isEmpty()
                    && "True".equals(condition(p, "Ready"));
        });
        System.out.printf("[agent] recovery: node Ready, taints gone and pod Ready (resync) %.2f s after heartbeats "
                + "resumed%n", (System.nanoTime() - resumed) / 1e9);
        assertThat(podOn(silent).path("metadata").path("uid").asString()).as("the pod stayed").isEqualTo(podUid);
        assertThat(sim.observations().resyncs()).isGreaterThanOrEqualTo(1);
        Await.until("DaemonSet available on 3 again", Duration.ofSeconds(5),
                () -> dsStatus().path("numberAvailable").asInt() == 3);
    }

    @Test
    void longPollWakesOnlyForItsOwnNodeAndAnswers304WhenNothingChanged() throws Exception {
        FleetSimulator sim = simulator("lp", 2, b -> b.heartbeat(Duration.ofSeconds(1)));
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        awaitAvailable("lp-", 2);
        String mine = "lp-00001";
        String other = "lp-00002";
        String path = "/agent/v1/nodes/" + mine + "/assignments";

        // Plain GET: 200 with an ETag, then 304 with it.
        String etag = stableEtag(mine);
        HttpResponse<String> notModified = get(path, etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        assertThat(notModified.body()).isEmpty();

        // A poll keeps waiting through changes of another node (and status reports of its own).
        CompletableFuture<HttpResponse<String>> parked = parkPoll(path + "?waitSeconds=20", etag);
        String otherPod = podOn(other).path("metadata").path("name").asString();
        assertThat(api.delete(PODS + "/" + otherPod).status()).isEqualTo(200);
        Await.until("the other node's pod replaced and Ready", Duration.ofSeconds(10), () -> {
            JsonNode p = podOn(other);
            return p != null && !p.path("metadata").path("name").asString().equals(otherPod)
                    && "True".equals(condition(p, "Ready"));
        });
        CompletableFuture<HttpResponse<String>> first = parked;
        Await.holds("a poll of " + mine + " not answered for a change of " + other, Duration.ofSeconds(2),
                () -> !first.isDone());

        // A change for its node answers it within a second; several trials.
        Latencies wakeups = new Latencies();
        for (int trial = 0; trial < 5; trial++) {
            if (trial > 0) {
                etag = stableEtag(mine);
                parked = parkPoll(path + "?waitSeconds=20", etag);
            }
            assertThat(parked).isNotDone();
            String victim = podOn(mine).path("metadata").path("name").asString();
            long t0 = System.nanoTime();
            long[] answeredAt = new long[1];
            CompletableFuture<HttpResponse<String>> watched = parked.whenComplete((r, e) -> answeredAt[0] = System.nanoTime());
            assertThat(api.delete(PODS + "/" + victim).status()).isEqualTo(200);
            HttpResponse<String> woke = watched.get(5, TimeUnit.SECONDS);
            long latency = answeredAt[0] - t0;
            wakeups.add(latency);
            assertThat(woke.statusCode()).isEqualTo(200);
            assertThat(woke.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
            JsonNode body = Json.MAPPER.readTree(woke.body());
            assertThat(body.path("node").asString()).isEqualTo(mine);
            assertThat(body.path("etag").asString()).isEqualTo(woke.headers().firstValue("ETag").orElseThrow());
            assertThat(latency).as("wake-up latency (ns) of trial " + trial).isLessThan(TimeUnit.SECONDS.toNanos(1));
            Await.until("a new Ready pod on " + mine, Duration.ofSeconds(10), () -> {
                JsonNode p = podOn(mine);
                return p != null && !p.path("metadata").path("name").asString().equals(victim)
                        && "True".equals(condition(p, "Ready"));
            });
        }
        System.out.printf("[agent] long-poll wake-up after a change of its node (DELETE sent -> poll answered), "
                + "5 trials: median %.1f ms, max %.1f ms%n", wakeups.percentileMillis(50), wakeups.maxMillis());

        // Nothing changes: 304 when waitSeconds elapses (+ up to 1/16 jitter).
        etag = stableEtag(mine);
        long t0 = System.nanoTime();
        HttpResponse<String> timedOut = get(path + "?waitSeconds=1", etag);
        double waited = (System.nanoTime() - t0) / 1e9;
        assertThat(timedOut.statusCode()).isEqualTo(304);
        assertThat(timedOut.headers().firstValue("ETag")).hasValue(etag);
        assertThat(waited).isBetween(0.9, 2.5);
        System.out.printf("[agent] long-poll waitSeconds=1 without change: 304 after %.2f s%n", waited);
        assertThat(get(path + "?waitSeconds=301", etag).statusCode()).isEqualTo(400);
    }

    @Test
    void statusReportsAreValidatedAndBoundToTheirNode() {
        FleetSimulator sim = simulator("rp", 2, b -> b.heartbeat(Duration.ofSeconds(1)));
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        awaitAvailable("rp-", 2);
        JsonNode pod = podOn("rp-00001");
        JsonNode otherPod = podOn("rp-00002");
        String name = pod.path("metadata").path("name").asString();
        String uid = pod.path("metadata").path("uid").asString();
        String reports = "/agent/v1/nodes/rp-00001/pod-statuses";
        JsonNode before = api.get(PODS + "/" + name).json();
        JsonNode otherBefore = api.get(PODS + "/" + otherPod.path("metadata").path("name").asString()).json();

        ObjectNode unready = Json.object().put("phase", "Running");
        unready.putArray("conditions").addObject().put("type", "Ready").put("status", "False");

        // Malformed: 400 Status, nothing applied (not even the valid item of the batch).
        for (String body : List.of(
                "{}",
                "{\"statuses\": {}}",
                batch(item(pod, unready), item(pod, Json.object().put("phase", "Bogus"))),
                "{\"statuses\": [{\"namespace\": \"" + namespace + "\", \"name\": \"" + name + "\", \"status\": \"Running\"}]}",
                "{\"statuses\": [" + item(pod, unready) + ", 42]}",
                "not json")) {
            Response r = api.send("POST", reports, body, "application/json", null);
            assertThat(r.status()).as("answer to %s", body).isEqualTo(400);
            assertThat(r.json().path("kind").asString()).isEqualTo("Status");
            assertThat(r.json().path("code").asInt()).isEqualTo(400);
        }
        assertThat(api.get(PODS + "/" + name).json()).as("nothing applied").isEqualTo(before);

        // Another node's path: 403 for the whole batch, nothing applied.
        Response forbidden = api.send("POST", "/agent/v1/nodes/rp-00002/pod-statuses",
                batch(item(otherPod, unready), item(pod, unready)), "application/json", null);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().path("kind").asString()).isEqualTo("Status");
        assertThat(forbidden.json().path("reason").asString()).isEqualTo("Forbidden");
        assertThat(api.get(PODS + "/" + name).json()).as("pod of rp-00001 unchanged").isEqualTo(before);
        assertThat(api.get(PODS + "/" + otherPod.path("metadata").path("name").asString()).json())
                .as("pod of rp-00002 unchanged too").isEqualTo(otherBefore);

        // Wrong uid: ignored. Unknown pod: notFound. Replay of the stored status: unchanged.
        ObjectNode wrongUid = (ObjectNode) Json.parseObject(item(pod, unready));
        wrongUid.put("uid", "00000000-0000-0000-0000-000000000000");
        ObjectNode missing = (ObjectNode) Json.parseObject(item(pod, unready));
        missing.put("name", "no-such-pod");
        ObjectNode replay = (ObjectNode) Json.parseObject(item(pod, (ObjectNode) before.path("status")));
        Response mixed = api.send("POST", reports, batch(wrongUid.toString(), missing.toString(), replay.toString()),
                "application/json", null);
        assertThat(mixed.status()).isEqualTo(200);
        assertThat(mixed.json().path("results").findValuesAsString("result"))
                .containsExactly("ignored", "notFound", "unchanged");
        assertThat(api.get(PODS + "/" + name).json()).isEqualTo(before);

        // A real change is applied once; its replay is unchanged.
        Response applied = api.send("POST", reports, batch(item(pod, unready)), "application/json", null);
        assertThat(applied.json().path("results").get(0).path("result").asString()).isEqualTo("applied");
        Response again = api.send("POST", reports, batch(item(pod, unready)), "application/json", null);
        assertThat(again.json().path("results").get(0).path("result").asString()).isEqualTo("unchanged");
        JsonNode after = api.get(PODS + "/" + name).json();
        assertThat(condition(after, "Ready")).isEqualTo("False");
        assertThat(after.path("metadata").path("uid").asString()).isEqualTo(uid);
    }

    @Test
    void confirmationsRemoveTheirNodesPodsTogetherAndRefuseOthers() throws Exception {
        FleetSimulator sim = simulator("cf", 3, b -> b.heartbeat(Duration.ofSeconds(1)));
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        awaitAvailable("cf-", 3);
        sim.close();
        List<String> names = new ArrayList<>();
        for (String node : List.of("cf-00001", "cf-00002", "cf-00003")) {
            names.add(podOn(node).path("metadata").path("name").asString());
        }

        // Another node's pod: 403 Status, the pod stays. A pod that does not exist: 404 Status.
        Response forbidden = api.delete("/agent/v1/nodes/cf-00001/pods/" + namespace + "/" + names.get(1));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().path("reason").asString()).isEqualTo("Forbidden");
        assertThat(api.get(PODS + "/" + names.get(1)).status()).isEqualTo(200);
        Response missing = api.delete("/agent/v1/nodes/cf-00001/pods/" + namespace + "/no-such-pod");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("kind").asString()).isEqualTo("Status");

        // Three nodes confirm at once (coalesced into one transaction or a few): each answered 200, each pod gone;
        // a second confirmation of the same pod is a 404.
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String path = "/agent/v1/nodes/cf-0000" + (i + 1) + "/pods/" + namespace + "/" + names.get(i);
            answers.add(CompletableFuture.supplyAsync(() -> api.delete(path)));
        }
        for (CompletableFuture<Response> a : answers) {
            assertThat(a.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        for (String name : names) {
            assertThat(api.get(PODS + "/" + name).status()).as(name + " removed").isEqualTo(404);
        }
        assertThat(api.delete("/agent/v1/nodes/cf-00001/pods/" + namespace + "/" + names.get(0)).status()).isEqualTo(404);
    }

    @Test
    void reRegistrationKeepsPodsAndUpdatesLabelsAndUnknownHeartbeatIs404() {
        FleetSimulator sim = simulator("rr", 2, b -> b.heartbeat(Duration.ofSeconds(1)));
        assertThat(api.post(DS, Fixtures.fluentd(namespace)).status()).isEqualTo(201);
        awaitAvailable("rr-", 2);
        JsonNode pod = podOn("rr-00001");

        ObjectNode again = Json.parseObject("""
                {"apiVersion": "v1", "kind": "Node",
                 "metadata": {"name": "rr-00001", "labels": {"everynode.dev/simulated": "true", "zone": "z1"}},
                 "status": {"capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                            "nodeInfo": {"kubeletVersion": "everynode-sim/0.2"}}}""");
        Response r = api.post("/agent/v1/nodes", again);
        assertThat(r.status()).isEqualTo(200);
        JsonNode node = node("rr-00001");
        assertThat(node.path("metadata").path("labels").path("zone").asString()).isEqualTo("z1");
        assertThat(node.path("metadata").path("labels").path("kubernetes.io/hostname").asString()).isEqualTo("rr-00001");
        assertThat(node.path("status").path("capacity").path("cpu").asString()).isEqualTo("4");

        JsonNode kept = podOn("rr-00001");
        assertThat(kept.path("metadata").path("uid").asString()).isEqualTo(pod.path("metadata").path("uid").asString());
        assertThat(kept.path("metadata").has("deletionTimestamp")).isFalse();
        assertThat(api.get("/api/v1/nodes/rr-00001").status()).isEqualTo(200);
        assertThat(api.post("/api/v1/nodes", again).status()).as("Kubernetes semantics on /api/v1").isEqualTo(409);

        Response unknown = api.put("/agent/v1/nodes/never-registered-node/heartbeat", Json.object());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("kind").asString()).isEqualTo("Status");
        Response known = api.send("PUT", "/agent/v1/nodes/rr-00002/heartbeat", null, null, null);
        assertThat(known.status()).isEqualTo(200);
        assertThat(known.json().path("heartbeatIntervalSeconds").asInt()).isPositive();
        assertThat(known.json().path("gracePeriodSeconds").asInt()).isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------------------

    private FleetSimulator simulator(String prefix, int nodes,
                                     java.util.function.UnaryOperator<SimulatorConfig.Builder> tweak) {
        SimulatorConfig config = tweak.apply(SimulatorConfig.builder("http://localhost:" + port).token(BOOTSTRAP_TOKEN).prefix(prefix)
                .nodes(nodes).waitSeconds(30).startDelay(Duration.ofMillis(50)).reportBatch(Duration.ofMillis(50))
                .concurrency(32).workerThreads(4)).build();
        FleetSimulator sim = FleetSimulator.start(config);
        simulators.add(sim);
        return sim;
    }

    private static void printObservations(FleetSimulator sim, String what) {
        System.out.println("[agent] simulator observations (" + what + "):\n" + sim.observations().summary());
    }

    private static long p(Map<String, Duration> values, double percentile) {
        List<Long> ms = values.values().stream().map(Duration::toMillis).sorted().toList();
        int rank = (int) Math.ceil(percentile / 100.0 * ms.size());
        return ms.get(Math.max(0, Math.min(ms.size() - 1, rank - 1)));
    }

    private void awaitAvailable(String prefix, int n) {
        Await.until(n + " fluentd pods available", Duration.ofSeconds(20), () -> livePods(prefix).size() == n
                && dsStatus().path("numberAvailable").asInt() == n);
    }

    private List<JsonNode> livePods(String nodePrefix) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : api.get(PODS).json().path("items")) {
            if (!p.path("metadata").has("deletionTimestamp")
                    && p.path("spec").path("nodeName").asString("").startsWith(nodePrefix)) {
                out.add(p);
            }
        }
        return out;
    }

    private JsonNode podOn(String node) {
        return livePods(node).stream().filter(p -> p.path("spec").path("nodeName").asString().equals(node))
                .findFirst().orElse(null);
    }

    private static Set<String> revisionHashes(List<JsonNode> pods) {
        Set<String> out = new HashSet<>();
        pods.forEach(p -> out.add(p.path("metadata").path("labels").path("controller-revision-hash").asString("")));
        return out;
    }

    private JsonNode dsStatus() {
        return api.get(DS + "/fluentd").json().path("status");
    }

    private JsonNode rollout() {
        return api.get(DS + "/fluentd/rollout").json();
    }

    private JsonNode node(String name) {
        return api.get("/api/v1/nodes/" + name).json();
    }

    private static String condition(JsonNode object, String type) {
        if (object == null) {
            return null;
        }
        for (JsonNode c : object.path("status").path("conditions")) {
            if (type.equals(c.path("type").asString(""))) {
                return c.path("status").asString(null);
            }
        }
        return null;
    }

    /** The node's current ETag once its assignments have stopped changing (its pod Ready, nothing terminating). */
    private String stableEtag(String node) throws Exception {
        String path = "/agent/v1/nodes/" + node + "/assignments";
        return Await.settled("stable assignments of " + node, Duration.ofMillis(200), Duration.ofSeconds(10), () -> {
            try {
                HttpResponse<String> a = get(path, null);
                JsonNode body = Json.MAPPER.readTree(a.body());
                if (body.path("pods").size() != 1 || !body.path("terminating").isEmpty()) {
                    return null;
                }
                return a.headers().firstValue("ETag").orElse(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Sends a long-poll and returns once the server has parked it (one more parked poll on this replica than
     * before; the simulator's agents keep theirs parked meanwhile).
     */
    private CompletableFuture<HttpResponse<String>> parkPoll(String path, String etag) throws Exception {
        double before = parkedPolls();
        CompletableFuture<HttpResponse<String>> parked = getAsync(path, etag);
        Await.until("the poll " + path + " parked", Duration.ofSeconds(5),
                () -> parked.isDone() || parkedPolls() >= before + 1);
        return parked;
    }

    private double parkedPolls() {
        return meters.get("everynode.agent.parked.polls").gauge().value();
    }

    private HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
        return getAsync(path, ifNoneMatch).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String path, String ifNoneMatch) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(40))
                .header("Authorization", "Bearer " + ADMIN_TOKEN);
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        return raw.sendAsync(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String item(JsonNode pod, ObjectNode status) {
        ObjectNode item = Json.object();
        item.put("namespace", pod.path("metadata").path("namespace").asString());
        item.put("name", pod.path("metadata").path("name").asString());
        item.put("uid", pod.path("metadata").path("uid").asString());
        item.set("status", status.deepCopy());
        return Json.write(item);
    }

    private static String batch(String... items) {
        return "{\"statuses\": [" + String.join(", ", items) + "]}";
    }
}
