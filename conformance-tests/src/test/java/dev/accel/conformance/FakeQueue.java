package dev.accel.conformance;

import dev.accel.hal.AccelException;
import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

/** A synchronous queue: each call does its work before returning a done fence (or a failed one). */
final class FakeQueue implements Queue {
    private final FakeDevice device;
    private volatile boolean closed;
    private volatile boolean stuck;

    FakeQueue(FakeDevice device) {
        this.device = device;
    }

    @Override
    public FakeDevice device() {
        return device;
    }

    @Override
    public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        Checks.write(this, src, dst, dstOffset);
        MemorySegment.copy(src, 0, ((FakeBuffer) dst).segment(), dstOffset, src.byteSize());
        return Fence.done();
    }

    @Override
    public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        Checks.read(this, src, srcOffset, dst);
        MemorySegment.copy(((FakeBuffer) src).segment(), srcOffset, dst, 0, dst.byteSize());
        return Fence.done();
    }

    @Override
    public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
        MemorySegment.copy(((FakeBuffer) src).segment(), srcOffset, ((FakeBuffer) dst).segment(), dstOffset, bytes);
        return Fence.done();
    }

    @Override
    public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
        Checks.dispatch(this, kernel, inputs, outputs);
        if (stuck || device.hang.test(kernel.spec())) {
            stuck = true;
            return NEVER;
        }
        try {
            device.execute(kernel.spec(), inputs.stream().map(b -> ((FakeBuffer) b).segment()).toList(),
                    outputs.stream().map(b -> ((FakeBuffer) b).segment()).toList(), ((FakeDevice.FakeKernel) kernel).off());
            return Fence.done();
        } catch (RuntimeException e) {
            return failed(new AccelException(kernel.spec() + " failed on " + device.info().id() + ": " + e.getMessage(), e));
        }
    }

    @Override
    public void waitFor(Fence fence) {
        Checks.queueOpen(this);
        fence.await();
    }

    @Override
    public Fence marker() {
        Checks.queueOpen(this);
        return stuck ? NEVER : Fence.done();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (stuck) {
            device.closedAStuckQueue = true;
        }
        closed = true;
    }

    /** Work that never completes: timed waits give up at once, as if their time had passed. */
    private static final Fence NEVER = new Fence() {
        @Override
        public boolean isDone() {
            return false;
        }

        @Override
        public void await() {
            throw new AssertionError("await() without a time-out on work that never completes");
        }

        @Override
        public boolean await(Duration timeout) {
            return false;
        }
    };

    private static Fence failed(AccelException e) {
        return new Fence() {
            @Override
            public boolean isDone() {
                return true;
            }

            @Override
            public void await() {
                throw e;
            }

            @Override
            public boolean await(Duration timeout) {
                throw e;
            }
        };
    }
}
