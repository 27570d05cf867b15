package dev.everynode.apimachinery.store;

import dev.everynode.apimachinery.codec.ApiExceptionHandler;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Outermost: a database failure raised by a filter (authentication's token lookup, authorization's object lookup),
 * outside Spring MVC's exception handler, is answered like one inside it: 503 ServiceUnavailable, a Status body
 * and a Retry-After (see {@link ApiExceptionHandler#databaseUnavailable}), not the container's 500 error page.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class DatabaseUnavailableFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (RuntimeException | ServletException e) {
            if (ApiExceptionHandler.databaseUnavailable(e) == null || response.isCommitted()
                    || request.isAsyncStarted()) {
                throw e;
            }
            response.reset();
            ResponseEntity<byte[]> answer = ApiExceptionHandler.statusFor(e, request);
            response.setStatus(answer.getStatusCode().value());
            answer.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            byte[] body = answer.getBody();
            if (body != null) {
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
            }
        }
    }
}
