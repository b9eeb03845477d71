package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.accel.hal.AccelException;
import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import java.lang.foreign.MemorySegment;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkCommandPoolCreateInfo;
import org.lwjgl.vulkan.VkSubmitInfo;
import org.lwjgl.vulkan.VkTimelineSemaphoreSubmitInfo;

/**
 * A hal {@link Queue} over a Vulkan compute queue. Work is batched: consecutive writes, copies and
 * dispatches are recorded into one command buffer (with barriers only between dependent commands)
 * and submitted once, when a read is queued, a marker is asked for, a fence of the batch is polled
 * or awaited, {@link #flush()} is called, or the batch reaches {@code accel.vulkan.batchLimit}
 * commands (256). Each submission signals the next value of the queue's timeline semaphore; fences
 * are those values.
 *
 * <p>{@link #waitFor}: a fence of another queue of the same device becomes a semaphore wait of the
 * next submission; any other fence (another device, another backend) is awaited on the host by
 * the thread that submits next, after the work queued before the waitFor has been submitted.
 *
 * <p>Transfers go through host-visible staging memory in the command stream. On a unified device
 * (tensors in mapped host-coherent memory) a write or read on an idle queue copies directly and
 * returns a done fence.
 *
 * <p>Thread safety: any thread may call any method; calls are ordered as they take the queue's
 * lock. Host segments given to {@link #read} are filled by whichever thread observes completion,
 * so they must be accessible from any thread (shared or global arenas, or heap memory).
 */
final class VulkanQueue implements Queue {
    private static final int BATCH_LIMIT = Integer.getInteger("accel.vulkan.batchLimit", 256);

    private final VulkanDevice device;
    private final VulkanDevice.HwQueue hw;
    private final long commandPool;
    private final VulkanTimeline timeline;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<VulkanBatch.Frame> frames = new ArrayList<>();
    /** A wait of the next submission on another queue's timeline. */
    private record Wait(VulkanTimeline timeline, long value) {
    }

    private final List<Wait> semaphoreWaits = new ArrayList<>();
    private final List<Fence> hostWaits = new ArrayList<>();
    private VulkanBatch current;
    private long lastValue;
    private volatile VulkanBatch lastSubmitted;
    private volatile RuntimeException failure;
    private volatile boolean closed;
    private long submissions;
    private volatile int lastCommands;
    private volatile int lastBarriers;

    VulkanQueue(VulkanDevice device, VulkanDevice.HwQueue hw) {
        this.device = device;
        this.hw = hw;
        try (MemoryStack stack = stackPush()) {
            LongBuffer lp = stack.mallocLong(1);
            VkCommandPoolCreateInfo ci = VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT).queueFamilyIndex(hw.family());
            VulkanResult.check(vkCreateCommandPool(device.vk(), ci, null, lp), "vkCreateCommandPool");
            this.commandPool = lp.get(0);
        }
        try {
            this.timeline = new VulkanTimeline(device);
        } catch (RuntimeException e) {
            vkDestroyCommandPool(device.vk(), commandPool, null);
            throw e;
        }
    }

    @Override
    public VulkanDevice device() {
        return device;
    }

    VulkanTimeline timeline() {
        return timeline;
    }

    /** The semaphore's current value. */
    long counter() {
        return timeline.counter();
    }

    /** Blocks until the semaphore reaches {@code value} or {@code nanos} pass; false on time-out. */
    boolean waitValue(long value, long nanos) {
        return timeline.waitValue(value, nanos);
    }

    /** Completes every submitted batch that has finished. */
    void retire() {
        timeline.retire();
    }

    /** Number of vkQueueSubmit calls so far (tests check batching with it). */
    long submissions() {
        return submissions;
    }

    /** Commands and dependency barriers of the last submitted batch, for tests: {commands, barriers}. */
    int[] lastBatchShape() {
        return new int[] {lastCommands, lastBarriers};
    }

    // ---- transfers ------------------------------------------------------------------------

    @Override
    public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        Checks.write(this, src, dst, dstOffset);
        VulkanAllocation d = ((VulkanBuffer) dst).allocation();
        long n = src.byteSize();
        lock.lock();
        try {
            if (d.isMapped() && idleLocked()) {
                MemorySegment.copy(src, 0, d.mapped(), dstOffset, n);
                return Fence.done();
            }
            VulkanBatch b = ensureBatch();
            if (n > 0) {
                VulkanAllocation staging = device.memory().allocate(n, VulkanMemory.Pool.HOST, "staging of a write");
                b.transients.add(staging);
                MemorySegment.copy(src, 0, staging.mapped(), 0, n);
                b.copy(staging, 0, d, dstOffset, n);
            }
            return fence(b);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        Checks.read(this, src, srcOffset, dst);
        VulkanAllocation s = ((VulkanBuffer) src).allocation();
        long n = dst.byteSize();
        lock.lock();
        try {
            if (s.isMapped() && idleLocked()) {
                MemorySegment.copy(s.mapped(), srcOffset, dst, 0, n);
                return Fence.done();
            }
            VulkanBatch b = ensureBatch();
            if (n > 0) {
                VulkanAllocation staging = device.memory().allocate(n, VulkanMemory.Pool.HOST, "staging of a read");
                b.transients.add(staging);
                b.copy(s, srcOffset, staging, 0, n);
                b.afterCompletion.add(() -> MemorySegment.copy(staging.mapped(), 0, dst, 0, n));
            }
            Fence f = fence(b);
            flushLocked();
            return f;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
        VulkanAllocation s = ((VulkanBuffer) src).allocation();
        VulkanAllocation d = ((VulkanBuffer) dst).allocation();
        lock.lock();
        try {
            VulkanBatch b = ensureBatch();
            if (bytes > 0) {
                long s0 = s.offset() + srcOffset;
                long d0 = d.offset() + dstOffset;
                if (s.blockId() == d.blockId() && s0 < d0 + bytes && d0 < s0 + bytes) {
                    // vkCmdCopyBuffer forbids overlapping regions: go through a scratch range.
                    VulkanAllocation tmp = device.memory().allocate(bytes, VulkanMemory.Pool.DEVICE, "overlapping copy");
                    b.transients.add(tmp);
                    b.copy(s, srcOffset, tmp, 0, bytes);
                    b.copy(tmp, 0, d, dstOffset, bytes);
                } else {
                    b.copy(s, srcOffset, d, dstOffset, bytes);
                }
            }
            return fence(b);
        } finally {
            lock.unlock();
        }
    }

    // ---- dispatch -------------------------------------------------------------------------

    @Override
    public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
        Checks.dispatch(this, kernel, inputs, outputs);
        VulkanKernel k = (VulkanKernel) kernel;
        String op = "dispatch " + k.spec().op().name();
        if (k.isClosed()) {
            throw new InvalidArgumentException(op + ": kernel is closed");
        }
        VulkanAllocation[] in = new VulkanAllocation[inputs.size()];
        VulkanAllocation[] out = new VulkanAllocation[outputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = ((VulkanBuffer) inputs.get(i)).allocation();
        }
        for (int o = 0; o < out.length; o++) {
            out[o] = ((VulkanBuffer) outputs.get(o)).allocation();
            for (int i = 0; i < in.length; i++) {
                if (in[i].overlaps(inputs.get(i).byteSize(), out[o], outputs.get(o).byteSize())) {
                    throw new InvalidArgumentException(op + ": output " + o + " overlaps input " + i
                            + "; outputs must not alias inputs");
                }
            }
        }
        lock.lock();
        try {
            VulkanBatch b = ensureBatch();
            k.record(b, in, out);
            Fence f = fence(b);
            if (b.commands >= BATCH_LIMIT) {
                flushLocked();
            }
            return f;
        } finally {
            lock.unlock();
        }
    }

    // ---- ordering -------------------------------------------------------------------------

    @Override
    public void waitFor(Fence fence) {
        Checks.queueOpen(this);
        if (fence == null) {
            throw new InvalidArgumentException("waitFor: fence is null");
        }
        if (fence instanceof VulkanFence vf && vf.queue().device() == device) {
            if (vf.queue() == this) {
                return; // queue order already implies it
            }
            vf.ensureSubmitted(); // outside our lock: the other queue takes its own
            VulkanBatch ob = vf.batch();
            lock.lock();
            try {
                if (ob.failure != null || ob.value == 0) {
                    hostWaits.add(fence); // surfaces the failure at our next submit
                } else if (!ob.done) {
                    semaphoreWaits.add(new Wait(vf.queue().timeline(), ob.value));
                }
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            flushLocked(); // work queued before the wait must not be held back by it
            hostWaits.add(fence);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Fence marker() {
        Checks.queueOpen(this);
        lock.lock();
        try {
            if (current == null && semaphoreWaits.isEmpty() && hostWaits.isEmpty()) {
                VulkanBatch last = lastSubmitted;
                if (last != null) {
                    return new VulkanFence(this, last);
                }
                return Fence.done();
            }
            VulkanBatch b = ensureBatch();
            flushLocked();
            return new VulkanFence(this, b);
        } finally {
            lock.unlock();
        }
    }

    /** Submits the batch being recorded, if any (and any pending waits). */
    public void flush() {
        Checks.queueOpen(this);
        lock.lock();
        try {
            if (current != null || !semaphoreWaits.isEmpty() || !hostWaits.isEmpty()) {
                ensureBatch();
                flushLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Submits {@code b} if it is the batch being recorded. Without {@code blocking}, gives up when
     * another thread holds the queue (it may be in a host wait), so {@link Fence#isDone} never blocks.
     */
    void flushBatch(VulkanBatch b, boolean blocking) {
        if (blocking) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return;
        }
        try {
            if (current == b) {
                flushLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private Fence fence(VulkanBatch b) {
        return new VulkanFence(this, b);
    }

    /** True when nothing is recorded, pending or running, so the host may touch device memory directly. */
    private boolean idleLocked() {
        if (current != null || !semaphoreWaits.isEmpty() || !hostWaits.isEmpty() || failure != null) {
            return false;
        }
        VulkanBatch last = lastSubmitted;
        if (last != null && !last.done) {
            if (counter() < last.value) {
                return false;
            }
            retire();
        }
        return true;
    }

    private VulkanBatch ensureBatch() {
        if (current == null) {
            VulkanBatch.Frame f = timeline.reusableFrame();
            if (f == null) {
                f = VulkanBatch.newFrame(device.vk(), commandPool);
                synchronized (frames) {
                    frames.add(f);
                }
            }
            VulkanBatch b = new VulkanBatch(device.vk(), f);
            b.begin();
            current = b;
        }
        return current;
    }

    private void flushLocked() {
        if (current == null) {
            if (semaphoreWaits.isEmpty() && hostWaits.isEmpty()) {
                return;
            }
            ensureBatch();
        }
        VulkanBatch b = current;
        current = null;
        List<Wait> waits = new ArrayList<>(semaphoreWaits);
        List<Fence> host = new ArrayList<>(hostWaits);
        semaphoreWaits.clear();
        hostWaits.clear();
        RuntimeException fail = failure;
        try {
            b.end();
        } catch (RuntimeException e) {
            fail = fail != null ? fail : e;
        }
        for (Fence f : host) {
            if (fail != null) {
                break;
            }
            try {
                f.await();
            } catch (RuntimeException e) {
                fail = new AccelException("work queued on " + device.info().id() + " after waitFor was not run: the awaited fence failed: "
                        + e.getMessage(), e);
            }
        }
        if (fail == null) {
            fail = submit(b, waits);
        } else if (fail == failure) {
            fail = new AccelException("work on " + device.info().id() + " was not run: earlier work on this queue failed: "
                    + failure.getMessage(), failure);
        }
        if (fail != null) {
            if (failure == null) {
                failure = fail;
            }
            b.failure = fail;
            timeline.complete(b, false);
        }
        lastSubmitted = b;
    }

    private RuntimeException submit(VulkanBatch b, List<Wait> requested) {
        long value = lastValue + 1;
        // Hold each waited timeline alive until the submission is in the driver; a closed one is complete.
        List<Wait> waits = new ArrayList<>();
        for (Wait w : requested) {
            if (w.timeline().acquireWaiter()) {
                waits.add(w);
            }
        }
        try (MemoryStack stack = stackPush()) {
            int n = waits.size();
            LongBuffer waitSems = stack.mallocLong(n);
            LongBuffer waitVals = stack.mallocLong(n);
            java.nio.IntBuffer stages = stack.mallocInt(n);
            for (Wait w : waits) {
                waitSems.put(w.timeline().semaphore());
                waitVals.put(w.value());
                stages.put(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT);
            }
            waitSems.flip();
            waitVals.flip();
            stages.flip();
            VkTimelineSemaphoreSubmitInfo ti = VkTimelineSemaphoreSubmitInfo.calloc(stack).sType$Default()
                    .pWaitSemaphoreValues(waitVals).waitSemaphoreValueCount(n)
                    .pSignalSemaphoreValues(stack.longs(value)).signalSemaphoreValueCount(1);
            VkSubmitInfo.Buffer si = VkSubmitInfo.calloc(1, stack);
            si.get(0).sType$Default().pNext(ti.address()).waitSemaphoreCount(n).pWaitSemaphores(waitSems)
                    .pWaitDstStageMask(stages).pCommandBuffers(stack.pointers(b.frame.cb))
                    .pSignalSemaphores(stack.longs(timeline.semaphore()));
            int r;
            synchronized (hw.lock()) {
                r = vkQueueSubmit(hw.queue(), si, VK_NULL_HANDLE);
            }
            if (r != VK_SUCCESS) {
                return VulkanResult.exception(r, "vkQueueSubmit on " + device.info().id());
            }
        } finally {
            for (Wait w : waits) {
                w.timeline().releaseWaiter();
            }
        }
        lastValue = value;
        b.value = value;
        submissions++;
        lastCommands = b.commands;
        lastBarriers = b.barriers;
        timeline.submitted(b);
        return null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                flushLocked();
            } catch (RuntimeException e) {
                // close() does not rethrow failures of queued work
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        try {
            if (lastValue > 0) {
                waitValue(lastValue, 60_000_000_000L);
            }
            retire();
        } catch (RuntimeException e) {
            // device lost: nothing more will complete; free what we hold anyway
        }
        timeline.close(); // waits for the device to be idle first
        synchronized (frames) {
            for (VulkanBatch.Frame f : frames) {
                VulkanBatch.destroy(device.vk(), f);
            }
            frames.clear();
        }
        vkDestroyCommandPool(device.vk(), commandPool, null);
        device.release(this);
    }

    @Override
    public String toString() {
        return "VulkanQueue(" + device.info().id() + ", family " + hw.family() + " queue " + hw.index() + ")";
    }
}
