package dev.accel.backend.npu;

import static dev.accel.backend.npu.NpuTestSupport.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the NPU claims, and that what it does not claim is refused with the reason. */
class NpuCapabilitiesTest {
    private static NpuDevice device;

    @BeforeAll
    static void open() {
        device = NpuTestSupport.open();
    }

    @AfterAll
    static void close() {
        NpuTestSupport.closeAndCheckNoLeak(device);
    }

    private static Support support(OpSpec spec) {
        return device.capabilities().support(spec);
    }

    static Stream<Arguments> nativeSpecs() {
        TensorType x = type(DType.F16, 1, 4, 8, 8);
        TensorType m = type(DType.F16, 4, 4);
        return Stream.of(
                OpSpec.of(Conv2d.of(1, 1, 4), x, type(DType.F16, 4, 1, 3, 3)),
                OpSpec.of(new MatMul(), m, m),
                OpSpec.of(Gemm.plain(), m, m, type(DType.F16, 4)),
                OpSpec.of(new Binary(Binary.Kind.ADD), m, m),
                OpSpec.of(new Binary(Binary.Kind.MUL), m, type(DType.F16, 4)),
                OpSpec.of(Unary.of(Unary.Kind.RELU), m),
                OpSpec.of(Unary.clip(0, 6), m),
                OpSpec.of(Unary.of(Unary.Kind.HARD_SWISH), m),
                OpSpec.of(Pool2d.max(2, 2, 0), x),
                OpSpec.of(Pool2d.average(3, 1, 1, true), x),
                OpSpec.of(new GlobalAveragePool(), x),
                OpSpec.of(new Softmax(-1), m),
                OpSpec.of(new QuantizeLinear(1), x, type(DType.F32, 4), type(DType.I8, 4)),
                OpSpec.of(new QLinearMatMul(), type(DType.U8, 2, 3), type(DType.F32), type(DType.U8),
                        type(DType.I8, 3, 5), type(DType.F32, 5), type(DType.I8, 5), type(DType.F32), type(DType.I8)))
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("nativeSpecs")
    void claimsItsSubsetAsNative(OpSpec spec) {
        assertEquals(Support.Level.NATIVE, support(spec).level(), spec.toString());
    }

    static Stream<Arguments> float32Specs() {
        TensorType x = type(DType.F32, 1, 2, 5, 5);
        TensorType m = type(DType.F32, 3, 3);
        return Stream.of(OpSpec.of(Conv2d.simple(), x, type(DType.F32, 2, 2, 3, 3)), OpSpec.of(new MatMul(), m, m),
                OpSpec.of(Gemm.plain(), m, m), OpSpec.of(new Binary(Binary.Kind.ADD), m, m),
                OpSpec.of(Unary.of(Unary.Kind.RELU), m), OpSpec.of(Pool2d.max(2, 1, 0), x),
                OpSpec.of(new GlobalAveragePool(), x), OpSpec.of(new Softmax(0), m),
                OpSpec.of(new QuantizeLinear(0), m, type(DType.F32), type(DType.I8))).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("float32Specs")
    void neverRunsFloat32(OpSpec spec) {
        Support s = support(spec);
        assertEquals(Support.Level.UNSUPPORTED, s.level(), spec.toString());
        assertEquals(NpuCapabilities.F32_REASON, s.reason());
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> device.prepare(spec));
        assertTrue(e.getMessage().contains("npu:0 cannot run " + spec) && e.getMessage().contains("allow FP16"),
                e.getMessage());
    }

    @Test
    void refusesOtherOpsAndDtypesWithTheirReasons() {
        TensorType m = type(DType.F16, 3, 3);
        assertReason(OpSpec.of(new Binary(Binary.Kind.SUB), m, m), "no Sub", "Add and Mul");
        assertReason(OpSpec.of(Unary.of(Unary.Kind.SIGMOID), m), "no Sigmoid", "Relu, Clip and HardSwish");
        assertReason(OpSpec.of(Unary.of(Unary.Kind.GELU_TANH), m), "tanh approximation");
        assertReason(OpSpec.of(new Transpose(List.of(1, 0)), m), "no Transpose unit", "QLinearConv");
        assertReason(OpSpec.of(new LayerNorm(-1, 1e-5f), m, type(DType.F16, 3), type(DType.F16, 3)), "no LayerNorm");
        assertReason(OpSpec.of(new Reshape(dev.accel.hal.Shape.of(9)), m), "no Reshape");
        assertReason(OpSpec.of(new Cast(DType.F32), m), "no Cast");
        assertReason(OpSpec.of(new DequantizeLinear(0), type(DType.I8, 4), type(DType.F32)), "float32",
                "dequantize on another device");
        assertReason(OpSpec.of(new MatMul(), type(DType.BF16, 2, 2), type(DType.BF16, 2, 2)), "no bfloat16");
        assertReason(OpSpec.of(new Softmax(0), type(DType.F16, 1, 1, 1, 1, 1, 1, 1, 1, 2)), "rank 9", "rank <= 8");
    }

    private static void assertReason(OpSpec spec, String... fragments) {
        Support s = support(spec);
        assertEquals(Support.Level.UNSUPPORTED, s.level(), spec.toString());
        for (String f : fragments) {
            assertTrue(s.reason().contains(f), "reason for " + spec + " is '" + s.reason() + "', lacks '" + f + "'");
        }
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> device.prepare(spec));
        assertTrue(e.getMessage().endsWith(s.reason()), e.getMessage());
    }

    @Test
    void everyNativeSpecAlsoCompilesInTheLibrary() {
        // The capability claims must agree with what the library's compiler accepts.
        List<OpSpec> specs = nativeSpecs().map(a -> (OpSpec) a.get()[0]).toList();
        for (OpSpec spec : specs) {
            device.prepare(spec).close();
        }
        assertEquals(14, specs.size());
    }
}
