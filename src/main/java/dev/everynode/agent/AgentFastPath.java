package dev.everynode.agent;

import dev.everynode.apimachinery.codec.ApiExceptionHandler;
import dev.everynode.apimachinery.codec.Codec;
import dev.everynode.apimachinery.errors.ApiException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Routes the agents' hot requests (heartbeat, assignments, pod-statuses, and pod confirmations: ~1,300 requests/s
 * at 10,000 nodes when idle) straight to {@link AgentController}'s methods, after authentication and authorization (SecurityFilter
 * runs first) but without Spring MVC's handler lookup, argument resolution and content negotiation, which cost
 * more than the requests themselves. The controller stays the one implementation, and the documented one; every
 * other request, and any of these whose path needs decoding, goes through Spring MVC as before.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class AgentFastPath implements Filter {

    private static final String PREFIX = "/agent/v1/nodes/";
    private static final long ANSWER_TIMEOUT_MS = 60_000;

    private final AgentController controller;

    AgentFastPath(AgentController controller) {
        this.controller = controller;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String uri = request.getRequestURI();
        if (!uri.startsWith(PREFIX) || uri.indexOf('%') >= 0 || uri.indexOf(';') >= 0
                || request.getDispatcherType() != jakarta.servlet.DispatcherType.REQUEST) {
            chain.doFilter(req, res);
            return;
        }
        int slash = uri.indexOf('/', PREFIX.length());
        if (slash <= PREFIX.length()) {
            chain.doFilter(req, res);
            return;
        }
        String node = uri.substring(PREFIX.length(), slash);
        String rest = uri.substring(slash);
        String method = request.getMethod();
        try {
            if (rest.equals("/heartbeat") && method.equals("PUT")) {
                byte[] body = Codec.readBody(request);
                write(response, controller.heartbeat(node, body.length == 0 ? null : body, request.getContentType()));
            } else if (rest.equals("/assignments") && method.equals("GET")) {
                String wait = request.getParameter("waitSeconds");
                controller.assignments(node, wait == null ? 0 : Integer.parseInt(wait.trim()),
                        request.getHeader("If-None-Match"), request, response);
            } else if (rest.equals("/pod-statuses") && method.equals("POST")) {
                answerLater(request, response,
                        controller.statuses(node, Codec.readBody(request), request.getContentType()));
            } else if (method.equals("DELETE") && podPath(rest) != null) {
                String[] pod = podPath(rest);
                answerLater(request, response, controller.confirm(node, pod[0], pod[1]));
            } else {
                chain.doFilter(req, res);
            }
        } catch (RuntimeException e) {
            if (request.isAsyncStarted() || response.isCommitted()) {
                throw e;
            }
            response.reset();
            write(response, ApiExceptionHandler.statusFor(e, request));
        }
    }

    /** "/pods/{namespace}/{name}" as {namespace, name}, or null. */
    private static String[] podPath(String rest) {
        if (!rest.startsWith("/pods/")) {
            return null;
        }
        String[] parts = rest.substring("/pods/".length()).split("/", -1);
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() ? parts : null;
    }

    /** Answers when the future completes, from the completing thread; no request thread waits. */
    private static void answerLater(HttpServletRequest request, HttpServletResponse response,
                                    CompletableFuture<ResponseEntity<byte[]>> answer) throws IOException {
        if (answer.isDone()) {
            write(response, answer.exceptionally(e -> ApiExceptionHandler.statusFor(e, request)).join());
            return;
        }
        // A backstop: a request whose answer never comes must not hold its connection for ever.
        AsyncAnswer later = AsyncAnswer.start(request, response, ANSWER_TIMEOUT_MS,
                r -> write(r, ApiExceptionHandler.statusFor(new ApiException(503, "ServiceUnavailable",
                        "no answer within " + ANSWER_TIMEOUT_MS / 1000 + " s; try again", null, null, null, null),
                        request)),
                a -> { });
        answer.whenComplete((r, e) ->
                later.answer(out -> write(out, e == null ? r : ApiExceptionHandler.statusFor(e, request))));
    }

    private static void write(HttpServletResponse response, ResponseEntity<byte[]> entity) throws IOException {
        response.setStatus(entity.getStatusCode().value());
        entity.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        byte[] body = entity.getBody();
        if (body != null) {
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
