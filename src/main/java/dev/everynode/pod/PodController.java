package dev.everynode.pod;

import dev.everynode.apimachinery.endpoint.RequestOptions;
import dev.everynode.apimachinery.endpoint.ResourceOperation;
import dev.everynode.apimachinery.endpoint.ResourceOperation.Verb;
import dev.everynode.apimachinery.endpoint.ResourceRouter;
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
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Pods", description = "core/v1 Pod: made by the reconciler, run by node agents, which report status")
class PodController {

    private static final String BASE = "/api/v1/namespaces/{namespace}/pods";

    private final ResourceRouter router;
    private final PodResource pods;

    PodController(ResourceRouter router, PodResource pods) {
        this.router = router;
        this.pods = pods;
    }

    @GetMapping("/api/v1/pods")
    @Operation(summary = "List pods in all namespaces (fieldSelector spec.nodeName, status.phase)")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> listAll(RequestOptions options) {
        return router.list(pods, null, options);
    }

    @GetMapping(BASE)
    @Operation(summary = "List pods in a namespace")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> list(@PathVariable String namespace, RequestOptions options) {
        return router.list(pods, namespace, options);
    }

    @PostMapping(BASE)
    @Operation(summary = "Create a pod directly (an orphan that a DaemonSet with a matching selector adopts)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> create(@PathVariable String namespace, @RequestBody byte[] body, RequestOptions options) {
        return router.create(pods, namespace, body, options);
    }

    @GetMapping(BASE + "/{name}")
    @Operation(summary = "Read a pod")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name, RequestOptions options) {
        return router.get(pods, namespace, name, options);
    }

    @GetMapping(BASE + "/{name}/status")
    @Operation(summary = "Read a pod's status")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> getStatus(@PathVariable String namespace,
                                     @PathVariable String name,
                                     RequestOptions options) {
        return router.get(pods, namespace, name, options);
    }

    @PutMapping(BASE + "/{name}")
    @Operation(summary = "Replace a pod (status is ignored)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> replace(@PathVariable String namespace,
                                   @PathVariable String name,
                                   @RequestBody byte[] body,
                                   RequestOptions options) {
        return router.replace(pods, namespace, name, body, options);
    }

    @PutMapping(BASE + "/{name}/status")
    @Operation(summary = "Report a pod's status (phase, conditions, containerStatuses, podIP): how an agent reports")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> replaceStatus(@PathVariable String namespace,
                                         @PathVariable String name,
                                         @RequestBody byte[] body,
                                         RequestOptions options) {
        return router.replaceStatus(pods, namespace, name, body, options);
    }

    @PatchMapping(BASE + "/{name}")
    @Operation(summary = "Patch a pod (labels, annotations)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patch(@PathVariable String namespace,
                                 @PathVariable String name,
                                 @RequestBody byte[] body,
                                 RequestOptions options) {
        return router.patch(pods, namespace, name, body, options);
    }

    @PatchMapping(BASE + "/{name}/status")
    @Operation(summary = "Patch a pod's status")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patchStatus(@PathVariable String namespace,
                                       @PathVariable String name,
                                       @RequestBody byte[] body,
                                       RequestOptions options) {
        return router.patchStatus(pods, namespace, name, body, options);
    }

    @DeleteMapping(BASE + "/{name}")
    @Operation(summary = "Delete a pod", description = "Two-phase on a live node: the pod gets a deletionTimestamp and "
            + "is removed when its agent confirms with gracePeriodSeconds=0.")
    @ResourceOperation(Verb.DELETE)
    ResponseEntity<byte[]> delete(@PathVariable String namespace,
                                  @PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  RequestOptions options) {
        return router.delete(pods, namespace, name, body, options);
    }

    @DeleteMapping(BASE)
    @Operation(summary = "Delete the pods a label or field selector picks")
    @ResourceOperation(Verb.DELETE_COLLECTION)
    ResponseEntity<byte[]> deleteCollection(@PathVariable String namespace,
                                            @RequestBody(required = false) byte[] body,
                                            RequestOptions options) {
        return router.deleteCollection(pods, namespace, body, options);
    }
}
