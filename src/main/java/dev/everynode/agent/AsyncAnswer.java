package dev.everynode.agent;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A request answered later, exactly once, by whoever comes first: the answer, the timeout or shutdown. The answer
 * is written from the answering thread and the request completed there: no re-dispatch through the filter chain
 * and Spring MVC. A connection that fails ends the request at once (no error dispatch).
 */
final class AsyncAnswer implements AsyncListener {

    /** Writes an answer to the response. */
    interface Writer {
        void write(HttpServletResponse response) throws IOException;
    }

    private final AsyncContext context;
    private final Writer onTimeout;
    private final Consumer<AsyncAnswer> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();

    private AsyncAnswer(AsyncContext context, Writer onTimeout, Consumer<AsyncAnswer> onEnd) {
        this.context = context;
        this.onTimeout = onTimeout;
        this.onEnd = onEnd;
    }

    /**
     * Puts the request in asynchronous mode.
     *
     * @param onTimeout what to answer when nothing else did within {@code timeoutMs}
     * @param onEnd     called once when the request ends, however it ends
     */
    static AsyncAnswer start(HttpServletRequest request, HttpServletResponse response, long timeoutMs, Writer onTimeout,
                             Consumer<AsyncAnswer> onEnd) {
        AsyncContext context = request.startAsync(request, response);
        context.setTimeout(timeoutMs);
        AsyncAnswer answer = new AsyncAnswer(context, onTimeout, onEnd);
        context.addListener(answer);
        return answer;
    }

    /** Writes this answer and completes the request, unless it has ended already; true if this call answered. */
    boolean answer(Writer writer) {
        if (!end()) {
            return false;
        }
        try {
            writer.write((HttpServletResponse) context.getResponse());
        } catch (IOException | RuntimeException e) {
            // the client went away; it asks again
        } finally {
            complete();
        }
        return true;
    }

    private boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        onEnd.accept(this);
        return true;
    }

    private void complete() {
        try {
            context.complete();
        } catch (IllegalStateException ignored) {
            // completed by the container already (connection error)
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        answer(onTimeout);
    }

    @Override
    public void onError(AsyncEvent event) {
        end();
        complete();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        end();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
}
