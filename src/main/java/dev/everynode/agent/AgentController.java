package dev.everynode.agent;

import dev.everynode.apimachinery.codec.Codec;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.store.DatabaseGate;
import dev.everynode.node.Heartbeats;
import dev.everynode.node.NodeRegistration;
import dev.everynode.node.NodeResource;
import dev.everynode.platform.security.Principal;
import dev.everynode.platform.security.TokenRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/** The node-agent protocol (docs/agent-protocol.md): register, heartbeat, long-poll assignments, report, confirm. */
@RestController
@RequestMapping("/agent/v1/nodes")
@Tag(name = "Node agents", description = "Registration, heartbeats, long-poll assignments, batched pod status")
class AgentController {

    static final String STATUSES_EXAMPLE = """
            {"statuses": [{"namespace": "kube-system", "name": "fluentd-x7k2p", "uid": "<pod uid>",
              "status": {"phase": "Running", "podIP": "10.0.0.7",
                "conditions": [{"type": "Ready", "status": "True"}]}}]}
            """;

    private final NodeRegistration registration;
    private final Heartbeats heartbeats;
    private final Assignments assignments;
    private final PodStatusReports reports;
    static final String NODE_TOKEN_HEADER = "Everynode-Node-Token";

    private final PodConfirmations confirmations;
    private final TokenRegistry credentials;
    private final DatabaseGate gate;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    AgentController(NodeRegistration registration, Heartbeats heartbeats, Assignments assignments,
                    PodStatusReports reports, PodConfirmations confirmations, TokenRegistry credentials,
                    DatabaseGate gate, org.springframework.transaction.support.TransactionTemplate tx) {
        this.gate = gate;
        this.tx = tx;
        this.confirmations = confirmations;
        this.credentials = credentials;
        this.registration = registration;
        this.heartbeats = heartbeats;
        this.assignments = assignments;
        this.reports = reports;
    }

    @PostMapping
    @Operation(summary = "Register a node, or update it when it exists (its pods are kept). With a bootstrap token, "
            + "the answer carries the node's own credential in the Everynode-Node-Token header.")
    ResponseEntity<byte[]> register(@RequestBody byte[] body,
                                    @RequestHeader(value = "Content-Type", required = false) String contentType,
                                    @RequestHeader(value = "Accept", required = false) String accept,
                                    HttpServletRequest request) {
        ObjectNode node = Codec.readObject(body, contentType);
        Principal who = (Principal) request.getAttribute(Principal.REQUEST_ATTRIBUTE);
        String name = Json.text(node, "metadata", "name");
        if (who != null && who.role() == Principal.Role.node && !who.nodeName().equals(name)) {
            throw ApiException.forbidden("nodes \"" + name + "\" is forbidden: node \"" + who.nodeName()
                    + "\" can only register itself");
        }
        // A fleet registers at once (1,000 nodes at concurrency 64): bounded, so it queues here, not in the pool.
        boolean bootstrap = who != null && who.role() == Principal.Role.bootstrap;
        String[] credential = new String[1];
        // The node, its heartbeat row and its credential in one transaction: one commit (one WAL flush) per
        // registration instead of four, and no node without a credential. A concurrent first registration of the
        // same node makes the insert fail with 409: run once more, as an update.
        java.util.function.Supplier<NodeRegistration.Result> once = () -> tx.execute(status -> {
            NodeRegistration.Result r = registration.register(node);
            heartbeats.registered(r.node().name());
            if (bootstrap) {
                credential[0] = credentials.issueNodeCredential(r.node().name()).token();
            }
            return r;
        });
        NodeRegistration.Result result = gate.call(() -> {
            try {
                return once.get();
            } catch (ApiException e) {
                if (e.code() != 409) {
                    throw e;
                }
                return once.get();
            }
        });
        ResponseEntity<byte[]> response = Codec.respond(result.created() ? HttpStatus.CREATED : HttpStatus.OK,
                result.node().body(), accept);
        if (bootstrap) {
            // The bootstrap token only gets a node in; from now on the agent uses a credential bound to its node.
            return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                    .header(NODE_TOKEN_HEADER, credential[0]).body(response.getBody());
        }
        return response;
    }

    @PutMapping("/{node}/heartbeat")
    @Operation(summary = "Heartbeat (every heartbeatIntervalSeconds); optional body {conditions: [...]}")
    ResponseEntity<byte[]> heartbeat(@PathVariable String node, @RequestBody(required = false) byte[] body,
                                     @RequestHeader(value = "Content-Type", required = false) String contentType) {
        Heartbeats.Ack ack = heartbeats.beat(node);
        if (!ack.known()) {
            throw ApiException.notFound(NodeResource.TYPE, node);
        }
        if (body != null && body.length > 0) {
            ObjectNode conditions = Codec.readObject(body, contentType);
            gate.run(() -> registration.updateConditions(node, conditions));
        }
        ObjectNode out = Json.object();
        out.put("heartbeatIntervalSeconds", ack.intervalSeconds());
        out.put("gracePeriodSeconds", ack.graceSeconds());
        out.put("resyncPodStatus", ack.wasUnreachable());
        return Codec.respond(HttpStatus.OK, out, null);
    }

    @GetMapping("/{node}/assignments")
    @Operation(summary = "The pods this node must run and stop, with an ETag; long-poll with waitSeconds and "
            + "If-None-Match (304 when nothing changed)")
    @ApiResponse(responseCode = "200", description = "The node's assignments",
            content = @Content(mediaType = "application/json"))
    @ApiResponse(responseCode = "304", description = "Not modified: the If-None-Match ETag is still current")
    void assignments(@PathVariable String node, @RequestParam(defaultValue = "0") int waitSeconds,
                     @RequestHeader(value = "If-None-Match", required = false) String ifNoneMatch,
                     HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        if (waitSeconds < 0 || waitSeconds > 300) {
            throw ApiException.badRequest("waitSeconds must be between 0 and 300");
        }
        // Written straight to the response, also when a parked poll wakes (see Assignments).
        assignments.poll(node, ifNoneMatch, waitSeconds, request, response);
    }

    @PostMapping("/{node}/pod-statuses")
    @Operation(summary = "Report the status of pods bound to this node, in one transaction")
    java.util.concurrent.CompletableFuture<ResponseEntity<byte[]>> statuses(
            @PathVariable String node,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                    examples = @ExampleObject(value = STATUSES_EXAMPLE)))
            @RequestBody byte[] body,
            @RequestHeader(value = "Content-Type", required = false) String contentType) {
        // Answered when the coalesced transaction holding these reports commits; no request thread waits for it.
        return reports.submit(node, Codec.readTree(body, contentType))
                .thenApply(answer -> Codec.respond(HttpStatus.OK, answer, null));
    }

    @DeleteMapping("/{node}/pods/{namespace}/{name}")
    @Operation(summary = "Confirm that a pod told to stop has stopped: the pod is removed")
    java.util.concurrent.CompletableFuture<ResponseEntity<byte[]>> confirm(@PathVariable String node,
                                                                         @PathVariable String namespace,
                                                                         @PathVariable String name) {
        // Answered when the coalesced transaction removing it commits (see PodConfirmations).
        return confirmations.submit(node, namespace, name).thenApply(done -> ResponseEntity.ok().<byte[]>build());
    }
}
