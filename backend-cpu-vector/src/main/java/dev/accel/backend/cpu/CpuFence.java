package dev.accel.backend.cpu;

import dev.accel.hal.AccelException;
import dev.accel.hal.Fence;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Completion of one task on a {@link CpuQueue}. */
final class CpuFence implements Fence {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final String what;

    CpuFence(String what) {
        this.what = what;
    }

    void complete() {
        done.complete(null);
    }

    void fail(Throwable t) {
        done.completeExceptionally(t);
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
            // Keep the typed exception; add the waiter's stack as suppressed context.
            a.addSuppressed(new AccelException("awaited here: " + what));
            return a;
        }
        return new AccelException(what + " failed: " + cause, cause);
    }

    @Override
    public String toString() {
        return "CpuFence(" + what + (isDone() ? ", done" : "") + ")";
    }
}
