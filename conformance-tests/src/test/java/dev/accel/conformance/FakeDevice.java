package dev.accel.conformance;

import dev.accel.conformance.reference.Reference;
import dev.accel.hal.Capabilities;
import dev.accel.hal.Checks;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A device for testing the suite itself: its kernels run the float64 reference and store the
 * results in the output dtypes, as a correct device would. Faults can be injected: capabilities
 * that refuse some specs, a prepare that ignores its capabilities, kernels whose output is off.
 * Backend id "fake"; not registered with ServiceLoader.
 */
final class FakeDevice implements Device {
    private final DeviceInfo info;
    private final Function<OpSpec, Support> support;
    private final boolean prepareIgnoresCapabilities;
    private final Predicate<OpSpec> corrupt;
    private volatile boolean closed;
    /** Specs whose dispatch never completes, leaving the queue stuck. */
    volatile Predicate<OpSpec> hang = s -> false;
    /** Set when a stuck queue was closed (a real one would block forever). */
    volatile boolean closedAStuckQueue;
    /** What buffers' {@link FakeBuffer#hostSegment()} gives: their memory, nothing, or a segment one byte short. */
    volatile HostSegments hostSegments = HostSegments.EXPOSED;
    /** Kernels prepared with constants move their first output element by 5. */
    volatile boolean constantKernelsAreOff;

    /** The host segments a fake device's buffers give. */
    enum HostSegments { EXPOSED, NONE, ONE_BYTE_SHORT }

    FakeDevice(String id, Function<OpSpec, Support> support, boolean prepareIgnoresCapabilities, Predicate<OpSpec> corrupt) {
        this.info = new DeviceInfo(id, "fake reference device", DeviceKind.OTHER, 1L << 30, true, Map.of("kind", "test"));
        this.support = support;
        this.prepareIgnoresCapabilities = prepareIgnoresCapabilities;
        this.corrupt = corrupt;
    }

    /** A correct device that supports everything. */
    static FakeDevice correct() {
        return new FakeDevice("fake:0", s -> Support.nativeSupport(), false, s -> false);
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Capabilities capabilities() {
        return support::apply;
    }

    @Override
    public DeviceProfile profile() {
        return new DeviceProfile(Map.of(DType.F32, 1e9), 1e9, 1e-6, 1e9, 1e-6, false);
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        checkOpen();
        return new FakeBuffer(this, type);
    }

    @Override
    public Queue newQueue() {
        checkOpen();
        return new FakeQueue(this);
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        checkOpen();
        Support s = support.apply(spec);
        if (!s.runnable() && !prepareIgnoresCapabilities) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec + ": " + s.reason());
        }
        return new FakeKernel(this, spec, false);
    }

    @Override
    public Kernel prepare(OpSpec spec, Map<Integer, HostTensor> constants) {
        Checks.constants(spec, constants);
        Kernel k = prepare(spec);
        return constantKernelsAreOff && !constants.isEmpty() ? new FakeKernel(this, spec, true) : k;
    }

    /** Runs a kernel body: reference in float64, results stored in the output dtypes. */
    void execute(OpSpec spec, List<MemorySegment> in, List<MemorySegment> out) {
        execute(spec, in, out, false);
    }

    /** As {@link #execute(OpSpec, List, List)}, moving the first output element by 5 when {@code off}. */
    void execute(OpSpec spec, List<MemorySegment> in, List<MemorySegment> out, boolean off) {
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            values.add(HostTensor.wrap(spec.inputs().get(i), in.get(i)).toDoubleArray());
        }
        List<double[]> results = Reference.run(spec, values);
        for (int i = 0; i < out.size(); i++) {
            HostTensor h = HostTensor.wrap(spec.outputs().get(i), out.get(i));
            double[] r = results.get(i);
            for (int j = 0; j < r.length; j++) {
                double v = r[j] + (j == 0 && corrupt.test(spec) ? 1.0 : 0.0);
                if (j == 0 && off) {
                    // Beyond any tolerance, the requantized outputs' one included, and inside the dtype's range.
                    v = h.dtype().isFloat() || r[j] + 5 <= h.dtype().maxValue() ? r[j] + 5 : r[j] - 5;
                }
                h.setDouble(j, v);
            }
        }
    }

    void checkOpen() {
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
        closed = true;
    }

    /** A prepared spec of a fake device; {@code off} when its results are to be wrong by 5. */
    record FakeKernel(FakeDevice device, OpSpec spec, boolean off) implements Kernel {
        @Override
        public void close() {
        }
    }
}
