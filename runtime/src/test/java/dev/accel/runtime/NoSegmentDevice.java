package dev.accel.runtime;

import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * An opened device under another id ({@link RenamedDevice}) whose buffers give no host segment ({@link
 * DeviceBuffer#hostSegment()} is empty), like OpenCL's: its buffers and queues wrap the inner
 * device's and unwrap on the way in. For the runtime's path through host memory. Closing closes the
 * inner device.
 */
final class NoSegmentDevice extends RenamedDevice {
    NoSegmentDevice(Device inner, String id) {
        super(inner, id);
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        return new Buffer(inner.allocate(type));
    }

    @Override
    public Queue newQueue() {
        return new Wrapped(inner.newQueue());
    }

    private static DeviceBuffer unwrap(DeviceBuffer b) {
        return b instanceof Buffer w ? w.inner : b;
    }

    /** A buffer of the inner device that keeps its memory to itself. */
    private final class Buffer implements DeviceBuffer {
        private final DeviceBuffer inner;

        Buffer(DeviceBuffer inner) {
            this.inner = inner;
        }

        @Override
        public TensorType type() {
            return inner.type();
        }

        @Override
        public Device device() {
            return NoSegmentDevice.this;
        }

        @Override
        public DeviceBuffer view(TensorType type) {
            return new Buffer(inner.view(type));
        }

        @Override
        public boolean isClosed() {
            return inner.isClosed();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The inner device's queue, given the inner buffers. */
    private final class Wrapped implements Queue {
        private final Queue inner;

        Wrapped(Queue inner) {
            this.inner = inner;
        }

        @Override
        public Device device() {
            return NoSegmentDevice.this;
        }

        @Override
        public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
            return inner.write(src, unwrap(dst), dstOffset);
        }

        @Override
        public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
            return inner.read(unwrap(src), srcOffset, dst);
        }

        @Override
        public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
            return inner.copy(unwrap(src), srcOffset, unwrap(dst), dstOffset, bytes);
        }

        @Override
        public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
            return inner.dispatch(kernel, inputs.stream().map(NoSegmentDevice::unwrap).toList(),
                    outputs.stream().map(NoSegmentDevice::unwrap).toList());
        }

        @Override
        public void waitFor(Fence fence) {
            inner.waitFor(fence);
        }

        @Override
        public Fence marker() {
            return inner.marker();
        }

        @Override
        public boolean isClosed() {
            return inner.isClosed();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
