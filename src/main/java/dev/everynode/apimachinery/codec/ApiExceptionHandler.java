package dev.everynode.apimachinery.codec;

import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.errors.StatusBodies;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every error leaves as a Kubernetes Status body; no stack trace ever reaches a client. */
@RestControllerAdvice
public class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<byte[]> api(ApiException e) {
        return failure(e);
    }

    private static ResponseEntity<byte[]> failure(ApiException e) {
        ResponseEntity<byte[]> out = Codec.respond(HttpStatus.valueOf(e.code()), StatusBodies.failure(e), null);
        if (e.retryAfterSeconds() <= 0) {
            return out;
        }
        return ResponseEntity.status(out.getStatusCode()).headers(out.getHeaders())
                .header("Retry-After", Integer.toString(e.retryAfterSeconds())).body(out.getBody());
    }

    /**
     * The database could not be used for this request: no pooled connection within the pool's connection-timeout
     * (Spring's CannotCreateTransactionException / CannotGetJdbcConnectionException over Hikari's
     * SQLTransientConnectionException), a connection that broke (SQLState class 08), or a server shutting down or
     * not accepting connections yet (57P01-57P03), or a server out of a resource (class 53: disk full, out of memory,
     * too many connections; the transaction was rolled back), also when the rollback after a broken connection
     * failed in turn (Hikari's "Connection is closed" under Spring's "Application exception overridden by rollback
     * exception"). The request changed nothing that it reported; it is a 503 with a
     * Retry-After, never a 500, and the client sends it again. Null when {@code e} is not such a failure.
     */
    public static ApiException databaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.transaction.CannotCreateTransactionException
                    || t instanceof org.springframework.jdbc.CannotGetJdbcConnectionException
                    || t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof org.springframework.dao.DataAccessResourceFailureException
                    || t instanceof java.net.SocketException || t instanceof java.io.EOFException
                    // Hikari's answer on a connection it already closed (a broken one, while rolling back)
                    || (t instanceof java.sql.SQLException closed && "Connection is closed".equals(closed.getMessage()))
                    || (t instanceof java.sql.SQLException sql && connectionState(sql.getSQLState()))) {
                return ApiException.serviceUnavailable("the database is unavailable or busy; try again in a moment ("
                        + t.getClass().getSimpleName() + ")", 1 + java.util.concurrent.ThreadLocalRandom.current()
                        .nextInt(2), e);
            }
            if (t instanceof org.springframework.dao.PessimisticLockingFailureException) {
                // a deadlock or a lock wait lost: rolled back, nothing changed; the same request can succeed
                return ApiException.serviceUnavailable("the request lost a database lock conflict and changed "
                        + "nothing; try again", 1, e);
            }
        }
        return null;
    }

    private static boolean connectionState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    private static final java.util.concurrent.atomic.AtomicLong lastUnavailableLog = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong unavailableSinceLog = new java.util.concurrent.atomic.AtomicLong();

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return api(ApiException.methodNotAllowed("the server does not allow this method on the requested resource ("
                + request.getMethod() + " " + request.getRequestURI() + ")"));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<byte[]> noPath(NoResourceFoundException e) {
        return api(ApiException.pathNotFound());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<byte[]> mediaType(HttpMediaTypeNotSupportedException e) {
        return api(ApiException.unsupportedMediaType(String.valueOf(e.getContentType())));
    }

    /** An Accept header naming nothing the endpoint produces (e.g. application/json on the Prometheus scrape). */
    @ExceptionHandler(org.springframework.web.HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<byte[]> notAcceptable(org.springframework.web.HttpMediaTypeNotAcceptableException e) {
        return api(ApiException.notAcceptable(e.getSupportedMediaTypes().stream()
                .map(org.springframework.http.MediaType::toString).toList()));
    }

    /**
     * A required {@code @RequestBody} that is absent: every body is read as bytes, so an unreadable body can only
     * be a missing one. Kubernetes answers 400 BadRequest.
     */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<byte[]> unreadableBody(HttpMessageNotReadableException e) {
        return api(Codec.emptyBody());
    }

    @ExceptionHandler({MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class,
            IllegalArgumentException.class})
    ResponseEntity<byte[]> badArgument(Exception e) {
        return api(ApiException.badRequest(e.getMessage()));
    }

    /** A client that went away (a watch that ended, a poll that gave up): nothing to answer, nothing to alarm. */
    @ExceptionHandler(org.springframework.web.context.request.async.AsyncRequestNotUsableException.class)
    void clientGone(Exception e, HttpServletRequest request) {
        log.debug("client went away method={} uri={}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e, HttpServletRequest request) {
        return statusFor(e, request);
    }

    /** The Status answer for any failure of a request, also outside Spring MVC (the agents' fast path). */
    public static ResponseEntity<byte[]> statusFor(Throwable e, HttpServletRequest request) {
        if (e instanceof IllegalArgumentException) {
            return Codec.respond(HttpStatus.BAD_REQUEST, StatusBodies.failure(ApiException.badRequest(e.getMessage())),
                    null);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestSizeFilter.TooLarge) {
                return failure(RequestSizeFilter.tooLarge());
            }
            if (t instanceof ApiException api) {
                return failure(api);
            }
        }
        ApiException unavailable = databaseUnavailable(e);
        if (unavailable != null) {
            // One line a second at most: when the pool runs dry, hundreds of requests fail alike in that second.
            long count = unavailableSinceLog.incrementAndGet();
            long now = System.nanoTime();
            long last = lastUnavailableLog.get();
            if (now - last > 1_000_000_000L && lastUnavailableLog.compareAndSet(last, now)) {
                unavailableSinceLog.set(0);
                log.warn("database unavailable: answered 503 ServiceUnavailable ({} such answers since the last line) "
                        + "method={} uri={}: {}", count, request.getMethod(), request.getRequestURI(), e.toString());
            }
            return failure(unavailable);
        }
        log.error("request failed method={} uri={}", request.getMethod(), request.getRequestURI(), e);
        return failure(new ApiException(500, "InternalError", "an error on the server has prevented the request from "
                + "succeeding", null, null, null, null));
    }
}
