package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * Cross-backend contracts for bad input: each bad call throws a typed exception whose message names
 * the problem and the values involved. Written once, run against every device (and a fake one).
 */
final class BadInputContracts {
    private static final TensorType T = TensorType.of(DType.F32, 2, 3);
    private static final TensorType H = TensorType.of(DType.F16, 2, 3);
    /** Float32 first; float16 for devices without float32 (NPUs). */
    private static final List<OpSpec> CANDIDATES = List.of(OpSpec.of(new Binary(Binary.Kind.ADD), T, T),
            OpSpec.of(Unary.of(Unary.Kind.RELU), T), OpSpec.of(new Identity(), T),
            OpSpec.of(new Binary(Binary.Kind.ADD), H, H), OpSpec.of(Unary.of(Unary.Kind.RELU), H));

    private BadInputContracts() {
    }

    /**
     * The contracts for {@code device}; {@code another} opens a second device object of the same
     * backend (the caller's to close is the returned one: the tests close it).
     */
    static Stream<DynamicTest> all(Device device, Supplier<Device> another) {
        return Stream.of(
                dynamicTest("dispatch: wrong shape", () -> withKernel(device, (k, q, in, out) -> {
                    DType d = in.getFirst().type().dtype();
                    List<DeviceBuffer> bad = replace(in, 0, device.allocate(TensorType.of(d, 3, 2)));
                    expect(InvalidArgumentException.class, () -> q.dispatch(k, bad, out), "input 0",
                            d.displayName() + "[3, 2]", d.displayName() + "[2, 3]");
                })),
                dynamicTest("dispatch: mismatched dtype", () -> withKernel(device, (k, q, in, out) -> {
                    DType d = in.getFirst().type().dtype();
                    DType other = d == DType.F16 ? DType.F32 : DType.F16;
                    List<DeviceBuffer> bad = replace(in, 0, device.allocate(TensorType.of(other, 2, 3)));
                    expect(InvalidArgumentException.class, () -> q.dispatch(k, bad, out), "input 0",
                            other.displayName() + "[2, 3]", d.displayName() + "[2, 3]");
                })),
                dynamicTest("dispatch: wrong output type", () -> withKernel(device, (k, q, in, out) -> {
                    DType d = out.getFirst().type().dtype();
                    List<DeviceBuffer> bad = replace(out, 0, device.allocate(TensorType.of(d, 6)));
                    expect(InvalidArgumentException.class, () -> q.dispatch(k, in, bad), "output 0",
                            d.displayName() + "[6]", d.displayName() + "[2, 3]");
                })),
                dynamicTest("dispatch: wrong number of buffers", () -> withKernel(device, (k, q, in, out) -> {
                    List<DeviceBuffer> more = new ArrayList<>(in);
                    more.add(in.getFirst());
                    expect(InvalidArgumentException.class, () -> q.dispatch(k, more, out), "got " + more.size() + " inputs",
                            "has " + in.size());
                })),
                dynamicTest("dispatch: null buffer", () -> withKernel(device, (k, q, in, out) -> {
                    List<DeviceBuffer> bad = Arrays.asList(in.toArray(DeviceBuffer[]::new));
                    bad.set(0, null);
                    expect(InvalidArgumentException.class, () -> q.dispatch(k, bad, out), "input 0 is null");
                })),
                dynamicTest("dispatch: closed buffer", () -> withKernel(device, (k, q, in, out) -> {
                    DeviceBuffer closed = device.allocate(in.getFirst().type());
                    closed.close();
                    expect(InvalidArgumentException.class, () -> q.dispatch(k, replace(in, 0, closed), out), "input 0",
                            "closed", in.getFirst().type().toString());
                })),
                dynamicTest("dispatch: buffer of another device", () -> twoDevices(device, another, (q, other) -> {
                    try (Kernel k = prepareAny(device)) {
                        List<DeviceBuffer> in = buffers(device, k.spec().inputs());
                        List<DeviceBuffer> out = buffers(device, k.spec().outputs());
                        List<DeviceBuffer> bad = replace(in, 0, other.allocate(in.getFirst().type()));
                        expect(InvalidArgumentException.class, () -> q.dispatch(k, bad, out), "input 0",
                                "belongs to device " + other.info().id(), device.info().id());
                    }
                })),
                dynamicTest("dispatch: kernel of another device", () -> twoDevices(device, another, (q, other) -> {
                    try (Kernel foreign = prepareAny(other)) {
                        List<DeviceBuffer> in = buffers(device, foreign.spec().inputs());
                        List<DeviceBuffer> out = buffers(device, foreign.spec().outputs());
                        expect(InvalidArgumentException.class, () -> q.dispatch(foreign, in, out), "kernel was prepared on "
                                + other.info().id());
                    }
                })),
                dynamicTest("write and copy: buffer of another device", () -> twoDevices(device, another, (q, other) -> {
                    DeviceBuffer mine = device.allocate(T);
                    DeviceBuffer theirs = other.allocate(T);
                    try (HostTensor h = HostTensor.allocate(T)) {
                        expect(InvalidArgumentException.class, () -> q.write(h, theirs), "destination",
                                "belongs to device " + other.info().id());
                        expect(InvalidArgumentException.class, () -> q.copy(mine, theirs), "destination",
                                "belongs to device " + other.info().id());
                    }
                })),
                dynamicTest("write: host tensor of another type", () -> withQueue(device, q -> {
                    DeviceBuffer b = device.allocate(T);
                    try (HostTensor h = HostTensor.allocate(DType.F32, 3, 2)) {
                        expect(InvalidArgumentException.class, () -> q.write(h, b), "float32[3, 2]", "float32[2, 3]");
                    }
                })),
                dynamicTest("write and read: ranges past the end", () -> withQueue(device, q -> {
                    DeviceBuffer b = device.allocate(T);
                    try (HostTensor big = HostTensor.allocate(DType.U8, 28); HostTensor four = HostTensor.allocate(DType.U8, 4)) {
                        expect(InvalidArgumentException.class, () -> q.write(big.segment(), b, 0), "28 bytes", "24 bytes");
                        expect(InvalidArgumentException.class, () -> q.read(b, 24, four.segment()), "offset 24", "24 bytes");
                        expect(InvalidArgumentException.class, () -> q.write(four.segment(), b, -4), "offset -4");
                    }
                })),
                dynamicTest("write, read and copy: null or closed buffers", () -> withQueue(device, q -> {
                    DeviceBuffer open = device.allocate(T);
                    DeviceBuffer closed = device.allocate(T);
                    closed.close();
                    try (HostTensor h = HostTensor.allocate(T)) {
                        expect(InvalidArgumentException.class, () -> q.write(h.segment(), null, 0), "destination is null");
                        expect(InvalidArgumentException.class, () -> q.write(h, closed), "destination", "closed", "float32[2, 3]");
                        expect(InvalidArgumentException.class, () -> q.read(closed, h), "source", "closed");
                        expect(InvalidArgumentException.class, () -> q.copy(null, 0, open, 0, 4), "source is null");
                        expect(InvalidArgumentException.class, () -> q.copy(open, closed), "destination", "closed");
                    }
                })),
                dynamicTest("queue used after close", () -> {
                    Queue q = device.newQueue();
                    DeviceBuffer b = device.allocate(T);
                    try (HostTensor h = HostTensor.allocate(T)) {
                        q.close();
                        String id = device.info().id();
                        expect(IllegalStateException.class, () -> q.write(h, b), "closed", id);
                        expect(IllegalStateException.class, () -> q.read(b, h), "closed", id);
                        expect(IllegalStateException.class, () -> q.copy(b, b), "closed", id);
                        expect(IllegalStateException.class, q::marker, "closed", id);
                        expect(IllegalStateException.class, () -> q.waitFor(Fence.done()), "closed", id);
                        assertTrue(q.isClosed());
                        q.close();
                    } finally {
                        b.close();
                    }
                }),
                dynamicTest("closed device refuses to allocate", () -> {
                    Device other = another.get();
                    other.close();
                    assertTrue(other.isClosed());
                    expect(IllegalStateException.class, () -> other.allocate(T), other.info().id(), "closed");
                    other.close();
                }),
                dynamicTest("prepare: constants out of range or of the wrong type", () -> badConstants(device)),
                dynamicTest("unsupported specs are refused at prepare", () -> unsupported(device)));
    }

    /**
     * Constants given to prepare with an index outside the spec's inputs, or a type other than the
     * input's, are refused with InvalidArgumentException naming the index and the types, on a spec
     * with weights the device runs (MatMul in float32, else float16).
     */
    private static void badConstants(Device device) {
        OpSpec spec = null;
        for (DType d : List.of(DType.F32, DType.F16)) {
            OpSpec s = OpSpec.of(new MatMul(), TensorType.of(d, 2, 3), TensorType.of(d, 3, 4));
            if (device.capabilities().support(s).runnable()) {
                spec = s;
                break;
            }
        }
        assertTrue(spec != null, device.info().id() + " runs MatMul in neither float32 nor float16");
        OpSpec mm = spec;
        DType d = mm.inputs().getFirst().dtype();
        String n = d.displayName();
        DType other = d == DType.F16 ? DType.F32 : DType.F16;
        try (HostTensor w = HostTensor.allocate(mm.inputs().get(1));
             HostTensor transposed = HostTensor.allocate(d, 4, 3);
             HostTensor otherType = HostTensor.allocate(other, 3, 4)) {
            expect(InvalidArgumentException.class, () -> device.prepare(mm, Map.of(2, w)),
                    "constant input index 2 is out of range", "2 inputs");
            expect(InvalidArgumentException.class, () -> device.prepare(mm, Map.of(-1, w)),
                    "constant input index -1 is out of range");
            expect(InvalidArgumentException.class, () -> device.prepare(mm, Map.of(1, transposed)),
                    "constant input 1", n + "[4, 3]", n + "[3, 4]");
            expect(InvalidArgumentException.class, () -> device.prepare(mm, Map.of(1, otherType)),
                    "constant input 1", other.displayName() + "[3, 4]", n + "[3, 4]");
            try (Kernel k = device.prepare(mm, Map.of(1, w))) {
                assertEquals(mm, k.spec(), "prepare with valid constants");
            }
        }
    }

    /** A body run with a prepared kernel, a queue and valid buffers for it. */
    @FunctionalInterface
    interface KernelBody {
        void run(Kernel k, Queue q, List<DeviceBuffer> in, List<DeviceBuffer> out) throws Throwable;
    }

    @FunctionalInterface
    interface QueueBody {
        void run(Queue q) throws Throwable;
    }

    @FunctionalInterface
    interface TwoDeviceBody {
        void run(Queue q, Device other) throws Throwable;
    }

    /** The first of a few simple specs (float32, else float16) that the device prepares. */
    static Kernel prepareAny(Device d) {
        List<String> why = new ArrayList<>();
        for (OpSpec s : CANDIDATES) {
            if (!d.capabilities().support(s).runnable()) {
                why.add(s + ": " + d.capabilities().support(s));
                continue;
            }
            try {
                return d.prepare(s);
            } catch (RuntimeException e) {
                why.add(s + ": " + e);
            }
        }
        throw new AssertionError("cannot check dispatch: " + d.info().id() + " prepares none of " + CANDIDATES + ": " + why);
    }

    private static List<DeviceBuffer> buffers(Device d, List<TensorType> types) {
        return types.stream().map(d::allocate).toList();
    }

    private static List<DeviceBuffer> replace(List<DeviceBuffer> list, int i, DeviceBuffer b) {
        List<DeviceBuffer> r = new ArrayList<>(list);
        r.set(i, b);
        return r;
    }

    private static void withQueue(Device device, QueueBody body) throws Throwable {
        Queue q = device.newQueue();
        try {
            body.run(q);
        } finally {
            q.close();
        }
    }

    private static void withKernel(Device device, KernelBody body) throws Throwable {
        try (Kernel k = prepareAny(device)) {
            withQueue(device, q -> body.run(k, q, buffers(device, k.spec().inputs()), buffers(device, k.spec().outputs())));
        }
    }

    private static void twoDevices(Device device, Supplier<Device> another, TwoDeviceBody body) throws Throwable {
        Device other = another.get();
        try {
            assertTrue(other != device, "the backend opened the same device object twice");
            withQueue(device, q -> body.run(q, other));
        } finally {
            other.close();
        }
    }

    /** Asserts that {@code call} throws {@code type} with a message containing every fragment. */
    static void expect(Class<? extends Throwable> type, Executable call, String... fragments) {
        Throwable t = assertThrows(type, call);
        String m = String.valueOf(t.getMessage());
        for (String f : fragments) {
            assertTrue(m.contains(f), () -> type.getSimpleName() + " message does not name '" + f + "': " + m);
        }
    }

    /**
     * Every spec the suite uses that the device calls UNSUPPORTED must throw UnsupportedOpException
     * at prepare, naming the op; when the device supports all of them, every one must prepare.
     */
    private static void unsupported(Device device) {
        Set<OpSpec> specs = new LinkedHashSet<>();
        for (ConformanceCase c : ConformanceSuite.cases()) {
            if (c instanceof OpCase oc) {
                specs.addAll(oc.steps());
            }
        }
        int refused = 0;
        List<String> problems = new ArrayList<>();
        for (OpSpec s : specs) {
            boolean runnable = device.capabilities().support(s).runnable();
            try (Kernel k = device.prepare(s)) {
                if (!runnable) {
                    problems.add(s + ": capabilities say UNSUPPORTED but prepare returned " + k);
                }
            } catch (UnsupportedOpException e) {
                if (runnable) {
                    problems.add(s + ": capabilities say " + device.capabilities().support(s) + " but prepare threw " + e);
                } else {
                    refused++;
                    if (!e.getMessage().contains(s.op().name())) {
                        problems.add(s + ": the UnsupportedOpException does not name the op: " + e.getMessage());
                    }
                }
            } catch (RuntimeException e) {
                problems.add(s + ": prepare threw " + e);
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " of " + specs.size() + " specs broke the prepare contract on " + device.info().id()
                    + "; the first: \n" + String.join("\n", problems.subList(0, Math.min(10, problems.size()))));
        }
        assertEquals(specs.size() - refused, specs.stream().filter(s -> device.capabilities().support(s).runnable()).count());
    }
}
