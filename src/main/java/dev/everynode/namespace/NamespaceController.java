package dev.everynode.namespace;

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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/namespaces")
@Tag(name = "Namespaces", description = "core/v1 Namespace; default, kube-system, kube-public and kube-node-lease exist from the start")
class NamespaceController {


    private final ResourceRouter router;
    private final NamespaceResource namespaces;

    NamespaceController(ResourceRouter router, NamespaceResource namespaces) {
        this.router = router;
        this.namespaces = namespaces;
    }

    @GetMapping
    @Operation(summary = "List namespaces")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> list(RequestOptions options) {
        return router.list(namespaces, null, options);
    }

    @PostMapping
    @Operation(summary = "Create a namespace")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> create(@RequestBody byte[] body, RequestOptions options) {
        return router.create(namespaces, null, body, options);
    }

    @GetMapping("/{name}")
    @Operation(summary = "Read a namespace")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> get(@PathVariable String name, RequestOptions options) {
        return router.get(namespaces, null, name, options);
    }

    @PutMapping("/{name}")
    @Operation(summary = "Replace a namespace")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> replace(@PathVariable String name, @RequestBody byte[] body, RequestOptions options) {
        return router.replace(namespaces, null, name, body, options);
    }

    @PatchMapping("/{name}")
    @Operation(summary = "Patch a namespace (merge, JSON or strategic merge patch)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patch(@PathVariable String name, @RequestBody byte[] body, RequestOptions options) {
        return router.patch(namespaces, null, name, body, options);
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a namespace and everything in it")
    @ResourceOperation(Verb.DELETE)
    ResponseEntity<byte[]> delete(@PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  RequestOptions options) {
        return router.delete(namespaces, null, name, body, options);
    }
}
