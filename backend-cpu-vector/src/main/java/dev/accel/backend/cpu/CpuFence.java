package dev.accel.backend.cpu;

import dev.accel.hal.AccelException;
import dev.accel.hal.Fence;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Completion of one task on a {@link CpuQueue}. {@link #await()} spins for {@link #SPIN_NANOS}
 * before blocking, so that a short task completing on the queue's worker is seen without a thread
 * wake-up. It stamps when its work started and ended ({@link #startedAt()}, {@link #completedAt()}).
 */
final class CpuFence implements Fence {
    /** How long await polls before blocking. */
    static final long SPIN_NANOS = 20_000;

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final String task;
    private final String deviceId;

    /** The fence of {@code task} ("write", an op name) on device {@code deviceId}; the message is built only when needed. */
    CpuFence(String task, String deviceId) {
        this.task = task;
        this.deviceId = deviceId;
    }

    private String what() {
        return task + " on " + deviceId;
    }

    /** System.nanoTime() when the work started and ended; 0 until stamped. Written before the future completes. */
    private volatile long started;
    private volatile long ended;

    void started(long nanos) {
        started = nanos;
    }

    void complete() {
        ended = System.nanoTime();
        done.complete(null);
    }

    void fail(Throwable t) {
        ended = System.nanoTime();
        done.completeExceptionally(t);
    }

    @Override
    public OptionalLong startedAt() {
        long s = started;
        return s == 0 ? OptionalLong.empty() : OptionalLong.of(s);
    }

    @Override
    public OptionalLong completedAt() {
        long e = ended;
        return e == 0 || !done.isDone() ? OptionalLong.empty() : OptionalLong.of(e);
    }

    @Override
    public boolean stampsCompletion() {
        return true;
    }

    @Override
    public boolean isDone() {
        return done.isDone();
    }

    @Override
    public void await() {
        if (!done.isDone()) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (!done.isDone() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
        }
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccelException("interrupted while waiting for " + what(), e);
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
            throw new AccelException("interrupted while waiting for " + what(), e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private AccelException rethrow(Throwable cause) {
        if (cause instanceof AccelException a) {
            // Keep the typed exception; add the waiter's stack as suppressed context.
            a.addSuppressed(new AccelException("awaited here: " + what()));
            return a;
        }
        return new AccelException(what() + " failed: " + cause, cause);
    }

    @Override
    public String toString() {
        return "CpuFence(" + what() + (isDone() ? ", done" : "") + ")";
    }
}
