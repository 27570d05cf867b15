package dev.everynode.agent;

import dev.everynode.apimachinery.endpoint.ResourceService;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.DeleteOptions;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.change.Change;
import dev.everynode.change.PodOwner;
import dev.everynode.pod.PodResource;
import dev.everynode.pod.PodStrategy;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Agents' confirmations that a terminating pod has stopped: the pod is removed. Like status reports they are
 * coalesced: one writer thread removes every confirmation that arrived while the previous transaction committed
 * with one locking read and one DELETE, so a rollout wave of 1,000 confirmations costs a few commits, not 1,000.
 * Each request keeps its own answer: 404 for a pod that is gone, 403 for a pod bound to another node. A pod with
 * finalizers goes through the API's delete (it waits for them), as before.
 */
@Component
class PodConfirmations {

    private static final int MAX_BATCH = 1000;

    private record Confirmation(String node, String namespace, String name, CompletableFuture<Void> done) {}

    private final ObjectStore store;
    private final ResourceService resources;
    private final PodStrategy pods;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final CoalescingWriter<Confirmation> writer;

    PodConfirmations(ObjectStore store, ResourceService resources, PodStrategy pods, TransactionTemplate tx,
                     ApplicationEventPublisher events) {
        this.store = store;
        this.resources = resources;
        this.pods = pods;
        this.tx = tx;
        this.events = events;
        this.writer = new CoalescingWriter<>("pod-confirm-writer", MAX_BATCH, c -> 1, this::write,
                PodConfirmations::fail);
    }

    /** Queues a confirmation; the future completes once the pod is removed (or fails with the refusal). */
    CompletableFuture<Void> submit(String node, String namespace, String name) {
        Confirmation c = new Confirmation(node, namespace, name, new CompletableFuture<>());
        writer.submit(c);
        return c.done();
    }

    private void write(List<Confirmation> batch) {
        Map<Confirmation, RuntimeException> refused = new HashMap<>();
        List<StoredObject> removed = new ArrayList<>();
        tx.executeWithoutResult(status -> {
            List<String> namespaces = new ArrayList<>();
            List<String> names = new ArrayList<>();
            batch.forEach(c -> {
                namespaces.add(c.namespace());
                names.add(c.name());
            });
            Map<String, StoredObject> current = new HashMap<>();
            store.getManyForUpdate("Pod", namespaces, names)
                    .forEach(p -> current.put(p.namespace() + "/" + p.name(), p));
            List<UUID> uids = new ArrayList<>();
            for (Confirmation c : batch) {
                StoredObject pod = current.remove(c.namespace() + "/" + c.name());
                if (pod == null) {
                    refused.put(c, ApiException.notFound(PodResource.TYPE, c.name()));
                    continue;
                }
                String boundTo = Json.text(pod.body(), "spec", "nodeName");
                if (!c.node().equals(boundTo)) {
                    refused.put(c, ApiException.forbidden("pods \"" + c.name() + "\" is forbidden: node \"" + c.node()
                            + "\" can only confirm pods bound to it"));
                    continue;
                }
                if (pod.metadata().path("finalizers").isArray() && !pod.metadata().path("finalizers").isEmpty()) {
                    resources.delete(pods, c.namespace(), c.name(),
                            new DeleteOptions(null, 0L, pod.uid().toString(), null, false));
                    continue;
                }
                uids.add(pod.uid());
                removed.add(pod);
            }
            store.deleteBatch(uids);
        });
        for (Confirmation c : batch) {
            RuntimeException e = refused.get(c);
            if (e == null) {
                c.done().complete(null);
            } else {
                c.done().completeExceptionally(e);
            }
        }
        for (StoredObject p : removed) {
            events.publishEvent(new Change.PodsWritten(p.namespace(), PodOwner.of(p.body())));
        }
    }

    private static void fail(List<Confirmation> batch, RuntimeException e) {
        batch.forEach(c -> c.done().completeExceptionally(e));
    }

    @PreDestroy
    void stop() {
        writer.stop();
    }
}
