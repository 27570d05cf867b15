package dev.everynode.pod;

import dev.everynode.apimachinery.ResourceEndpoints;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Pods", description = "core/v1 Pod: made by the reconciler, run by node agents, which report status")
class PodController {

    private static final String BASE = "/api/v1/namespaces/{namespace}/pods";

    private final ResourceEndpoints endpoints;
    private final PodResource pods;

    PodController(ResourceEndpoints endpoints, PodResource pods) {
        this.endpoints = endpoints;
        this.pods = pods;
    }

    @GetMapping("/api/v1/pods")
    @Operation(summary = "List pods in all namespaces (fieldSelector spec.nodeName, status.phase)")
    ResponseEntity<byte[]> listAll(@RequestParam(required = false) String labelSelector,
                                   @RequestParam(required = false) String fieldSelector,
                                   @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(pods, null, labelSelector, fieldSelector, accept);
    }

    @GetMapping(BASE)
    @Operation(summary = "List pods in a namespace")
    ResponseEntity<byte[]> list(@PathVariable String namespace, @RequestParam(required = false) String labelSelector,
                                @RequestParam(required = false) String fieldSelector,
                                @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(pods, namespace, labelSelector, fieldSelector, accept);
    }

    @PostMapping(BASE)
    @Operation(summary = "Create a pod directly (an orphan that a DaemonSet with a matching selector adopts)")
    ResponseEntity<byte[]> create(@PathVariable String namespace, @RequestBody byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestHeader(value = "Accept", required = false) String accept,
                                  @RequestParam(required = false) String dryRun) {
        return endpoints.create(pods, namespace, body, contentType, accept, dryRun);
    }

    @GetMapping(BASE + "/{name}")
    @Operation(summary = "Read a pod")
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name,
                               @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(pods, namespace, name, accept);
    }

    @GetMapping(BASE + "/{name}/status")
    @Operation(summary = "Read a pod's status")
    ResponseEntity<byte[]> getStatus(@PathVariable String namespace, @PathVariable String name,
                                     @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(pods, namespace, name, accept);
    }

    @PutMapping(BASE + "/{name}")
    @Operation(summary = "Replace a pod (status is ignored)")
    ResponseEntity<byte[]> replace(@PathVariable String namespace, @PathVariable String name, @RequestBody byte[] body,
                                   @RequestHeader(value = "Content-Type", required = false) String contentType,
                                   @RequestHeader(value = "Accept", required = false) String accept,
                                   @RequestParam(required = false) String dryRun) {
        return endpoints.replace(pods, namespace, name, body, contentType, accept, dryRun, false);
    }

    @PutMapping(BASE + "/{name}/status")
    @Operation(summary = "Report a pod's status (phase, conditions, containerStatuses, podIP): how an agent reports")
    ResponseEntity<byte[]> replaceStatus(@PathVariable String namespace, @PathVariable String name,
                                         @RequestBody byte[] body,
                                         @RequestHeader(value = "Content-Type", required = false) String contentType,
                                         @RequestHeader(value = "Accept", required = false) String accept,
                                         @RequestParam(required = false) String dryRun) {
        return endpoints.replace(pods, namespace, name, body, contentType, accept, dryRun, true);
    }

    @PatchMapping(BASE + "/{name}")
    @Operation(summary = "Patch a pod (labels, annotations)")
    ResponseEntity<byte[]> patch(@PathVariable String namespace, @PathVariable String name, @RequestBody byte[] body,
                                 @RequestHeader(value = "Content-Type", required = false) String contentType,
                                 @RequestHeader(value = "Accept", required = false) String accept,
                                 @RequestParam(required = false) String dryRun) {
        return endpoints.patch(pods, namespace, name, body, contentType, accept, dryRun, false);
    }

    @PatchMapping(BASE + "/{name}/status")
    @Operation(summary = "Patch a pod's status")
    ResponseEntity<byte[]> patchStatus(@PathVariable String namespace, @PathVariable String name,
                                       @RequestBody byte[] body,
                                       @RequestHeader(value = "Content-Type", required = false) String contentType,
                                       @RequestHeader(value = "Accept", required = false) String accept,
                                       @RequestParam(required = false) String dryRun) {
        return endpoints.patch(pods, namespace, name, body, contentType, accept, dryRun, true);
    }

    @DeleteMapping(BASE + "/{name}")
    @Operation(summary = "Delete a pod", description = "Two-phase on a live node: the pod gets a deletionTimestamp and "
            + "is removed when its agent confirms with gracePeriodSeconds=0.")
    ResponseEntity<byte[]> delete(@PathVariable String namespace, @PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestParam(required = false) String propagationPolicy,
                                  @RequestParam(required = false) Long gracePeriodSeconds,
                                  @RequestParam(required = false) String dryRun,
                                  @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.delete(pods, namespace, name, body, contentType, propagationPolicy, gracePeriodSeconds, dryRun,
                accept);
    }

    @DeleteMapping(BASE)
    @Operation(summary = "Delete the pods a label or field selector picks")
    ResponseEntity<byte[]> deleteCollection(@PathVariable String namespace,
                                            @RequestParam(required = false) String labelSelector,
                                            @RequestParam(required = false) String fieldSelector,
                                            @RequestBody(required = false) byte[] body,
                                            @RequestHeader(value = "Content-Type", required = false) String contentType,
                                            @RequestParam(required = false) String propagationPolicy,
                                            @RequestParam(required = false) Long gracePeriodSeconds,
                                            @RequestParam(required = false) String dryRun,
                                            @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.deleteCollection(pods, namespace, labelSelector, fieldSelector, body, contentType,
                propagationPolicy, gracePeriodSeconds, dryRun, accept);
    }
}
