package pulse.config;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Start-up work that must be done before something starts but need not hold the thread that starts everything else:
 * {@link #begin} runs it on a thread of its own, {@link #await()} waits for its result where it is needed and fails as
 * the work itself failed (its own exception, not wrapped), as if it had run there.
 *
 * @param <T> what the work returns
 */
public final class AheadOfStart<T> {

    private final String threadName;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private boolean begun;

    public AheadOfStart(String threadName) {
        this.threadName = threadName;
    }

    /** Starts the work on a thread of its own; once (a later call does nothing). */
    public synchronized void begin(Callable<T> work) {
        if (begun) {
            return;
        }
        begun = true;
        Thread thread = new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, threadName);
        // a start that failed elsewhere must not be kept alive by this thread
        thread.setDaemon(true);
        thread.start();
    }

    /** The work's result, once done; its exception as it threw it. */
    public T await() throws Exception {
        synchronized (this) {
            if (!begun) {
                throw new IllegalStateException(threadName + " was never begun");
            }
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
