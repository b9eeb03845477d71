package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.HostEvaluator;
import dev.accel.graph.KernelOp;
import dev.accel.graph.ValueType;
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
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A test device, independent of the CPU backend, that runs the layout and simple elementwise ops
 * with the graph module's host evaluator, synchronously. It lets the runner and executor be tested
 * for what they do (prepare, allocate, write, dispatch, read, compare) whatever state the CPU
 * kernels are in. Everything else is UNSUPPORTED, with a reason.
 */
final class RefDevice implements Device {
    private static final Set<Unary.Kind> UNARY = Set.of(Unary.Kind.RELU, Unary.Kind.LEAKY_RELU, Unary.Kind.SIGMOID, Unary.Kind.TANH,
            Unary.Kind.SQRT, Unary.Kind.EXP, Unary.Kind.CLIP, Unary.Kind.HARD_SIGMOID, Unary.Kind.HARD_SWISH);

    private final DeviceInfo info = new DeviceInfo("ref:0", "host evaluator", DeviceKind.CPU, 1L << 30, true, Map.of());
    private final Arena arena = Arena.ofShared();
    private int dispatches;
    private boolean closed;

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Capabilities capabilities() {
        return spec -> runs(spec.op()) ? Support.nativeSupport()
                : Support.unsupported("the reference device has no " + spec.op().name() + " kernel");
    }

    private static boolean runs(Op op) {
        return op instanceof Identity || op instanceof Reshape || op instanceof Cast || op instanceof Binary || op instanceof Sum
                || op instanceof Concat || op instanceof Slice || op instanceof Split || op instanceof Transpose
                || op instanceof Unary u && UNARY.contains(u.kind());
    }

    @Override
    public DeviceProfile profile() {
        return new DeviceProfile(new EnumMap<>(DType.class), 1e9, 1e-6, 1e9, 1e-6, false);
    }

    /** How many kernels were dispatched so far. */
    int dispatches() {
        return dispatches;
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        MemorySegment seg = arena.allocate(Math.max(1, type.byteSize()), 64).asSlice(0, type.byteSize());
        return new Buf(type, seg);
    }

    @Override
    public Queue newQueue() {
        return new Q();
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        if (!runs(spec.op())) {
            throw new UnsupportedOpException("ref:0 cannot run " + spec);
        }
        return new K(spec);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private final class Buf implements DeviceBuffer {
        private final TensorType type;
        private final MemorySegment seg;
        private boolean bufClosed;

        Buf(TensorType type, MemorySegment seg) {
            this.type = type;
            this.seg = seg;
        }

        @Override
        public TensorType type() {
            return type;
        }

        @Override
        public Device device() {
            return RefDevice.this;
        }

        @Override
        public DeviceBuffer view(TensorType t) {
            if (t.byteSize() != type.byteSize()) {
                throw new InvalidArgumentException("view " + t + " of " + type + ": byte sizes differ");
            }
            return new Buf(t, seg);
        }

        @Override
        public boolean isClosed() {
            return bufClosed || closed;
        }

        @Override
        public void close() {
            bufClosed = true;
        }
    }

    private record K(OpSpec spec) implements Kernel {
        @Override
        public Device device() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    private final class Q implements Queue {
        private boolean qClosed;

        @Override
        public Device device() {
            return RefDevice.this;
        }

        @Override
        public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
            Checks.write(this, src, dst, dstOffset);
            MemorySegment.copy(src, 0, ((Buf) dst).seg, dstOffset, src.byteSize());
            return Fence.done();
        }

        @Override
        public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
            Checks.read(this, src, srcOffset, dst);
            MemorySegment.copy(((Buf) src).seg, srcOffset, dst, 0, dst.byteSize());
            return Fence.done();
        }

        @Override
        public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
            Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
            MemorySegment.copy(((Buf) src).seg, srcOffset, ((Buf) dst).seg, dstOffset, bytes);
            return Fence.done();
        }

        @Override
        public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
            OpSpec spec = kernel.spec();
            if (inputs.size() != spec.inputs().size() || outputs.size() != spec.outputs().size()) {
                throw new InvalidArgumentException("dispatch " + spec + ": wrong buffer counts");
            }
            List<ValueType> inTypes = new ArrayList<>();
            List<Constant> in = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                Buf b = (Buf) inputs.get(i);
                if (!b.type.equals(spec.inputs().get(i)) || b.isClosed()) {
                    throw new InvalidArgumentException("dispatch " + spec + ": input " + i + " is " + b.type);
                }
                inTypes.add(ValueType.of(b.type));
                in.add(Constant.copyOf(HostTensor.wrap(b.type, b.seg)));
            }
            List<ValueType> outTypes = spec.outputs().stream().map(ValueType::of).toList();
            List<Constant> out = HostEvaluator.evaluate(new KernelOp(spec.op()), inTypes, in, outTypes);
            if (out == null) {
                throw new UnsupportedOpException("ref:0 could not evaluate " + spec);
            }
            for (int i = 0; i < outputs.size(); i++) {
                Buf b = (Buf) outputs.get(i);
                MemorySegment.copy(out.get(i).tensor().segment(), 0, b.seg, 0, b.type.byteSize());
            }
            dispatches++;
            return Fence.done();
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
            return qClosed;
        }

        @Override
        public void close() {
            qClosed = true;
        }
    }
}
