package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.StatusBodies;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** Refuses bodies over 3 MiB with 413 (Kubernetes' limit), also when no Content-Length was sent. */
@Component
class RequestSizeFilter extends OncePerRequestFilter {

    static final long MAX_BODY_BYTES = 3L * 1024 * 1024;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            reject(response);
            return;
        }
        try {
            chain.doFilter(new Limited(request), response);
        } catch (TooLarge e) {
            if (!response.isCommitted()) {
                response.reset();
                reject(response);
            }
        }
    }

    private static void reject(HttpServletResponse response) throws IOException {
        var body = Codec.respond(HttpStatus.PAYLOAD_TOO_LARGE, StatusBodies.failure(
                tooLarge()), null);
        response.setStatus(413);
        response.setContentType("application/json");
        response.getOutputStream().write(body.getBody());
    }

    /** The 413 for a body over the limit. */
    static ApiException tooLarge() {
        return ApiException.tooLarge("the request body is larger than the limit of " + MAX_BODY_BYTES + " bytes");
    }

    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("request body too large", null, false, false);
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        Limited(HttpServletRequest request) {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0 && ++read > MAX_BODY_BYTES) {
                        throw new TooLarge();
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = in.read(buf, off, len);
                    if (n > 0 && (read += n) > MAX_BODY_BYTES) {
                        throw new TooLarge();
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
