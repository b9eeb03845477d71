package dev.accel.backend.npu;

import dev.accel.hal.AccelException;
import dev.accel.hal.Fence;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Completion of one piece of work on an {@link NpuQueue}, completed by the library's completion
 * callback on the stream's worker thread. For an execution it also carries the simulated time the
 * timing model reported.
 */
final class NpuFence implements Fence {
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private final String what;
    private volatile Thread completedBy;

    NpuFence(String what) {
        this.what = what;
    }

    /** System.nanoTime() in the library's completion callback; 0 while pending. */
    private volatile long ended;

    void complete(long simulatedNanos) {
        completedBy = Thread.currentThread();
        ended = System.nanoTime();
        done.complete(simulatedNanos);
    }

    void fail(AccelException e) {
        completedBy = Thread.currentThread();
        ended = System.nanoTime();
        done.completeExceptionally(e);
    }

    /** Stamped in the library's completion callback, on its worker thread, as the work finished. */
    @Override
    public java.util.OptionalLong completedAt() {
        long e = ended;
        return e == 0 || !done.isDone() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(e);
    }

    @Override
    public boolean stampsCompletion() {
        return true;
    }

    /** Runs {@code action} with null on success or the failure, once done (at once if already done). */
    void whenDone(Consumer<Throwable> action) {
        done.whenComplete((v, t) -> action.accept(t));
    }

    /** The thread that completed the fence (a worker of the library), or null while pending. */
    Thread completedBy() {
        return completedBy;
    }

    /** Simulated nanoseconds of the execution this fence completes; 0 for other work or while pending or failed. */
    long simulatedNanos() {
        return done.isDone() && !done.isCompletedExceptionally() ? done.join() : 0;
    }

    @Override
    public boolean isDone() {
        return done.isDone();
    }

    @Override
    public void await() {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccelException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    @Override
    public boolean await(Duration timeout) {
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccelException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private AccelException rethrow(Throwable cause) {
        if (cause instanceof AccelException a) {
            // The same exception may reach several waiters; each adds where it waited.
            a.addSuppressed(new AccelException("awaited here: " + what));
            return a;
        }
        return new AccelException(what + " failed: " + cause, cause);
    }

    @Override
    public String toString() {
        return "NpuFence(" + what + (isDone() ? ", done" : "") + ")";
    }
}
