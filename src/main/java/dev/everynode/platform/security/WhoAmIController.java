package dev.everynode.platform.security;

import dev.everynode.apimachinery.codec.Codec;
import dev.everynode.apimachinery.json.Json;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * Who the caller's token is, as {@code kubectl auth whoami} tells it: the rollout view asks once to know whether
 * to offer its actions (the server decides anyway: a viewer's write is 403). With authentication switched off
 * every caller is an anonymous admin.
 */
@RestController
@Tag(name = "Tokens", description = "Bearer tokens for people and node agents (admin only)")
class WhoAmIController {

    private final SecurityProperties properties;

    WhoAmIController(SecurityProperties properties) {
        this.properties = properties;
    }

    @GetMapping("/everynode/v1/whoami")
    @Operation(summary = "The caller: {name, role: admin|viewer, authentication: on|off}")
    ResponseEntity<byte[]> whoami(HttpServletRequest request,
                                  @RequestHeader(value = "Accept", required = false) String accept) {
        Object who = request.getAttribute(Principal.REQUEST_ATTRIBUTE);
        ObjectNode out = Json.object();
        if (who instanceof Principal p) {
            out.put("name", p.name()).put("role", p.role().name());
        } else {
            out.put("name", "anonymous").put("role", Principal.Role.admin.name());
        }
        out.put("authentication", properties.isEnabled() ? "on" : "off");
        return Codec.respond(HttpStatus.OK, out, accept);
    }
}
