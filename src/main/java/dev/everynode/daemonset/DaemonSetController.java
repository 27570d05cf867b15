package dev.everynode.daemonset;

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

    private final ResourceRouter router;
    private final DaemonSetResource daemonSets;

    DaemonSetController(ResourceRouter router, DaemonSetResource daemonSets) {
        this.router = router;
        this.daemonSets = daemonSets;
    }

    @GetMapping("/apis/apps/v1/daemonsets")
    @Operation(summary = "List DaemonSets in all namespaces")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> listAll(RequestOptions options) {
        return router.list(daemonSets, null, options);
    }

    @GetMapping(BASE)
    @Operation(summary = "List DaemonSets in a namespace")
    @ResourceOperation(Verb.LIST)
    ResponseEntity<byte[]> list(@PathVariable String namespace, RequestOptions options) {
        return router.list(daemonSets, namespace, options);
    }

    @PostMapping(BASE)
    @Operation(summary = "Create a DaemonSet", description = "JSON or YAML (Content-Type application/yaml). "
            + "Returns 201 with the defaults filled in; status sent on create is discarded.")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> create(
            @PathVariable String namespace,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
                    @Content(mediaType = "application/json", examples = @ExampleObject(name = "fluentd", value = FLUENTD_JSON)),
                    @Content(mediaType = "application/yaml", examples = @ExampleObject(name = "fluentd", value = FLUENTD_YAML))})
            @RequestBody byte[] body,
            RequestOptions options) {
        return router.create(daemonSets, namespace, body, options);
    }

    @GetMapping(BASE + "/{name}")
    @Operation(summary = "Read a DaemonSet")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> get(@PathVariable String namespace, @PathVariable String name, RequestOptions options) {
        return router.get(daemonSets, namespace, name, options);
    }

    @GetMapping(BASE + "/{name}/status")
    @Operation(summary = "Read a DaemonSet's status")
    @ResourceOperation(Verb.GET)
    ResponseEntity<byte[]> getStatus(@PathVariable String namespace,
                                     @PathVariable String name,
                                     RequestOptions options) {
        return router.get(daemonSets, namespace, name, options);
    }

    @PutMapping(BASE + "/{name}")
    @Operation(summary = "Replace a DaemonSet (status is ignored; 409 on a stale resourceVersion)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> replace(@PathVariable String namespace,
                                   @PathVariable String name,
                                   @RequestBody byte[] body,
                                   RequestOptions options) {
        return router.replace(daemonSets, namespace, name, body, options);
    }

    @PutMapping(BASE + "/{name}/status")
    @Operation(summary = "Replace a DaemonSet's status (only status changes)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> replaceStatus(@PathVariable String namespace,
                                         @PathVariable String name,
                                         @RequestBody byte[] body,
                                         RequestOptions options) {
        return router.replaceStatus(daemonSets, namespace, name, body, options);
    }

    @PatchMapping(BASE + "/{name}")
    @Operation(summary = "Patch a DaemonSet (merge, JSON or strategic merge patch)")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patch(@PathVariable String namespace,
                                 @PathVariable String name,
                                 @RequestBody byte[] body,
                                 RequestOptions options) {
        return router.patch(daemonSets, namespace, name, body, options);
    }

    @PatchMapping(BASE + "/{name}/status")
    @Operation(summary = "Patch a DaemonSet's status")
    @ResourceOperation(Verb.WRITE)
    ResponseEntity<byte[]> patchStatus(@PathVariable String namespace,
                                       @PathVariable String name,
                                       @RequestBody byte[] body,
                                       RequestOptions options) {
        return router.patchStatus(daemonSets, namespace, name, body, options);
    }

    @DeleteMapping(BASE + "/{name}")
    @Operation(summary = "Delete a DaemonSet", description = "propagationPolicy Background (default: pods removed "
            + "after), Foreground (stays with a deletionTimestamp until its pods are gone) or Orphan (pods stay).")
    @ResourceOperation(Verb.DELETE)
    ResponseEntity<byte[]> delete(@PathVariable String namespace,
                                  @PathVariable String name,
                                  @RequestBody(required = false) byte[] body,
                                  RequestOptions options) {
        return router.delete(daemonSets, namespace, name, body, options);
    }

    @DeleteMapping(BASE)
    @Operation(summary = "Delete the DaemonSets a label selector picks")
    @ResourceOperation(Verb.DELETE_COLLECTION)
    ResponseEntity<byte[]> deleteCollection(@PathVariable String namespace,
                                            @RequestBody(required = false) byte[] body,
                                            RequestOptions options) {
        return router.deleteCollection(daemonSets, namespace, body, options);
    }
}
