package dev.accel.backend.vulkan;

import dev.accel.hal.AccelException;
import dev.accel.hal.Fence;
import java.time.Duration;

/**
 * Completion of one batch of a {@link VulkanQueue}: a value of the queue's timeline semaphore. A
 * fence of a batch still being recorded submits that batch when asked ({@link #isDone()} or
 * {@link #await()}), so polling never waits for work nobody submitted. Completion includes the
 * host-side copies of reads in the batch.
 */
final class VulkanFence implements Fence {
    private final VulkanQueue queue;
    private final VulkanBatch batch;

    VulkanFence(VulkanQueue queue, VulkanBatch batch) {
        this.queue = queue;
        this.batch = batch;
    }

    VulkanQueue queue() {
        return queue;
    }

    VulkanBatch batch() {
        return batch;
    }

    /** Submits the batch if it is still being recorded. */
    void ensureSubmitted() {
        if (batch.value == 0 && !batch.done) {
            queue.flushBatch(batch, true);
        }
    }

    @Override
    public boolean isDone() {
        if (batch.value == 0 && !batch.done) {
            queue.flushBatch(batch, false);
            if (batch.value == 0) {
                return batch.done;
            }
        }
        if (!batch.done && queue.counter() >= batch.value) {
            queue.retire();
        }
        return batch.done;
    }

    @Override
    public void await() {
        if (!await(Long.MAX_VALUE)) {
            throw new AccelException("fence of " + queue.device().info().id() + " timed out without a time limit");
        }
    }

    @Override
    public boolean await(Duration timeout) {
        return await(timeout.isNegative() ? 0 : saturatedNanos(timeout));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private boolean await(long nanos) {
        ensureSubmitted();
        if (!batch.done) {
            if (!queue.waitValue(batch.value, nanos)) {
                return false;
            }
            queue.retire();
        }
        RuntimeException f = batch.failure;
        if (f != null) {
            if (f instanceof AccelException a) {
                AccelException copy = rethrown(a);
                copy.addSuppressed(new AccelException("awaited here: fence of " + queue.device().info().id()));
                throw copy;
            }
            throw new AccelException("work on " + queue.device().info().id() + " failed: " + f, f);
        }
        return true;
    }

    /** A new exception of the same type, so each await gets its own stack trace and the stored one stays clean. */
    private static AccelException rethrown(AccelException a) {
        try {
            return a.getClass().getConstructor(String.class, Throwable.class).newInstance(a.getMessage(), a);
        } catch (ReflectiveOperationException e) {
            return new AccelException(a.getMessage(), a);
        }
    }

    @Override
    public String toString() {
        return "VulkanFence(" + queue.device().info().id() + ", value " + batch.value + (batch.done ? ", done" : "") + ")";
    }
}
