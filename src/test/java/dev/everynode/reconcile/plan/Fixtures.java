package dev.everynode.reconcile.plan;

import dev.everynode.reconcile.plan.Model.Action;
import dev.everynode.reconcile.plan.Model.Backoff;
import dev.everynode.reconcile.plan.Model.DaemonSetView;
import dev.everynode.reconcile.plan.Model.DeleteReason;
import dev.everynode.reconcile.plan.Model.IntOrPercent;
import dev.everynode.reconcile.plan.Model.NodeSelectorTerm;
import dev.everynode.reconcile.plan.Model.NodeView;
import dev.everynode.reconcile.plan.Model.Phase;
import dev.everynode.reconcile.plan.Model.Placement;
import dev.everynode.reconcile.plan.Model.Plan;
import dev.everynode.reconcile.plan.Model.PodView;
import dev.everynode.reconcile.plan.Model.Requirement;
import dev.everynode.reconcile.plan.Model.Snapshot;
import dev.everynode.reconcile.plan.Model.Strategy;
import dev.everynode.reconcile.plan.Model.Taint;
import dev.everynode.reconcile.plan.Model.Toleration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Test builders in the role of the Kubernetes helpers newDaemonSet, newNode and newPod. */
final class Fixtures {

    static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    static final String NEW = "hash-new";
    static final String OLD = "hash-old";
    static final int BURST = 250;

    private Fixtures() {}

    static DsBuilder ds() {
        return new DsBuilder();
    }

    static NodeBuilder node(String name) {
        return new NodeBuilder(name);
    }

    static PodBuilder pod(String name, String node) {
        return new PodBuilder(name, node);
    }

    /** Nodes n1..nN. */
    static List<NodeView> nodes(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> node("n" + i).build()).toList();
    }

    /** One ready pod per node, named p-<node>, on the given revision. */
    static List<PodView> podsOn(List<NodeView> nodes, String hash) {
        return nodes.stream().map(n -> pod("p-" + n.name(), n.name()).hash(hash).build()).toList();
    }

    /** One ready pod per node, named p-<node>: the nodes from the {@code from}-th (counting from 1) on are new. */
    static List<PodView> newFrom(List<NodeView> nodes, int from) {
        return IntStream.range(0, nodes.size()).mapToObj(i -> pod("p-" + nodes.get(i).name(), nodes.get(i).name())
                .hash(i + 1 >= from ? NEW : OLD).build()).toList();
    }

    static Plan plan(DaemonSetView ds, List<NodeView> nodes, List<PodView> pods) {
        return Planner.plan(new Snapshot(ds, nodes, pods, Map.of()), NOW, BURST);
    }

    static Action create(String node) {
        return new Action.CreatePod(node);
    }

    static Action delete(String pod, String node, DeleteReason reason) {
        return new Action.DeletePod(pod, node, reason);
    }

    static List<String> createdNodes(Plan plan) {
        return plan.actions().stream().filter(Action.CreatePod.class::isInstance)
                .map(a -> ((Action.CreatePod) a).nodeName()).toList();
    }

    static List<String> deletedPods(Plan plan) {
        return plan.actions().stream().filter(Action.DeletePod.class::isInstance)
                .map(a -> ((Action.DeletePod) a).podName()).toList();
    }

    static Taint taint(String key, String effect) {
        return new Taint(key, "", effect);
    }

    static Toleration toleration(String key, String operator, String value, String effect) {
        return new Toleration(key, operator, value, effect);
    }

    static Requirement req(String key, String operator, String... values) {
        return new Requirement(key, operator, List.of(values));
    }

    static NodeSelectorTerm term(Requirement... expressions) {
        return new NodeSelectorTerm(List.of(expressions), List.of());
    }

    static NodeSelectorTerm fieldTerm(Requirement... fields) {
        return new NodeSelectorTerm(List.of(), List.of(fields));
    }

    static final class DsBuilder {
        private String nodeName = "";
        private Map<String, String> nodeSelector = Map.of();
        private List<NodeSelectorTerm> terms;
        private List<Toleration> tolerations = List.of();
        private boolean hostNetwork;
        private String type = "RollingUpdate";
        private IntOrPercent maxUnavailable = IntOrPercent.of(1);
        private IntOrPercent maxSurge = IntOrPercent.of(0);
        private IntOrPercent partition;
        private boolean paused;
        private int minReadySeconds;
        private long observedGeneration = 1;
        private Long templateGeneration;
        private boolean selectorEmpty;
        private boolean deleting;
        private Model.Policy policy = Model.Policy.NONE;

        DsBuilder nodeName(String value) { nodeName = value; return this; }
        DsBuilder nodeSelector(Map<String, String> value) { nodeSelector = value; return this; }
        DsBuilder terms(NodeSelectorTerm... value) { terms = List.of(value); return this; }
        DsBuilder terms(List<NodeSelectorTerm> value) { terms = value; return this; }
        DsBuilder tolerations(Toleration... value) { tolerations = List.of(value); return this; }
        DsBuilder hostNetwork() { hostNetwork = true; return this; }
        DsBuilder onDelete() { type = "OnDelete"; maxUnavailable = null; maxSurge = null; return this; }
        DsBuilder maxUnavailable(IntOrPercent value) { maxUnavailable = value; return this; }
        DsBuilder maxUnavailable(int value) { return maxUnavailable(IntOrPercent.of(value)); }
        DsBuilder maxSurge(IntOrPercent value) { maxSurge = value; maxUnavailable = IntOrPercent.of(0); return this; }
        DsBuilder maxSurge(int value) { return maxSurge(IntOrPercent.of(value)); }
        DsBuilder partition(IntOrPercent value) { partition = value; return this; }
        DsBuilder partition(int value) { return partition(IntOrPercent.of(value)); }
        DsBuilder paused() { paused = true; return this; }
        DsBuilder minReadySeconds(int value) { minReadySeconds = value; return this; }
        DsBuilder observedGeneration(long value) { observedGeneration = value; return this; }
        DsBuilder templateGeneration(long value) { templateGeneration = value; return this; }
        DsBuilder selectorEmpty() { selectorEmpty = true; return this; }
        DsBuilder deleting() { deleting = true; return this; }
        DsBuilder policy(Model.Policy value) { policy = value; return this; }

        DaemonSetView build() {
            return new DaemonSetView("default", "agent", "uid-1", observedGeneration, observedGeneration, NEW,
                    templateGeneration, new Placement(nodeName, nodeSelector, terms, tolerations, hostNetwork),
                    new Strategy(type, maxUnavailable, maxSurge, partition, paused, policy), minReadySeconds,
                    selectorEmpty, deleting);
        }
    }

    static final class NodeBuilder {
        private final String name;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<Taint> taints = new ArrayList<>();
        private boolean ready = true;

        NodeBuilder(String name) { this.name = name; }

        NodeBuilder label(String key, String value) { labels.put(key, value); return this; }
        NodeBuilder taint(String key, String effect) { taints.add(Fixtures.taint(key, effect)); return this; }
        NodeBuilder notReady() { ready = false; return this; }

        NodeView build() { return new NodeView(name, Map.copyOf(labels), List.copyOf(taints), ready); }
    }

    static final class PodBuilder {
        private final String name;
        private final String node;
        private String hash = NEW;
        private String templateGeneration;
        private Phase phase = Phase.Running;
        private boolean ready = true;
        private Instant readySince = NOW.minus(Duration.ofHours(1));
        private Instant created = NOW.minus(Duration.ofHours(2));
        private boolean terminating;

        PodBuilder(String name, String node) { this.name = name; this.node = node; }

        PodBuilder hash(String value) { hash = value; return this; }
        PodBuilder old() { return hash(OLD); }
        PodBuilder templateGeneration(String value) { templateGeneration = value; return this; }
        PodBuilder failed() { phase = Phase.Failed; return notReady(); }
        PodBuilder succeeded() { phase = Phase.Succeeded; return notReady(); }
        PodBuilder pending() { phase = Phase.Pending; return notReady(); }
        PodBuilder notReady() { ready = false; readySince = null; return this; }
        PodBuilder readySince(Instant value) { ready = true; readySince = value; return this; }
        PodBuilder created(Instant value) { created = value; return this; }
        PodBuilder terminating() { terminating = true; return this; }

        PodView build() {
            return new PodView(name, node, hash, templateGeneration, phase, ready, readySince, created, terminating);
        }
    }

    /** A tiny cluster that applies plans the way the executor and agents would, one pass at a time. */
    static final class Cluster {
        DaemonSetView ds;
        final List<NodeView> nodes;
        final List<PodView> pods;
        Map<String, Backoff> backoff = Map.of();
        Instant now = NOW;
        int burst = BURST;
        private int counter;

        Cluster(DaemonSetView ds, List<NodeView> nodes, List<PodView> pods) {
            this.ds = ds;
            this.nodes = new ArrayList<>(nodes);
            this.pods = new ArrayList<>(pods);
        }

        /** Plans one pass, removes deleted pods (the agent confirms at once) and adds unready new pods. */
        Plan sync() {
            Plan plan = Planner.plan(new Snapshot(ds, List.copyOf(nodes), List.copyOf(pods), backoff), now, burst);
            backoff = plan.backoffByNode();
            for (Action action : plan.actions()) {
                if (action instanceof Action.DeletePod d) {
                    pods.removeIf(p -> p.name().equals(d.podName()));
                } else if (action instanceof Action.CreatePod c) {
                    pods.add(pod("c" + (++counter) + "-" + c.nodeName(), c.nodeName()).hash(ds.currentHash())
                            .created(now).notReady().build());
                }
            }
            return plan;
        }

        void markReady() {
            pods.replaceAll(p -> p.ready() ? p : new PodView(p.name(), p.nodeName(), p.revisionHash(),
                    p.templateGeneration(), Phase.Running, true, now, p.created(), p.terminating()));
        }

        void fail(String node) {
            pods.replaceAll(p -> !p.nodeName().equals(node) ? p : new PodView(p.name(), p.nodeName(),
                    p.revisionHash(), p.templateGeneration(), Phase.Failed, false, null, p.created(), false));
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }
}
