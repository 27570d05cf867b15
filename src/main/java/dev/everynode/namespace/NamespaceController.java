package dev.everynode.namespace;

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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/namespaces")
@Tag(name = "Namespaces", description = "core/v1 Namespace; default, kube-system, kube-public and kube-node-lease exist from the start")
class NamespaceController {


    private final ResourceEndpoints endpoints;
    private final NamespaceResource namespaces;

    NamespaceController(ResourceEndpoints endpoints, NamespaceResource namespaces) {
        this.endpoints = endpoints;
        this.namespaces = namespaces;
    }

    @GetMapping
    @Operation(summary = "List namespaces")
    ResponseEntity<byte[]> list(@RequestParam(required = false) String labelSelector,
                                @RequestParam(required = false) String fieldSelector,
                                @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(namespaces, null, labelSelector, fieldSelector, accept);
    }

    @PostMapping
    @Operation(summary = "Create a namespace")
    ResponseEntity<byte[]> create(@RequestBody byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestHeader(value = "Accept", required = false) String accept,
                                  @RequestParam(required = false) String dryRun) {
        return endpoints.create(namespaces, null, body, contentType, accept, dryRun);
    }

    @GetMapping("/{name}")
    @Operation(summary = "Read a namespace")
    ResponseEntity<byte[]> get(@PathVariable String name, @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(namespaces, null, name, accept);
    }

    @PutMapping("/{name}")
    @Operation(summary = "Replace a namespace")
    ResponseEntity<byte[]> replace(@PathVariable String name, @RequestBody byte[] body,
                                   @RequestHeader(value = "Content-Type", required = false) String contentType,
                                   @RequestHeader(value = "Accept", required = false) String accept,
                                   @RequestParam(required = false) String dryRun) {
        return endpoints.replace(namespaces, null, name, body, contentType, accept, dryRun, false);
    }

    @PatchMapping("/{name}")
    @Operation(summary = "Patch a namespace (merge, JSON or strategic merge patch)")
    ResponseEntity<byte[]> patch(@PathVariable String name, @RequestBody byte[] body,
                                 @RequestHeader(value = "Content-Type", required = false) String contentType,
                                 @RequestHeader(value = "Accept", required = false) String accept,
                                 @RequestParam(required = false) String dryRun) {
        return endpoints.patch(namespaces, null, name, body, contentType, accept, dryRun, false);
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a namespace and everything in it")
    ResponseEntity<byte[]> delete(@PathVariable String name, @RequestBody(required = false) byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestParam(required = false) String propagationPolicy,
                                  @RequestParam(required = false) Long gracePeriodSeconds,
                                  @RequestParam(required = false) String dryRun,
                                  @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.delete(namespaces, null, name, body, contentType, propagationPolicy, gracePeriodSeconds, dryRun,
                accept);
    }
}
