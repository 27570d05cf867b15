package dev.everynode.revision;

import dev.everynode.apimachinery.ResourceEndpoints;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "ControllerRevisions", description = "apps/v1 ControllerRevision: the template history of each DaemonSet")
class ControllerRevisionController {

    private static final String BASE = "/apis/apps/v1/namespaces/{namespace}/controllerrevisions";

    private final ResourceEndpoints endpoints;
    private final ControllerRevisionResource revisions;

    ControllerRevisionController(ResourceEndpoints endpoints, ControllerRevisionResource revisions) {
        this.endpoints = endpoints;
        this.revisions = revisions;
    }

    @GetMapping("/apis/apps/v1/controllerrevisions")
    @Operation(summary = "List ControllerRevisions in all namespaces")
    ResponseEntity<byte[]> listAll(@RequestParam(required = false) String labelSelector,
                                   @RequestParam(required = false) String fieldSelector,
                                   @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(revisions, null, labelSelector, fieldSelector, accept);
    }

    @GetMapping(BASE)
    @Operation(summary = "List ControllerRevisions (kubectl rollout history lists them by the DaemonSet's selector)")
    ResponseEntity<byte[]> list(@PathVariable String namespace, @RequestParam(required = false) String labelSelector,
                                @RequestParam(required = false) String fieldSelector,
                                @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(revisions, namespace, labelSelector, fieldSelector, accept);
    }

    @PostMapping(BASE)
    @Operation(summary = "Create a ControllerRevision")
    ResponseEntity<byte[]> create(@PathVariable String namespace, @RequestBody byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestHeader(value = "Accept", required = false) String accept,
                                  @RequestParam(required = false) String dryRun) {
        return endpoints.create(revisions, namespace, body, contentType, accept, dryRun);
    }

    @GetMapping(BASE + "/{name}")
    @Operation(summary = "Read a ControllerRevision")
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name,
                               @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(revisions, namespace, name, accept);
    }

    @PatchMapping(BASE + "/{name}")
    @Operation(summary = "Patch a ControllerRevision's metadata")
    ResponseEntity<byte[]> patch(@PathVariable String namespace, @PathVariable String name, @RequestBody byte[] body,
                                 @RequestHeader(value = "Content-Type", required = false) String contentType,
                                 @RequestHeader(value = "Accept", required = false) String accept,
                                 @RequestParam(required = false) String dryRun) {
        return endpoints.patch(revisions, namespace, name, body, contentType, accept, dryRun, false);
    }

    @DeleteMapping(BASE + "/{name}")
    @Operation(summary = "Delete a ControllerRevision")
    ResponseEntity<byte[]> delete(@PathVariable String namespace, @PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestParam(required = false) String propagationPolicy,
                                  @RequestParam(required = false) Long gracePeriodSeconds,
                                  @RequestParam(required = false) String dryRun,
                                  @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.delete(revisions, namespace, name, body, contentType, propagationPolicy, gracePeriodSeconds,
                dryRun, accept);
    }
}
