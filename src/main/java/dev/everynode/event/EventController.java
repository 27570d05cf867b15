package dev.everynode.event;

import dev.everynode.apimachinery.ResourceEndpoints;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Events", description = "core/v1 Event: what the reconciler did (read-only)")
class EventController {

    private final ResourceEndpoints endpoints;
    private final EventResource events;

    EventController(ResourceEndpoints endpoints, EventResource events) {
        this.endpoints = endpoints;
        this.events = events;
    }

    @GetMapping("/api/v1/events")
    @Operation(summary = "List events in all namespaces")
    ResponseEntity<byte[]> listAll(@RequestParam(required = false) String labelSelector,
                                   @RequestParam(required = false) String fieldSelector,
                                   @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(events, null, labelSelector, fieldSelector, accept);
    }

    @GetMapping("/api/v1/namespaces/{namespace}/events")
    @Operation(summary = "List events (fieldSelector involvedObject.name, involvedObject.uid, reason, ...)")
    ResponseEntity<byte[]> list(@PathVariable String namespace, @RequestParam(required = false) String labelSelector,
                                @RequestParam(required = false) String fieldSelector,
                                @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(events, namespace, labelSelector, fieldSelector, accept);
    }

    @GetMapping("/api/v1/namespaces/{namespace}/events/{name}")
    @Operation(summary = "Read an event")
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name,
                               @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(events, namespace, name, accept);
    }
}
