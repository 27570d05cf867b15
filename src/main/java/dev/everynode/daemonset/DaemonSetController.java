package dev.everynode.daemonset;

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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "DaemonSets", description = "apps/v1 DaemonSet: one pod on every eligible node")
class DaemonSetController {

    static final String FLUENTD_JSON = """
            {"apiVersion": "apps/v1", "kind": "DaemonSet",
             "metadata": {"name": "fluentd", "namespace": "kube-system", "labels": {"k8s-app": "fluentd-logging"}},
             "spec": {"selector": {"matchLabels": {"name": "fluentd"}},
              "template": {"metadata": {"labels": {"name": "fluentd"}},
               "spec": {"containers": [{"name": "fluentd", "image": "fluent/fluentd",
                 "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"},
                                  {"name": "varlibdockercontainers", "mountPath": "/var/lib/docker/containers", "readOnly": true}]}],
                "terminationGracePeriodSeconds": 30,
                "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}},
                            {"name": "varlibdockercontainers", "hostPath": {"path": "/var/lib/docker/containers"}}]}}}}
            """;

    static final String FLUENTD_YAML = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: fluentd
              namespace: kube-system
              labels:
                k8s-app: fluentd-logging
            spec:
              selector:
                matchLabels:
                  name: fluentd
              template:
                metadata:
                  labels:
                    name: fluentd
                spec:
                  containers:
                  - name: fluentd
                    image: fluent/fluentd
                    volumeMounts:
                    - name: varlog
                      mountPath: /var/log
                    - name: varlibdockercontainers
                      mountPath: /var/lib/docker/containers
                      readOnly: true
                  terminationGracePeriodSeconds: 30
                  volumes:
                  - name: varlog
                    hostPath:
                      path: /var/log
                  - name: varlibdockercontainers
                    hostPath:
                      path: /var/lib/docker/containers
            """;

    private static final String BASE = "/apis/apps/v1/namespaces/{namespace}/daemonsets";

    private final ResourceEndpoints endpoints;
    private final DaemonSetResource daemonSets;

    DaemonSetController(ResourceEndpoints endpoints, DaemonSetResource daemonSets) {
        this.endpoints = endpoints;
        this.daemonSets = daemonSets;
    }

    @GetMapping("/apis/apps/v1/daemonsets")
    @Operation(summary = "List DaemonSets in all namespaces")
    ResponseEntity<byte[]> listAll(@RequestParam(required = false) String labelSelector,
                                   @RequestParam(required = false) String fieldSelector,
                                   @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(daemonSets, null, labelSelector, fieldSelector, accept);
    }

    @GetMapping(BASE)
    @Operation(summary = "List DaemonSets in a namespace")
    ResponseEntity<byte[]> list(@PathVariable String namespace, @RequestParam(required = false) String labelSelector,
                                @RequestParam(required = false) String fieldSelector,
                                @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.list(daemonSets, namespace, labelSelector, fieldSelector, accept);
    }

    @PostMapping(BASE)
    @Operation(summary = "Create a DaemonSet", description = "JSON or YAML (Content-Type application/yaml). "
            + "Returns 201 with the defaults filled in; status sent on create is discarded.")
    ResponseEntity<byte[]> create(
            @PathVariable String namespace,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
                    @Content(mediaType = "application/json", examples = @ExampleObject(name = "fluentd", value = FLUENTD_JSON)),
                    @Content(mediaType = "application/yaml", examples = @ExampleObject(name = "fluentd", value = FLUENTD_YAML))})
            @RequestBody byte[] body,
            @RequestHeader(value = "Content-Type", required = false) String contentType,
            @RequestHeader(value = "Accept", required = false) String accept,
            @RequestParam(required = false) String dryRun) {
        return endpoints.create(daemonSets, namespace, body, contentType, accept, dryRun);
    }

    @GetMapping(BASE + "/{name}")
    @Operation(summary = "Read a DaemonSet")
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name,
                               @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(daemonSets, namespace, name, accept);
    }

    @GetMapping(BASE + "/{name}/status")
    @Operation(summary = "Read a DaemonSet's status")
    ResponseEntity<byte[]> getStatus(@PathVariable String namespace, @PathVariable String name,
                                     @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.get(daemonSets, namespace, name, accept);
    }

    @PutMapping(BASE + "/{name}")
    @Operation(summary = "Replace a DaemonSet (status is ignored; 409 on a stale resourceVersion)")
    ResponseEntity<byte[]> replace(@PathVariable String namespace, @PathVariable String name, @RequestBody byte[] body,
                                   @RequestHeader(value = "Content-Type", required = false) String contentType,
                                   @RequestHeader(value = "Accept", required = false) String accept,
                                   @RequestParam(required = false) String dryRun) {
        return endpoints.replace(daemonSets, namespace, name, body, contentType, accept, dryRun, false);
    }

    @PutMapping(BASE + "/{name}/status")
    @Operation(summary = "Replace a DaemonSet's status (only status changes)")
    ResponseEntity<byte[]> replaceStatus(@PathVariable String namespace, @PathVariable String name,
                                         @RequestBody byte[] body,
                                         @RequestHeader(value = "Content-Type", required = false) String contentType,
                                         @RequestHeader(value = "Accept", required = false) String accept,
                                         @RequestParam(required = false) String dryRun) {
        return endpoints.replace(daemonSets, namespace, name, body, contentType, accept, dryRun, true);
    }

    @PatchMapping(BASE + "/{name}")
    @Operation(summary = "Patch a DaemonSet (merge, JSON or strategic merge patch)")
    ResponseEntity<byte[]> patch(@PathVariable String namespace, @PathVariable String name, @RequestBody byte[] body,
                                 @RequestHeader(value = "Content-Type", required = false) String contentType,
                                 @RequestHeader(value = "Accept", required = false) String accept,
                                 @RequestParam(required = false) String dryRun) {
        return endpoints.patch(daemonSets, namespace, name, body, contentType, accept, dryRun, false);
    }

    @PatchMapping(BASE + "/{name}/status")
    @Operation(summary = "Patch a DaemonSet's status")
    ResponseEntity<byte[]> patchStatus(@PathVariable String namespace, @PathVariable String name,
                                       @RequestBody byte[] body,
                                       @RequestHeader(value = "Content-Type", required = false) String contentType,
                                       @RequestHeader(value = "Accept", required = false) String accept,
                                       @RequestParam(required = false) String dryRun) {
        return endpoints.patch(daemonSets, namespace, name, body, contentType, accept, dryRun, true);
    }

    @DeleteMapping(BASE + "/{name}")
    @Operation(summary = "Delete a DaemonSet", description = "propagationPolicy Background (default: pods removed "
            + "after), Foreground (stays with a deletionTimestamp until its pods are gone) or Orphan (pods stay).")
    ResponseEntity<byte[]> delete(@PathVariable String namespace, @PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType,
                                  @RequestParam(required = false) String propagationPolicy,
                                  @RequestParam(required = false) Long gracePeriodSeconds,
                                  @RequestParam(required = false) String dryRun,
                                  @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.delete(daemonSets, namespace, name, body, contentType, propagationPolicy, gracePeriodSeconds,
                dryRun, accept);
    }

    @DeleteMapping(BASE)
    @Operation(summary = "Delete the DaemonSets a label selector picks")
    ResponseEntity<byte[]> deleteCollection(@PathVariable String namespace,
                                            @RequestParam(required = false) String labelSelector,
                                            @RequestParam(required = false) String fieldSelector,
                                            @RequestBody(required = false) byte[] body,
                                            @RequestHeader(value = "Content-Type", required = false) String contentType,
                                            @RequestParam(required = false) String propagationPolicy,
                                            @RequestParam(required = false) Long gracePeriodSeconds,
                                            @RequestParam(required = false) String dryRun,
                                            @RequestHeader(value = "Accept", required = false) String accept) {
        return endpoints.deleteCollection(daemonSets, namespace, labelSelector, fieldSelector, body,
                contentType, propagationPolicy, gracePeriodSeconds, dryRun, accept);
    }
}
