package dev.everynode.apimachinery;

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
        return Codec.respond(HttpStatus.valueOf(e.code()), StatusBodies.failure(e), null);
    }

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
        log.error("request failed method={} uri={}", request.getMethod(), request.getRequestURI(), e);
        return failure(new ApiException(500, "InternalError", "an error on the server has prevented the request from "
                + "succeeding", null, null, null, null));
    }
}
