package dev.everynode.node;

import dev.everynode.apimachinery.ResourceEndpoints;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
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
@RequestMapping("/api/v1/nodes")
@Tag(name = "Nodes", description = "core/v1 Node: the hosts that run daemon pods")
class NodeController {

    static final String EXAMPLE = """
            {"apiVersion": "v1", "kind": "Node",
             "metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1", "kubernetes.io/os": "linux"}},
             "spec": {"taints": []},
             "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                        "capacity": {"cpu": "2", "memory": "8Gi", "pods": "110"},
                        "allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110"},
                        "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "Hostname", "address": "node-1"}],
                        "nodeInfo": {"kubeletVersion": "everynode-agent/0.1", "operatingSystem": "linux", "architecture": "amd64"}}}
            """;


    private final ResourceEndpoints endpoints;
    private final NodeResource nodes;

    NodeController(ResourceEndpoints endpoints, NodeResource nodes) {
        this.endpoints = endpoints;
        this.nodes = nodes;
    }

    @GetMapping
    @Operation(summary = "List nodes (labelSelector, fieldSelector metadata.name and spec.unschedulable)")
    ResponseEntity<byte[]> list(@RequestParam(required = false) String labelSelector,
                                @RequestParam(required = false) String fieldSelector,
                                @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(nodes, null, labelSelector, fieldSelector, accept);
    }

    @PostMapping
    @Operation(summary = "Register a node", description = "The status sent is kept, as kubelet registers nodes.")
    ResponseEntity<byte[]> create(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
                    @Content(mediaType = "application/json", examples = @ExampleObject(name = "node-1", value = EXAMPLE))})
            @RequestBody byte[] body,
            @RequestHeader(value = "Content-Type", required = false) String contentType,
            @RequestHeader(value = "Accept", required = false) String accept,
            @RequestParam(required = false) String dryRun) {
        return endpoints.create(nodes, null, body, contentType, accept, dryRun);
    }

    @GetMapping("/{name}")
    @Operation(summary = "Read a node")
    ResponseEntity<byte[]> get(@PathVariable String name, @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(nodes, null, name, accept);
    }

    @GetMapping("/{name}/status")
    @Operation(summary = "Read a node's status")
    ResponseEntity<byte[]> getStatus(@PathVariable String name,
                                     @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(nodes, null, name, accept);
    }

    @PutMapping("/{name}")
    @Operation(summary = "Replace a node (status is ignored)")
    ResponseEntity<byte[]> replace(@PathVariable String name, @RequestBody byte[] body,
                                   @RequestHeader(value = "Content-Type", required = false) String contentType,
                                   @RequestHeader(value = "Accept", required = false) String accept,
                                   @RequestParam(required = false) String dryRun) {
        return endpoints.replace(nodes, null, name, body, contentType, accept, dryRun, false);
    }

    @PutMapping("/{name}/status")
    @Operation(summary = "Replace a node's status (only status changes)")
    ResponseEntity<byte[]> replaceStatus(@PathVariable String name, @RequestBody byte[] body,
                                         @RequestHeader(value = "Content-Type", required = false) String contentType,
                                         @RequestHeader(value = "Accept", required = false) String accept,
                                         @RequestParam(required = false) String dryRun) {
        return endpoints.replace(nodes, null, name, body, contentType, accept, dryRun, true);
    }

    @PatchMapping("/{name}")
    @Operation(summary = "Patch a node: label, cordon, taint (merge, JSON or strategic merge patch)")
    ResponseEntity<byte[]> patch(@PathVariable String name, @RequestBody byte[] body,
                                 @RequestHeader(value = "Content-Type", required = false) String contentType,
                                 @RequestHeader(value = "Accept", required = false) String accept,
                                 @RequestParam(required = false) String dryRun) {
        return endpoints.patch(nodes, null, name, body, contentType, accept, dryRun, false);
    }

    @PatchMapping("/{name}/status")
    @Operation(summary = "Patch a node's status")
    ResponseEntity<byte[]> patchStatus(@PathVariable String name, @RequestBody byte[] body,
                                       @RequestHeader(value = "Content-Type", required = false) String contentType,
                                       @RequestHeader(value = "Accept", required = false) String accept,
                                       @RequestParam(required = false) String dryRun) {
        return endpoints.patch(nodes, null, name, body, contentType, accept, dryRun, true);
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a node; its pods are removed")
    ResponseEntity<byte[]> delete(@PathVariable String name, @RequestBody(required = false) byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestParam(required = false) String propagationPolicy,
                                  @RequestParam(required = false) Long gracePeriodSeconds,
                                  @RequestParam(required = false) String dryRun,
                                  @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.delete(nodes, null, name, body, contentType, propagationPolicy, gracePeriodSeconds, dryRun, accept);
    }

    @DeleteMapping
    @Operation(summary = "Delete the nodes a label selector picks")
    ResponseEntity<byte[]> deleteCollection(@RequestParam(required = false) String labelSelector,
                                            @RequestParam(required = false) String fieldSelector,
                                            @RequestBody(required = false) byte[] body,
                                            @RequestHeader(value = "Content-Type", required = false) String contentType,
                                            @RequestParam(required = false) String propagationPolicy,
                                            @RequestParam(required = false) Long gracePeriodSeconds,
                                            @RequestParam(required = false) String dryRun,
                                            @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.deleteCollection(nodes, null, labelSelector, fieldSelector, body,
                contentType, propagationPolicy, gracePeriodSeconds, dryRun, accept);
    }
}
