package dev.everynode.platform.security;

import dev.everynode.apimachinery.codec.Codec;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.json.Json;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Admin token management: create (the secret is shown once), list (without secrets), revoke. */
@RestController
@RequestMapping("/everynode/v1/tokens")
@Tag(name = "Tokens", description = "Bearer tokens for people and node agents (admin only)")
class TokenController {

    private final TokenRegistry tokens;

    TokenController(TokenRegistry tokens) {
        this.tokens = tokens;
    }

    @PostMapping
    @Operation(summary = "Create a token: {name, role: admin|viewer|node|bootstrap, nodeName (role node)}")
    ResponseEntity<byte[]> create(@RequestBody byte[] body,
                                  @RequestHeader(value = "Content-Type", required = false) String contentType) {
        ObjectNode request = Codec.readObject(body, contentType);
        String name = Json.text(request, "name");
        String role = Json.text(request, "role");
        String node = Json.text(request, "nodeName");
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("name is required");
        }
        Principal.Role parsed;
        try {
            parsed = Principal.Role.valueOf(role == null ? "" : role);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("role: Unsupported value: \"" + role
                    + "\": supported values: \"admin\", \"viewer\", \"node\", \"bootstrap\"");
        }
        if (parsed == Principal.Role.node && (node == null || node.isBlank())) {
            throw ApiException.badRequest("nodeName is required for role node");
        }
        TokenRegistry.Issued issued = parsed == Principal.Role.node ? tokens.issueNodeCredential(node)
                : tokens.issue(name, parsed, null);
        ObjectNode out = Json.object();
        out.put("id", issued.id().toString());
        out.put("name", issued.principal().name());
        out.put("role", parsed.name());
        out.put("token", issued.token());
        return Codec.respond(HttpStatus.CREATED, out, null);
    }

    @GetMapping
    @Operation(summary = "List tokens (never their secrets)")
    ResponseEntity<byte[]> list() {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        for (TokenRegistry.Stored t : tokens.list()) {
            ObjectNode item = items.addObject();
            item.put("id", t.id().toString());
            item.put("name", t.name());
            item.put("role", t.role());
            if (t.nodeName() != null) {
                item.put("nodeName", t.nodeName());
            }
            item.put("createdAt", Json.timestamp(t.createdAt()));
            if (t.revokedAt() != null) {
                item.put("revokedAt", Json.timestamp(t.revokedAt()));
            }
        }
        return Codec.respond(HttpStatus.OK, out, null);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke a token")
    ResponseEntity<byte[]> revoke(@PathVariable UUID id) {
        if (!tokens.revoke(id)) {
            throw new ApiException(404, "NotFound", "token \"" + id + "\" not found", id.toString(), "", "tokens",
                    null);
        }
        return ResponseEntity.ok().build();
    }
}
