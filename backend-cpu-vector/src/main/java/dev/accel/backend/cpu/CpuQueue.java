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

/**
 * A CPU queue: one worker thread runs the queued tasks in order. Once a task fails, every later
 * task on the queue fails with a message that points at the first failure, so nothing computed
 * from a half-failed sequence is reported as done.
 */
final class CpuQueue implements Queue {
    private final CpuDevice device;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;
    private volatile Throwable firstFailure;

    CpuQueue(CpuDevice device) {
        this.device = device;
        this.worker = Thread.ofPlatform().daemon().name("accel-" + device.info().id() + "-queue").unstarted(this::loop);
        this.worker.start();
    }

    private void loop() {
        while (true) {
            Runnable r;
            try {
                r = tasks.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == STOP) {
                return;
            }
            r.run();
        }
    }

    private static final Runnable STOP = () -> { };

    private Fence submit(String what, Runnable work) {
        CpuFence f = new CpuFence(what + " on " + device.info().id());
        tasks.add(() -> {
            Throwable earlier = firstFailure;
            if (earlier != null) {
                f.fail(new AccelException(what + " was not run: earlier work on this queue failed: " + earlier.getMessage(), earlier));
                return;
            }
            try {
                work.run();
                f.complete();
            } catch (Throwable t) {
                firstFailure = t;
                f.fail(t);
            }
        });
        return f;
    }

    @Override
    public CpuDevice device() {
        return device;
    }

    @Override
    public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        Checks.write(this, src, dst, dstOffset);
        CpuBuffer d = (CpuBuffer) dst;
        return submit("write", () -> MemorySegment.copy(src, 0, d.segment(), dstOffset, src.byteSize()));
    }

    @Override
    public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        Checks.read(this, src, srcOffset, dst);
        CpuBuffer s = (CpuBuffer) src;
        return submit("read", () -> MemorySegment.copy(s.segment(), srcOffset, dst, 0, dst.byteSize()));
    }

    @Override
    public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
        CpuBuffer s = (CpuBuffer) src;
        CpuBuffer d = (CpuBuffer) dst;
        return submit("copy", () -> MemorySegment.copy(s.segment(), srcOffset, d.segment(), dstOffset, bytes));
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
        for (int i = 0; i < in.length; i++) {
            in[i] = ((CpuBuffer) inputs.get(i)).segment();
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = ((CpuBuffer) outputs.get(i)).segment();
            for (MemorySegment s : in) {
                if (s.asOverlappingSlice(out[i]).isPresent()) {
                    throw new InvalidArgumentException("dispatch " + k.spec().op().name() + ": output " + i
                            + " overlaps an input; outputs must not alias inputs");
                }
            }
        }
        CpuOp body = k.body();
        return submit(k.spec().op().name(), () -> body.run(in, out));
    }

    @Override
    public void waitFor(Fence fence) {
        Checks.queueOpen(this);
        if (fence == null) {
            throw new InvalidArgumentException("waitFor: fence is null");
        }
        submit("wait", fence::await);
    }

    @Override
    public Fence marker() {
        Checks.queueOpen(this);
        return submit("marker", () -> { });
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
