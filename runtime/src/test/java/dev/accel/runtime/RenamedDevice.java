package dev.accel.runtime;

import dev.accel.hal.Capabilities;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;

/**
 * A second opened instance of a device under another id ("cpu:1"), so that tests can split a graph
 * across two devices in float32 and exercise every crossing through host memory. Everything but
 * the id is the wrapped device's; closing closes it.
 */
class RenamedDevice implements Device {
    /** The device this one stands for. */
    final Device inner;
    private final DeviceInfo info;

    RenamedDevice(Device inner, String id) {
        this.inner = inner;
        DeviceInfo i = inner.info();
        this.info = new DeviceInfo(id, i.name(), i.kind(), i.memoryBytes(), i.sharesHostMemory(), i.details());
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public DeviceProfile profile() {
        return inner.profile();
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        return inner.allocate(type);
    }

    @Override
    public Queue newQueue() {
        return inner.newQueue();
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        return inner.prepare(spec);
    }

    /** Counts the calls that carried constants (by the constant input indices given), then delegates. */
    @Override
    public Kernel prepare(OpSpec spec, java.util.Map<Integer, dev.accel.hal.HostTensor> constants) {
        preparedWithConstants.merge(spec.op().name() + constants.keySet(), 1, Integer::sum);
        return inner.prepare(spec, constants);
    }

    /** Per op name and constant indices ("MatMul[1]"), how many kernels were prepared with constants. */
    final java.util.Map<String, Integer> preparedWithConstants = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public boolean isClosed() {
        return inner.isClosed();
    }

    @Override
    public void close() {
        inner.close();
    }
}
