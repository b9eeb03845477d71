package dev.accel.cli;

import dev.accel.hal.AccelException;
import dev.accel.hal.Capabilities;
import dev.accel.hal.Checks;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A device for tests whose kernels are {@link ReferenceOps} in plain Java, run synchronously.
 * Options: kernels not ready (prepare throws, as a backend mid-construction does), a capability
 * answer per dtype, and a perturbation added to element 0 of every Softmax output so that a test
 * knows the exact difference two devices' outputs must show.
 */
final class FakeDevice implements Device {
    private final DeviceInfo info;
    private final boolean kernelsReady;
    private final double softmaxPerturbation;
    private final Capabilities capabilities;
    private boolean closed;
    int closeCount;

    FakeDevice(String id, boolean kernelsReady, double softmaxPerturbation, Capabilities capabilities) {
        this.info = new DeviceInfo(id, "Fake " + id, DeviceKind.OTHER, 3L << 30, false,
                Map.of("fake detail", "lanes 7"));
        this.kernelsReady = kernelsReady;
        this.softmaxPerturbation = softmaxPerturbation;
        this.capabilities = capabilities;
    }

    /** A working reference device. */
    static FakeDevice reference(String id) {
        return new FakeDevice(id, true, 0, spec -> Support.nativeSupport());
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public DeviceProfile profile() {
        return new DeviceProfile(Map.of(DType.F32, 1e9), 1e9, 1e-6, 1e9, 1e-6, false);
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        check();
        return new Buffer(type);
    }

    @Override
    public Queue newQueue() {
        check();
        return new SyncQueue();
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        check();
        if (!capabilities.support(spec).runnable()) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec);
        }
        if (!kernelsReady) {
            throw new UnsupportedOpException(info.id() + ": " + spec + " has no kernel yet");
        }
        return new FakeKernel(spec);
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException(info.id() + " is closed");
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closeCount++;
        closed = true;
    }

    /** Host memory as device memory. */
    final class Buffer implements DeviceBuffer {
        final HostTensor data;
        private boolean freed;

        Buffer(TensorType type) {
            data = HostTensor.allocate(type);
        }

        @Override
        public TensorType type() {
            return data.type();
        }

        @Override
        public Device device() {
            return FakeDevice.this;
        }

        @Override
        public DeviceBuffer view(TensorType type) {
            throw new UnsupportedOperationException("views are not needed by these tests");
        }

        @Override
        public boolean isClosed() {
            return freed;
        }

        @Override
        public void close() {
            freed = true;
            data.close();
        }
    }

    private final class FakeKernel implements Kernel {
        private final OpSpec spec;

        FakeKernel(OpSpec spec) {
            this.spec = spec;
        }

        @Override
        public OpSpec spec() {
            return spec;
        }

        @Override
        public Device device() {
            return FakeDevice.this;
        }

        @Override
        public void close() {
        }
    }

    /** Runs each call at once; a failure is kept in the returned fence, as a real queue does. */
    private final class SyncQueue implements Queue {
        private boolean queueClosed;

        @Override
        public Device device() {
            return FakeDevice.this;
        }

        @Override
        public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
            Checks.write(this, src, dst, dstOffset);
            MemorySegment.copy(src, 0, ((Buffer) dst).data.segment(), dstOffset, src.byteSize());
            return Fence.done();
        }

        @Override
        public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
            Checks.read(this, src, srcOffset, dst);
            MemorySegment.copy(((Buffer) src).data.segment(), srcOffset, dst, 0, dst.byteSize());
            return Fence.done();
        }

        @Override
        public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
            throw new InvalidArgumentException("copy is not needed by these tests");
        }

        @Override
        public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
            Checks.dispatch(this, kernel, inputs, outputs);
            try {
                HostTensor out = ((Buffer) outputs.getFirst()).data;
                ReferenceOps.run(kernel.spec(), inputs.stream().map(b -> ((Buffer) b).data).toList(), out);
                if (kernel.spec().op().name().equals("Softmax") && softmaxPerturbation != 0) {
                    out.setDouble(0, out.getDouble(0) + softmaxPerturbation);
                }
                return Fence.done();
            } catch (AccelException e) {
                return new FailedFence(e);
            }
        }

        @Override
        public void waitFor(Fence fence) {
            fence.await();
        }

        @Override
        public Fence marker() {
            return Fence.done();
        }

        @Override
        public boolean isClosed() {
            return queueClosed;
        }

        @Override
        public void close() {
            queueClosed = true;
        }
    }

    private record FailedFence(AccelException error) implements Fence {
        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public void await() {
            throw error;
        }

        @Override
        public boolean await(Duration timeout) {
            throw error;
        }
    }
}
