package dev.everynode.node;

import dev.everynode.apimachinery.endpoint.RequestOptions;
import dev.everynode.apimachinery.endpoint.ResourceOperation;
import dev.everynode.apimachinery.endpoint.ResourceOperation.Verb;
import dev.everynode.apimachinery.endpoint.ResourceRouter;
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
import org.springframework.web.bind.annotation.RequestMapping;
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


    private final ResourceRouter router;
    private final NodeResource nodes;

    NodeController(ResourceRouter router, NodeResource nodes) {
        this.router = router;
        this.nodes = nodes;
    }

    @GetMapping
    @Operation(summary = "List nodes (labelSelector, fieldSelector metadata.name and spec.unschedulable)")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> list(RequestOptions options) {
        return router.list(nodes, null, options);
    }

    @PostMapping
    @Operation(summary = "Register a node", description = "The status sent is kept, as kubelet registers nodes.")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> create(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
                    @Content(mediaType = "application/json", examples = @ExampleObject(name = "node-1", value = EXAMPLE))})
            @RequestBody byte[] body,
            RequestOptions options) {
        return router.create(nodes, null, body, options);
    }

    @GetMapping("/{name}")
    @Operation(summary = "Read a node")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> get(@PathVariable String name, RequestOptions options) {
        return router.get(nodes, null, name, options);
    }

    @GetMapping("/{name}/status")
    @Operation(summary = "Read a node's status")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> getStatus(@PathVariable String name, RequestOptions options) {
        return router.get(nodes, null, name, options);
    }

    @PutMapping("/{name}")
    @Operation(summary = "Replace a node (status is ignored)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> replace(@PathVariable String name, @RequestBody byte[] body, RequestOptions options) {
        return router.replace(nodes, null, name, body, options);
    }

    @PutMapping("/{name}/status")
    @Operation(summary = "Replace a node's status (only status changes)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> replaceStatus(@PathVariable String name,
                                         @RequestBody byte[] body,
                                         RequestOptions options) {
        return router.replaceStatus(nodes, null, name, body, options);
    }

    @PatchMapping("/{name}")
    @Operation(summary = "Patch a node: label, cordon, taint (merge, JSON or strategic merge patch)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patch(@PathVariable String name, @RequestBody byte[] body, RequestOptions options) {
        return router.patch(nodes, null, name, body, options);
    }

    @PatchMapping("/{name}/status")
    @Operation(summary = "Patch a node's status")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patchStatus(@PathVariable String name, @RequestBody byte[] body, RequestOptions options) {
        return router.patchStatus(nodes, null, name, body, options);
    }

    @DeleteMapping("/{name}")
    @Operation(summary = "Delete a node; its pods are removed")
    @ResourceOperation(Verb.DELETE)
    ResponseEntity<byte[]> delete(@PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  RequestOptions options) {
        return router.delete(nodes, null, name, body, options);
    }

    @DeleteMapping
    @Operation(summary = "Delete the nodes a label selector picks")
    @ResourceOperation(Verb.DELETE_COLLECTION)
    ResponseEntity<byte[]> deleteCollection(@RequestBody(required = false) byte[] body, RequestOptions options) {
        return router.deleteCollection(nodes, null, body, options);
    }
}
