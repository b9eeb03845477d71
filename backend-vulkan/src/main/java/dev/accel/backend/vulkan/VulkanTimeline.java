package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK12.*;

import dev.accel.hal.AccelException;
import dev.accel.hal.DeviceKind;
import java.nio.LongBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkSemaphoreCreateInfo;
import org.lwjgl.vulkan.VkSemaphoreTypeCreateInfo;
import org.lwjgl.vulkan.VkSemaphoreWaitInfo;

/**
 * The completion side of a {@link VulkanQueue}: its timeline semaphore, the batches submitted and
 * not yet completed (in submission order), and their retirement: once the semaphore reaches a
 * batch's value, the batch's host copies run, its transient memory is freed and its frame goes
 * back to the free list, then it is marked done. Retirement is lazy, done by whichever thread
 * polls or awaits a fence or records new work; no thread of its own.
 *
 * <p>Thread-safe. The semaphore is destroyed by {@link #close()} only when no thread reads or waits
 * on it; afterwards those calls throw.
 */
final class VulkanTimeline implements AutoCloseable {
    private final VulkanDevice device;
    private final long semaphore;
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
    private final Object retireLock = new Object();
    private final ConcurrentLinkedDeque<VulkanBatch> submitted = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedQueue<VulkanBatch.Frame> freeFrames = new ConcurrentLinkedQueue<>();
    private boolean destroyed;

    VulkanTimeline(VulkanDevice device) {
        this.device = device;
        try (MemoryStack stack = stackPush()) {
            LongBuffer lp = stack.mallocLong(1);
            VkSemaphoreTypeCreateInfo ti = VkSemaphoreTypeCreateInfo.calloc(stack).sType$Default()
                    .semaphoreType(VK_SEMAPHORE_TYPE_TIMELINE).initialValue(0);
            VkSemaphoreCreateInfo si = VkSemaphoreCreateInfo.calloc(stack).sType$Default().pNext(ti.address());
            VulkanResult.check(vkCreateSemaphore(device.vk(), si, null, lp), "vkCreateSemaphore (timeline)");
            this.semaphore = lp.get(0);
        }
    }

    long semaphore() {
        return semaphore;
    }

    /** A frame of a completed batch, ready for reuse, or null. */
    VulkanBatch.Frame reusableFrame() {
        return freeFrames.poll();
    }

    /** Notes a batch just submitted with its value set. */
    void submitted(VulkanBatch b) {
        submitted.add(b);
    }

    /**
     * Keeps the semaphore alive for a submission that waits on it: true (release with
     * {@link #releaseWaiter()} after vkQueueSubmit) unless it was destroyed, which means every
     * value it will ever reach has been reached, so the wait can be dropped.
     */
    boolean acquireWaiter() {
        life.readLock().lock();
        if (destroyed) {
            life.readLock().unlock();
            return false;
        }
        return true;
    }

    void releaseWaiter() {
        life.readLock().unlock();
    }

    /** The semaphore's current value. */
    long counter() {
        life.readLock().lock();
        try (MemoryStack stack = stackPush()) {
            requireAlive();
            LongBuffer v = stack.mallocLong(1);
            VulkanResult.check(vkGetSemaphoreCounterValue(device.vk(), semaphore, v), "vkGetSemaphoreCounterValue");
            return v.get(0);
        } finally {
            life.readLock().unlock();
        }
    }

    private void requireAlive() {
        if (destroyed) {
            throw new AccelException("the queue of " + device.info().id() + " was closed before this work completed");
        }
    }

    /**
     * How long a wait polls the counter before it blocks in vkWaitSemaphores, on a GPU: a blocking
     * wait on NVIDIA's driver returned 140-160 us after a one-dispatch submit. Never on a CPU
     * device (lavapipe), whose work runs on the cores a poll would take.
     */
    static final long SPIN_NANOS = 50_000;

    /** Blocks until the semaphore reaches {@code value} or {@code nanos} pass; false on time-out. */
    boolean waitValue(long value, long nanos) {
        life.readLock().lock();
        try (MemoryStack stack = stackPush()) {
            requireAlive();
            if (device.info().kind() != DeviceKind.CPU) {
                LongBuffer v = stack.mallocLong(1);
                long spinUntil = System.nanoTime() + Math.min(nanos, SPIN_NANOS);
                do {
                    VulkanResult.check(vkGetSemaphoreCounterValue(device.vk(), semaphore, v), "vkGetSemaphoreCounterValue");
                    if (v.get(0) >= value) {
                        return true;
                    }
                    Thread.onSpinWait();
                } while (System.nanoTime() < spinUntil);
            }
            VkSemaphoreWaitInfo wi = VkSemaphoreWaitInfo.calloc(stack).sType$Default().semaphoreCount(1)
                    .pSemaphores(stack.longs(semaphore)).pValues(stack.longs(value));
            int r = vkWaitSemaphores(device.vk(), wi, nanos);
            if (r == VK_TIMEOUT) {
                return false;
            }
            VulkanResult.check(r, "vkWaitSemaphores on " + device.info().id());
            return true;
        } finally {
            life.readLock().unlock();
        }
    }

    /** Completes, in order, every submitted batch the semaphore has reached. */
    void retire() {
        synchronized (retireLock) {
            if (submitted.isEmpty()) {
                return;
            }
            long c = counter();
            VulkanBatch head;
            while ((head = submitted.peek()) != null && head.value <= c) {
                submitted.poll();
                complete(head, true);
            }
        }
    }

    /** Finishes a batch: host copies (only if it ran), frees its transient memory, recycles its frame, marks it done. */
    void complete(VulkanBatch b, boolean ran) {
        if (ran) {
            for (Runnable r : b.afterCompletion) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    if (b.failure == null) {
                        b.failure = new AccelException("copying a read of " + device.info().id() + " to host memory failed: " + e, e);
                    }
                }
            }
        }
        for (VulkanAllocation a : b.transients) {
            a.free();
        }
        b.transients.clear();
        b.afterCompletion.clear();
        VulkanBatch.Frame f = b.frame;
        b.frame = null;
        if (f != null) {
            freeFrames.add(f);
        }
        b.done = true;
    }

    /**
     * Fails whatever never completed (only after a device loss or a time-out) and destroys the
     * semaphore once no thread is reading, waiting or submitting a wait on it, and the device is
     * idle: seeing the semaphore reach a value does not mean the driver has let go of the
     * submissions that signal or wait on it (Mesa's submit thread, in lavapipe, releases their
     * timeline points after signalling; destroying the semaphore before that crashed lavapipe).
     */
    @Override
    public void close() {
        life.writeLock().lock();
        try {
            if (destroyed) {
                return;
            }
            try {
                device.waitIdle();
            } catch (RuntimeException e) {
                // device lost: nothing is running any more
            }
            VulkanBatch b;
            while ((b = submitted.poll()) != null) {
                b.failure = new AccelException("the queue of " + device.info().id() + " was closed before this work completed");
                complete(b, false);
            }
            vkDestroySemaphore(device.vk(), semaphore, null);
            destroyed = true;
        } finally {
            life.writeLock().unlock();
        }
    }
}
