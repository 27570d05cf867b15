package dev.everynode.revision;

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
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "ControllerRevisions", description = "apps/v1 ControllerRevision: the template history of each DaemonSet")
class ControllerRevisionController {

    private static final String BASE = "/apis/apps/v1/namespaces/{namespace}/controllerrevisions";

    private final ResourceRouter router;
    private final ControllerRevisionResource revisions;

    ControllerRevisionController(ResourceRouter router, ControllerRevisionResource revisions) {
        this.router = router;
        this.revisions = revisions;
    }

    @GetMapping("/apis/apps/v1/controllerrevisions")
    @Operation(summary = "List ControllerRevisions in all namespaces")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> listAll(RequestOptions options) {
        return router.list(revisions, null, options);
    }

    @GetMapping(BASE)
    @Operation(summary = "List ControllerRevisions (kubectl rollout history lists them by the DaemonSet's selector)")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> list(@PathVariable String namespace, RequestOptions options) {
        return router.list(revisions, namespace, options);
    }

    @PostMapping(BASE)
    @Operation(summary = "Create a ControllerRevision")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> create(@PathVariable String namespace, @RequestBody byte[] body, RequestOptions options) {
        return router.create(revisions, namespace, body, options);
    }

    @GetMapping(BASE + "/{name}")
    @Operation(summary = "Read a ControllerRevision")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name, RequestOptions options) {
        return router.get(revisions, namespace, name, options);
    }

    @PatchMapping(BASE + "/{name}")
    @Operation(summary = "Patch a ControllerRevision's metadata")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patch(@PathVariable String namespace,
                                 @PathVariable String name,
                                 @RequestBody byte[] body,
                                 RequestOptions options) {
        return router.patch(revisions, namespace, name, body, options);
    }

    @DeleteMapping(BASE + "/{name}")
    @Operation(summary = "Delete a ControllerRevision")
    @ResourceOperation(Verb.DELETE)
    ResponseEntity<byte[]> delete(@PathVariable String namespace,
                                  @PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  RequestOptions options) {
        return router.delete(revisions, namespace, name, body, options);
    }
}
