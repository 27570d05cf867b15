package dev.everynode.agent;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import dev.everynode.node.Heartbeats;
import dev.everynode.platform.EverynodeProperties;
import dev.everynode.pod.PodConditions;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies pod status reports and answers per item. A report for a pod bound to another node refuses that
 * request (403) and changes nothing of it; a report for an older incarnation of a pod (uid mismatch) is ignored;
 * a replay changes nothing.
 *
 * <p>Reports are coalesced: one writer thread takes every request that arrived while the previous transaction
 * committed (up to {@code everynode.agents.status-batch} items) and applies them all in one transaction: one
 * locking read, one set-based UPDATE, one commit. An idle server writes a lone report at once; under load the
 * commit cost is shared by hundreds of reports (Nomad coalesces status updates the same way). Each request still
 * gets its own answer, and its reports are durable when it is answered.
 *
 * <p>A request marked {@code "resync": true} carries every pod of its node (the agent was told so by a heartbeat
 * after its node was marked unreachable): once it has committed, the node's resync flag is cleared
 * ({@link Heartbeats#resynced}), so an agent is asked again until such a report has landed.
 */
@Component
class PodStatusReports {

    private static final Set<String> PHASES = Set.of("Pending", "Running", "Succeeded", "Failed", "Unknown");

    /** One request: a node's reports, and the answer (or the refusal) it waits for. */
    private record Submission(String node, JsonNode statuses, boolean resync, CompletableFuture<ObjectNode> answer,
                              long received) {}

    private final ObjectStore store;
    private final Heartbeats heartbeats;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final CoalescingWriter<Submission> writer;
    /** From a report's arrival to its commit (the coalescing writer's queue plus the batch's transaction). */
    private final io.micrometer.core.instrument.Timer lag;

    PodStatusReports(ObjectStore store, Heartbeats heartbeats, TransactionTemplate tx, ApplicationEventPublisher events, Clock clock,
                     EverynodeProperties.Agents settings,
                     io.micrometer.core.instrument.MeterRegistry meters) {
        this.lag = io.micrometer.core.instrument.Timer.builder("everynode.status.report.lag")
                .description("From an agent's pod status report received to its commit")
                .publishPercentileHistogram().maximumExpectedValue(java.time.Duration.ofSeconds(30)).register(meters);
        this.store = store;
        this.heartbeats = heartbeats;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
        this.writer = new CoalescingWriter<>("pod-status-writer", settings.statusBatch(), s -> s.statuses().size(), this::write,
                PodStatusReports::fail);
    }

    /** Validates and queues a request's reports; the answer completes once they are committed (no thread waits). */
    CompletableFuture<ObjectNode> submit(String node, JsonNode body) {
        JsonNode statuses = body.path("statuses");
        if (!statuses.isArray()) {
            throw ApiException.badRequest("the body must be {\"statuses\": [{\"namespace\", \"name\", \"uid\", \"status\"}]}");
        }
        for (int i = 0; i < statuses.size(); i++) {
            JsonNode item = statuses.get(i);
            if (!item.path("namespace").isString() || !item.path("name").isString() || !item.path("status").isObject()) {
                throw ApiException.badRequest("statuses[" + i + "]: namespace, name and status (an object) are required");
            }
            String phase = Json.text(item, "status", "phase");
            if (phase != null && !PHASES.contains(phase)) {
                throw ApiException.badRequest("statuses[" + i + "].status.phase: Unsupported value: \"" + phase + "\"");
            }
        }
        JsonNode resync = body.path("resync");
        if (!resync.isMissingNode() && !resync.isNull() && !resync.isBoolean()) {
            throw ApiException.badRequest("resync: must be a boolean");
        }
        Submission submission = new Submission(node, statuses, resync.asBoolean(false), new CompletableFuture<>(),
                System.nanoTime());
        writer.submit(submission);
        return submission.answer();
    }

    private static void fail(List<Submission> batch, RuntimeException e) {
        batch.forEach(s -> s.answer().completeExceptionally(e));
    }

    private void write(List<Submission> batch) {
        Map<Submission, ObjectNode> answers = new LinkedHashMap<>();
        Map<String, StoredObject> written = new LinkedHashMap<>();
        tx.executeWithoutResult(status -> {
            List<String> namespaces = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Submission s : batch) {
                s.statuses().forEach(item -> {
                    namespaces.add(item.path("namespace").asString());
                    names.add(item.path("name").asString());
                });
            }
            // The latest state of every pod of the batch: as locked, then as an earlier request changed it.
            Map<String, StoredObject> current = new HashMap<>();
            store.getManyForUpdate("Pod", namespaces, names).forEach(p -> current.put(p.namespace() + "/" + p.name(), p));
            for (Submission s : batch) {
                ObjectNode answer = answer(s, current, written);
                if (answer != null) {
                    answers.put(s, answer);
                }
            }
            store.updateStatuses(new ArrayList<>(written.values()));
        });
        long committed = System.nanoTime();
        // After the commit, in a transaction of its own: the resync flags of the nodes whose full reports landed
        // (not of a refused request). Lost with a crash between the two, the flag only asks the agent once more.
        List<String> resynced = batch.stream().filter(s -> s.resync() && answers.containsKey(s))
                .map(Submission::node).toList();
        if (!resynced.isEmpty()) {
            try {
                heartbeats.resynced(resynced);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(PodStatusReports.class)
                        .warn("could not clear the resync flags of {} node(s); their agents are asked again: {}",
                                resynced.size(), e.toString());
            }
        }
        batch.forEach(s -> lag.record(committed - s.received(), java.util.concurrent.TimeUnit.NANOSECONDS));
        answers.forEach((s, a) -> s.answer().complete(a));
        // One nudge per owning DaemonSet: only its pass can be affected by these reports.
        Set<Change> nudges = new LinkedHashSet<>();
        for (StoredObject p : written.values()) {
            if (PodOwner.of(p.body()) instanceof PodOwner.DaemonSet owner) {
                nudges.add(new Change.PodsWritten(p.namespace(), owner));
            }
        }
        nudges.forEach(events::publishEvent);
    }

    /**
     * One request's answer, its changes added to {@code written} and {@code current}; or null when the request
     * was refused (its future then holds the 403 and none of its reports is applied).
     */
    private ObjectNode answer(Submission s, Map<String, StoredObject> current, Map<String, StoredObject> written) {
        for (JsonNode item : s.statuses()) {
            String name = item.path("name").asString();
            StoredObject pod = current.get(item.path("namespace").asString() + "/" + name);
            String boundTo = pod == null ? null : Json.text(pod.body(), "spec", "nodeName");
            if (pod != null && !s.node().equals(boundTo)) {
                s.answer().completeExceptionally(ApiException.forbidden("pods \"" + name + "\" is forbidden: node \""
                        + s.node() + "\" can only update pods bound to it (the pod is bound to \"" + boundTo + "\")"));
                return null;
            }
        }
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (JsonNode item : s.statuses()) {
            String ns = item.path("namespace").asString();
            String name = item.path("name").asString();
            String key = ns + "/" + name;
            ObjectNode result = results.addObject().put("namespace", ns).put("name", name);
            StoredObject pod = current.get(key);
            if (pod == null) {
                result.put("result", "notFound").put("message", "pods \"" + name + "\" not found");
                continue;
            }
            String uid = Json.text(item, "uid");
            if (uid != null && !uid.equals(pod.uid().toString())) {
                result.put("result", "ignored").put("message", "the report is for an older incarnation of the pod");
                continue;
            }
            ObjectNode next = pod.body().deepCopy();
            next.set("status", item.get("status").deepCopy());
            PodConditions.stampReadyTransition(next, pod.body(), clock.instant());
            if (next.path("status").equals(pod.body().path("status"))) {
                result.put("result", "unchanged");
                continue;
            }
            StoredObject changed = new StoredObject(pod.kind(), pod.namespace(), pod.name(), pod.uid(),
                    pod.resourceVersion(), pod.generation(), pod.createdAt(), pod.deletionTimestamp(), next);
            current.put(key, changed);
            written.put(key, changed);
            result.put("result", "applied");
        }
        return out;
    }

    @PreDestroy
    void stop() {
        writer.stop();
    }
}
