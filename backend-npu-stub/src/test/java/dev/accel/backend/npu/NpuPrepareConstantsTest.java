package dev.accel.backend.npu;

import static dev.accel.backend.npu.NpuTestSupport.randomInts;
import static dev.accel.backend.npu.NpuTestSupport.scalar;
import static dev.accel.backend.npu.NpuTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Constant inputs at prepare: scales and zero points given as constants are compiled into the NPU
 * graph (static quantization), so executions bind fewer buffers and never read those parameters,
 * and the results equal those of the kernel that reads them at each execution.
 */
class NpuPrepareConstantsTest {
    private static NpuDevice device;
    private final Random random = new Random(7);
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void openDevice() {
        device = NpuTestSupport.open();
    }

    @AfterAll
    static void closeDevice() {
        NpuTestSupport.closeAndCheckNoLeak(device);
    }

    @AfterEach
    void closeTensors() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    /** QLinearConv inputs: x u8, per-tensor x params, per-channel i8 w, y params, int32 bias. */
    private List<HostTensor> convInputs() {
        return List.of(keep(randomInts(random, DType.U8, 60, 200, 1, 3, 6, 6)), keep(scalar(DType.F32, 0.04)),
                keep(scalar(DType.U8, 128)), keep(randomInts(random, DType.I8, -30, 30, 4, 3, 3, 3)),
                keep(vector(DType.F32, 0.01, 0.02, 0.015, 0.03)), keep(vector(DType.I8, 1, -2, 0, 3)),
                keep(scalar(DType.F32, 0.05)), keep(scalar(DType.U8, 120)), keep(randomInts(random, DType.I32, -900, 900, 4)));
    }

    private static OpSpec spec(Op op, List<HostTensor> in) {
        return OpSpec.of(op, in.stream().map(HostTensor::type).toList());
    }

    private static Map<Integer, HostTensor> pick(List<HostTensor> in, int... indices) {
        Map<Integer, HostTensor> m = new HashMap<>();
        for (int i : indices) {
            m.put(i, in.get(i));
        }
        return m;
    }

    /** Writes {@code in} (or, where {@code override} has an index, that tensor instead), dispatches, reads the output. */
    private HostTensor dispatch(Kernel k, List<HostTensor> in, Map<Integer, HostTensor> override) {
        List<DeviceBuffer> buffers = new ArrayList<>();
        try (Queue q = device.newQueue()) {
            for (int i = 0; i < in.size(); i++) {
                DeviceBuffer b = keep(device.allocate(in.get(i).type()));
                q.write(override.getOrDefault(i, in.get(i)), b);
                buffers.add(b);
            }
            DeviceBuffer out = keep(device.allocate(k.spec().outputs().getFirst()));
            HostTensor result = keep(HostTensor.allocate(out.type()));
            q.dispatch(k, buffers, List.of(out));
            q.read(out, result).await();
            return result;
        }
    }

    private static void assertSameBytes(HostTensor expected, HostTensor actual, String what) {
        assertEquals(-1, expected.segment().mismatch(actual.segment()), what);
    }

    @Test
    void qlinearConvWithConstantParametersMatchesTheKernelThatReadsThem() {
        List<HostTensor> in = convInputs();
        OpSpec spec = spec(new QLinearConv(Conv2d.of(1, 1, 1)), in);
        try (Kernel plain = device.prepare(spec);
             Kernel folded = device.prepare(spec, pick(in, 1, 2, 3, 4, 5, 6, 7, 8))) {
            assertEquals(9, ((NpuKernel) plain).graphInputs());
            assertEquals(3, ((NpuKernel) folded).graphInputs(), "x, w and bias stay graph inputs; the six parameters are compiled in");
            HostTensor want = dispatch(plain, in, Map.of());
            assertSameBytes(want, dispatch(folded, in, Map.of()), "QLinearConv with compiled-in parameters");
            assertTrue(((NpuKernel) folded).estimatedNanos() > 0);
        }
    }

    @Test
    void compiledInParametersAreNotReadAtExecution() {
        // White-box: the hal contract has dispatches pass the same contents; here the parameter buffers
        // hold other values, which the folded kernel must not see and the plain kernel does.
        List<HostTensor> in = convInputs();
        OpSpec spec = spec(new QLinearConv(Conv2d.of(1, 1, 1)), in);
        Map<Integer, HostTensor> other = Map.of(1, keep(scalar(DType.F32, 0.5)), 7, keep(scalar(DType.U8, 7)));
        try (Kernel plain = device.prepare(spec); Kernel folded = device.prepare(spec, pick(in, 1, 2, 4, 5, 6, 7))) {
            HostTensor want = dispatch(plain, in, Map.of());
            assertSameBytes(want, dispatch(folded, in, other), "folded kernel given other parameter buffers");
            assertTrue(dispatch(plain, in, other).segment().mismatch(want.segment()) >= 0,
                    "the plain kernel reads its parameter buffers, so other values must change its output");
        }
    }

    @Test
    void aParameterIsFoldedOnlyWhenItsScaleAndZeroPointAreBothConstant() {
        HostTensor a = keep(randomInts(random, DType.I8, -100, 100, 3, 9));
        HostTensor b = keep(randomInts(random, DType.I8, -100, 100, 9, 5));
        List<HostTensor> in = List.of(a, keep(scalar(DType.F32, 0.02)), keep(scalar(DType.I8, 1)), b,
                keep(vector(DType.F32, 0.01, 0.02, 0.01, 0.03, 0.02)), keep(vector(DType.I8, 0, 1, -1, 2, 0)),
                keep(scalar(DType.F32, 0.1)), keep(scalar(DType.I8, -3)));
        OpSpec spec = spec(new QLinearMatMul(), in);
        try (Kernel plain = device.prepare(spec);
             Kernel weightsOnly = device.prepare(spec, pick(in, 3, 4, 5));
             Kernel scaleWithoutZero = device.prepare(spec, pick(in, 1, 6))) {
            assertEquals(6, ((NpuKernel) weightsOnly).graphInputs(), "b's scale and zero point folded; a's and y's read");
            assertEquals(8, ((NpuKernel) scaleWithoutZero).graphInputs(), "a scale without its zero point is not folded");
            HostTensor want = dispatch(plain, in, Map.of());
            assertSameBytes(want, dispatch(weightsOnly, in, Map.of()), "b's parameters folded");
            assertSameBytes(want, dispatch(scaleWithoutZero, in, Map.of()), "nothing folded");
        }
    }

    @Test
    void quantizeLinearWithoutZeroPointFoldsItsScale() {
        HostTensor x = keep(NpuTestSupport.random(random, DType.F16, 3, 4, 6));
        List<HostTensor> in = List.of(x, keep(scalar(DType.F32, 0.03)));
        OpSpec spec = spec(new QuantizeLinear(1), in);
        try (Kernel plain = device.prepare(spec); Kernel folded = device.prepare(spec, pick(in, 1))) {
            assertEquals(1, ((NpuKernel) folded).graphInputs());
            assertSameBytes(dispatch(plain, in, Map.of()), dispatch(folded, in, Map.of()), "QuantizeLinear, scale folded");
        }
    }

    @Test
    void anInvalidConstantScaleIsRefusedAtPrepareByTheLibrary() {
        List<HostTensor> in = new ArrayList<>(convInputs());
        in.set(4, keep(vector(DType.F32, 0.01, 0.0, 0.015, 0.03)));
        OpSpec spec = spec(new QLinearConv(Conv2d.of(1, 1, 1)), in);
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> device.prepare(spec, pick(in, 4, 5)));
        assertTrue(e.getMessage().contains("scale 1 is 0") && e.getMessage().contains("npu:0"), e.getMessage());
    }

    @Test
    void badConstantsAreRefusedBeforeTheLibrary() {
        List<HostTensor> in = convInputs();
        OpSpec spec = spec(new QLinearConv(Conv2d.of(1, 1, 1)), in);
        long calls = NpuNative.apiCallCount();
        InvalidArgumentException range = assertThrows(InvalidArgumentException.class,
                () -> device.prepare(spec, Map.of(9, in.get(8))));
        assertTrue(range.getMessage().contains("index 9 is out of range"), range.getMessage());
        InvalidArgumentException type = assertThrows(InvalidArgumentException.class,
                () -> device.prepare(spec, Map.of(4, in.get(1))));
        assertTrue(type.getMessage().contains("constant input 4 is float32[]") && type.getMessage().contains("float32[4]"),
                type.getMessage());
        assertEquals(calls, NpuNative.apiCallCount(), "a bad constant reached libaccelnpu");
    }
}
