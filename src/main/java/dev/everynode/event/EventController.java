package dev.everynode.event;

import dev.everynode.apimachinery.endpoint.RequestOptions;
import dev.everynode.apimachinery.endpoint.ResourceOperation;
import dev.everynode.apimachinery.endpoint.ResourceOperation.Verb;
import dev.everynode.apimachinery.endpoint.ResourceRouter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Events", description = "core/v1 Event: what the reconciler did (read-only)")
class EventController {

    private final ResourceRouter router;
    private final EventResource events;

    EventController(ResourceRouter router, EventResource events) {
        this.router = router;
        this.events = events;
    }

    @GetMapping("/api/v1/events")
    @Operation(summary = "List events in all namespaces")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> listAll(RequestOptions options) {
        return router.list(events, null, options);
    }

    @GetMapping("/api/v1/namespaces/{namespace}/events")
    @Operation(summary = "List events (fieldSelector involvedObject.name, involvedObject.uid, reason, ...)")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> list(@PathVariable String namespace, RequestOptions options) {
        return router.list(events, namespace, options);
    }

    @GetMapping("/api/v1/namespaces/{namespace}/events/{name}")
    @Operation(summary = "Read an event")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name, RequestOptions options) {
        return router.get(events, namespace, name, options);
    }
}
