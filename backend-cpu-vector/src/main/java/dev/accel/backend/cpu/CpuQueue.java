package dev.accel.backend.cpu;

import dev.accel.hal.AccelException;
import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A CPU queue: one worker thread runs the queued tasks in order. Once a task fails, every later
 * task on the queue fails with a message that points at the first failure, so nothing computed
 * from a half-failed sequence is reported as done.
 *
 * <p>Latency: small work (at most {@link #INLINE_BYTES} bytes of inputs and outputs) submitted
 * while the queue is idle (nothing queued or running) runs at once on the caller's thread and
 * returns a completed fence, so that a tiny kernel costs a call rather than two thread hand-offs.
 * Order is kept: submissions are serialised by a lock, and "idle" means every earlier task has
 * run (a counter the worker decrements after each task, before completing its fence, which also
 * publishes its writes).
 * Failures behave as on the worker: the fence fails, later work is refused, nothing is thrown from
 * the submitting call. Waits on other fences are never run inline. The worker, once its queue is
 * empty, spins for {@link #SPIN_NANOS} before parking, so that work submitted right after a task
 * completes does not pay for a thread wake-up. Where {@link CpuParallel#PINNED}, the worker runs on
 * the first CPU the process may use ({@link ThreadAffinity}).
 */
final class CpuQueue implements Queue {
    /** Work touching at most this many bytes runs on the caller's thread when the queue is idle. */
    static final long INLINE_BYTES = 64 << 10;
    /** How long the worker polls an empty queue before parking. */
    static final long SPIN_NANOS = 20_000;

    private final CpuDevice device;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final ReentrantLock order = new ReentrantLock();
    /** Tasks submitted to the worker and not yet completed. */
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread worker;
    private volatile boolean closed;
    private volatile Throwable firstFailure;

    CpuQueue(CpuDevice device) {
        this.device = device;
        this.worker = Thread.ofPlatform().daemon().name("accel-" + device.info().id() + "-queue").unstarted(this::loop);
        this.worker.start();
    }

    private void loop() {
        if (CpuParallel.PINNED) {
            // The first allowed CPU; CpuParallel's workers have the others.
            ThreadAffinity.pinCurrentThread(0);
        }
        while (true) {
            Runnable r = tasks.poll();
            if (r == null) {
                long deadline = System.nanoTime() + SPIN_NANOS;
                while ((r = tasks.poll()) == null && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                }
            }
            if (r == null) {
                try {
                    r = tasks.take();
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (r == STOP) {
                return;
            }
            r.run();
        }
    }

    private static final Runnable STOP = () -> { };

    /**
     * Queues {@code work}, or runs it now on this thread when it is small ({@code bytes <=}
     * {@link #INLINE_BYTES}) and the queue is idle.
     */
    private Fence submit(String what, long bytes, Runnable work) {
        CpuFence f = new CpuFence(what, device.info().id());
        order.lock();
        try {
            if (bytes <= INLINE_BYTES && pending.get() == 0 && !closed) {
                f.started(System.nanoTime());
                settle(f, execute(what, work));
                return f;
            }
            pending.incrementAndGet();
            tasks.add(() -> {
                f.started(System.nanoTime());
                Throwable failure = execute(what, work);
                // Idle before the fence completes: a caller woken by the fence may submit at once, and
                // must find the queue idle (else it queues, and every later call does the same).
                pending.decrementAndGet();
                settle(f, failure);
            });
        } finally {
            order.unlock();
        }
        return f;
    }

    /** Runs the work unless an earlier task failed; returns what its fence must fail with, or null. */
    private Throwable execute(String what, Runnable work) {
        Throwable earlier = firstFailure;
        if (earlier != null) {
            return new AccelException(what + " was not run: earlier work on this queue failed: " + earlier.getMessage(), earlier);
        }
        try {
            work.run();
            return null;
        } catch (Throwable t) {
            firstFailure = t;
            return t;
        }
    }

    private static void settle(CpuFence f, Throwable failure) {
        if (failure == null) {
            f.complete();
        } else {
            f.fail(failure);
        }
    }

    @Override
    public CpuDevice device() {
        return device;
    }

    @Override
    public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        Checks.write(this, src, dst, dstOffset);
        CpuBuffer d = (CpuBuffer) dst;
        return submit("write", src.byteSize(), () -> MemorySegment.copy(src, 0, d.segment(), dstOffset, src.byteSize()));
    }

    @Override
    public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        Checks.read(this, src, srcOffset, dst);
        CpuBuffer s = (CpuBuffer) src;
        return submit("read", dst.byteSize(), () -> MemorySegment.copy(s.segment(), srcOffset, dst, 0, dst.byteSize()));
    }

    @Override
    public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
        CpuBuffer s = (CpuBuffer) src;
        CpuBuffer d = (CpuBuffer) dst;
        return submit("copy", bytes, () -> MemorySegment.copy(s.segment(), srcOffset, d.segment(), dstOffset, bytes));
    }

    @Override
    public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
        Checks.dispatch(this, kernel, inputs, outputs);
        CpuKernel k = (CpuKernel) kernel;
        if (k.isClosed()) {
            throw new InvalidArgumentException("dispatch " + k.spec().op().name() + ": kernel is closed");
        }
        MemorySegment[] in = new MemorySegment[inputs.size()];
        MemorySegment[] out = new MemorySegment[outputs.size()];
        long bytes = 0;
        for (int i = 0; i < in.length; i++) {
            in[i] = ((CpuBuffer) inputs.get(i)).segment();
            bytes += in[i].byteSize();
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = ((CpuBuffer) outputs.get(i)).segment();
            bytes += out[i].byteSize();
            for (MemorySegment s : in) {
                if (overlaps(s, out[i])) {
                    throw new InvalidArgumentException("dispatch " + k.spec().op().name() + ": output " + i
                            + " overlaps an input; outputs must not alias inputs");
                }
            }
        }
        CpuOp body = k.body();
        return submit(k.spec().op().name(), bytes, () -> body.run(in, out));
    }

    /** Whether two segments share a byte (native ones by address, heap ones through the segment API). */
    private static boolean overlaps(MemorySegment a, MemorySegment b) {
        if (a.isNative() && b.isNative()) {
            long a0 = a.address();
            long b0 = b.address();
            return a.byteSize() > 0 && b.byteSize() > 0 && a0 < b0 + b.byteSize() && b0 < a0 + a.byteSize();
        }
        return a.asOverlappingSlice(b).isPresent();
    }

    @Override
    public void waitFor(Fence fence) {
        Checks.queueOpen(this);
        if (fence == null) {
            throw new InvalidArgumentException("waitFor: fence is null");
        }
        // A wait blocks whoever runs it: never inline, unless the fence is already done.
        submit("wait", fence.isDone() ? 0 : Long.MAX_VALUE, fence::await);
    }

    @Override
    public Fence marker() {
        Checks.queueOpen(this);
        return submit("marker", 0, () -> { });
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tasks.add(STOP);
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        device.release(this);
    }
}
