package dev.everynode.platform;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.resource.ResourceDefinition;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import dev.everynode.apimachinery.table.Tables;
import dev.everynode.apimachinery.watch.WatchService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * {@code ?watch=true} on every listable collection: a chunked stream of watch events (kubectl get -w, rollout status).
 * It lives here, with the other parts that know every served resource (ApiDocument), and not in apimachinery/watch,
 * because a mapping's paths must be compile-time constants for springdoc to document them with the list operations
 * (a mapping registered at startup from the ResourceRegistry serves, but springdoc leaves it out of /v3/api-docs).
 */
@RestController
@Tag(name = "Watch", description = "?watch=true on any collection: newline-delimited {type, object} events")
class WatchController {

    private final WatchService watches;
    private final ResourceRegistry registry;

    WatchController(WatchService watches, ResourceRegistry registry) {
        this.watches = watches;
        this.registry = registry;
    }

    @GetMapping(path = {"/api/v1/namespaces", "/api/v1/nodes", "/api/v1/pods", "/api/v1/events",
            "/api/v1/namespaces/{namespace}/pods", "/api/v1/namespaces/{namespace}/events",
            "/apis/apps/v1/daemonsets", "/apis/apps/v1/namespaces/{namespace}/daemonsets",
            "/apis/apps/v1/controllerrevisions", "/apis/apps/v1/namespaces/{namespace}/controllerrevisions"},
            params = "watch=true")
    @Operation(summary = "Watch a collection from a resourceVersion")
    ResponseEntity<StreamingResponseBody> watch(HttpServletRequest http, HttpServletResponse response,
                                                @PathVariable(required = false) String namespace,
                                                @RequestParam(required = false) String labelSelector,
                                                @RequestParam(required = false) String fieldSelector,
                                                @RequestParam(required = false) String resourceVersion,
                                                @RequestParam(defaultValue = "false") boolean allowWatchBookmarks,
                                                @RequestParam(required = false) Long timeoutSeconds,
                                                @RequestParam(required = false) String includeObject,
                                                @RequestHeader(value = "Accept", required = false) String accept) {
        String uri = http.getRequestURI();
        String plural = uri.substring(uri.lastIndexOf('/') + 1);
        String group = uri.startsWith("/apis/") ? uri.substring("/apis/".length(), uri.indexOf('/', "/apis/".length()))
                : "";
        ResourceDefinition definition = registry.forPlural(group, plural).orElseThrow(ApiException::pathNotFound);
        long timeout = timeoutSeconds == null || timeoutSeconds <= 0 ? 1800 : Math.min(timeoutSeconds, 3600);
        WatchService.Request request = new WatchService.Request(definition, namespace, labelSelector, fieldSelector,
                resourceVersion, allowWatchBookmarks, Duration.ofSeconds(timeout), Tables.wantsTable(accept),
                Tables.rowObject(includeObject));
        watches.check(request);
        if ("websocket".equalsIgnoreCase(http.getHeader("Upgrade"))) {
            // No WebSocket watches: an empty, finished 200 tells clients such as fabric8 to watch over plain HTTP.
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(out -> { });
        }
        // Spring hands StreamingResponseBody a stream whose flush() does nothing; a watch must push every event
        // at once, so it writes to the servlet response and flushes that.
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .body(ignored -> watches.stream(request, new FlushingStream(response)));
    }

    /** The servlet response's stream, with flush() sending what was written (headers included) to the client. */
    private static final class FlushingStream extends java.io.OutputStream {
        private final HttpServletResponse response;
        private final java.io.OutputStream out;

        FlushingStream(HttpServletResponse response) throws java.io.IOException {
            this.response = response;
            this.out = response.getOutputStream();
        }

        @Override
        public void write(int b) throws java.io.IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            response.flushBuffer();
        }
    }
}
