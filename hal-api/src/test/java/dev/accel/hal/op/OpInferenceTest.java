package dev.accel.hal.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpInferenceTest {
    private static TensorType f32(int... dims) {
        return TensorType.of(DType.F32, dims);
    }

    private static TensorType out(Op op, TensorType... in) {
        List<TensorType> o = op.inferOutputs(List.of(in));
        assertEquals(1, o.size());
        return o.get(0);
    }

    private static String error(Op op, TensorType... in) {
        return assertThrows(InvalidArgumentException.class, () -> op.inferOutputs(List.of(in))).getMessage();
    }

    @Test
    void matmulBroadcastsBatchAndHandlesVectors() {
        assertEquals(f32(2, 5, 3, 7), out(new MatMul(), f32(2, 1, 3, 4), f32(5, 4, 7)));
        assertEquals(f32(7), out(new MatMul(), f32(4), f32(4, 7)));
        assertEquals(f32(3), out(new MatMul(), f32(3, 4), f32(4)));
        assertEquals(f32(), out(new MatMul(), f32(4), f32(4)));
        String e = error(new MatMul(), f32(3, 4), f32(5, 7));
        assertTrue(e.contains("K = 4") && e.contains("K = 5"), e);
    }

    @Test
    void gemmTransposesAndChecksC() {
        assertEquals(f32(3, 5), out(new Gemm(1, 1, true, true), f32(4, 3), f32(5, 4), f32(5)));
        String e = error(Gemm.plain(), f32(3, 4), f32(4, 5), f32(2, 5));
        assertTrue(e.contains("broadcastable to [3, 5]"), e);
    }

    @Test
    void convComputesOutputSizeWithPaddingDilationAndGroups() {
        // 17x17, kernel 3, dilation 2 (span 5), stride 2, pads 1/2: (17 + 3 - 5) / 2 + 1 = 8
        Conv2d c = new Conv2d(2, 2, 1, 1, 2, 2, 2, 2, 4);
        assertEquals(f32(1, 8, 8, 8), out(c, f32(1, 8, 17, 17), f32(8, 2, 3, 3), f32(8)));
        String e = error(c, f32(1, 8, 17, 17), f32(8, 8, 3, 3));
        assertTrue(e.contains("C / groups") && e.contains("= 2"), e);
        assertThrows(InvalidArgumentException.class, () -> new Conv2d(0, 1, 0, 0, 0, 0, 1, 1, 1));
    }

    @Test
    void poolCeilModeDropsAWindowStartingInPadding() {
        // H = 5, k = 2, s = 2, no pad: floor -> 2, ceil -> 3
        Pool2d floor = new Pool2d(Pool2d.PoolKind.MAX, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false, false);
        Pool2d ceil = new Pool2d(Pool2d.PoolKind.MAX, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, true, false);
        assertEquals(f32(1, 1, 2, 2), out(floor, f32(1, 1, 5, 5)));
        assertEquals(f32(1, 1, 3, 3), out(ceil, f32(1, 1, 5, 5)));
        // H = 5, k = 2, s = 2, pad 1/1: ceil((7 - 2) / 2) + 1 = 4, but window 4 would start at 6 >= H + pad: dropped.
        Pool2d ceilPad = new Pool2d(Pool2d.PoolKind.AVERAGE, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, true, true);
        assertEquals(f32(1, 1, 3, 3), out(ceilPad, f32(1, 1, 5, 5)));
    }

    @Test
    void sliceResolvesNegativeIndicesAndSteps() {
        Slice s = new Slice(List.of(-1, 1), List.of(Integer.MIN_VALUE, 100), List.of(0, 1), List.of(-2, 3));
        Slice.Range[] r = s.resolve(Shape.of(5, 10));
        assertEquals(new Slice.Range(4, -2, 3), r[0]);
        assertEquals(new Slice.Range(1, 3, 3), r[1]);
        assertEquals(f32(3, 3), out(s, f32(5, 10)));
        assertEquals(f32(0), out(new Slice(List.of(3), List.of(1), List.of(), List.of()), f32(5)));
    }

    @Test
    void layoutOpsKeepAnyDType() {
        TensorType i64 = TensorType.of(DType.I64, 2, 3, 4);
        assertEquals(TensorType.of(DType.I64, 4, 2, 3), out(new Transpose(List.of(2, 0, 1)), i64));
        assertEquals(TensorType.of(DType.I64, 6, 4), out(new Reshape(Shape.of(6, 4)), i64));
        assertEquals(TensorType.of(DType.I64, 2, 3, 9), out(new Pad(Pad.Mode.CONSTANT, List.of(0, 0, 2, 0, 0, 3), 0f), i64));
        assertTrue(error(new Reshape(Shape.of(5, 5)), i64).contains("24 elements"));
        assertTrue(error(new Pad(Pad.Mode.REFLECT, List.of(0, 0, 4, 0, 0, 0), 0f), i64).contains("smaller than the axis length 4"));
        List<TensorType> parts = new Split(1, List.of(1, 2)).inferOutputs(List.of(i64));
        assertEquals(List.of(TensorType.of(DType.I64, 2, 1, 4), TensorType.of(DType.I64, 2, 2, 4)), parts);
        assertEquals(TensorType.of(DType.I64, 2, 7, 4), out(new Concat(-2), i64, TensorType.of(DType.I64, 2, 4, 4)));
    }

    @Test
    void quantizedOpsTakeOutputDTypeFromZeroPoint() {
        TensorType x = f32(2, 3, 4, 4);
        TensorType perChannel = f32(3);
        assertEquals(TensorType.of(DType.I8, 2, 3, 4, 4),
                out(new QuantizeLinear(1), x, perChannel, TensorType.of(DType.I8, 3)));
        assertEquals(TensorType.of(DType.U8, 2, 3, 4, 4), out(new QuantizeLinear(1), x, f32()));
        String e = error(new QuantizeLinear(1), x, f32(4));
        assertTrue(e.contains("1-D tensor of 3"), e);
        TensorType a = TensorType.of(DType.U8, 5, 8);
        TensorType b = TensorType.of(DType.I8, 8, 6);
        assertEquals(TensorType.of(DType.I32, 5, 6), out(new MatMulInteger(), a, b, TensorType.of(DType.U8),
                TensorType.of(DType.I8, 6)));
        assertEquals(TensorType.of(DType.I8, 5, 6), out(new QLinearMatMul(), a, f32(), TensorType.of(DType.U8), b, f32(6),
                TensorType.of(DType.I8, 6), f32(), TensorType.of(DType.I8)));
    }

    @Test
    void attentionChecksHeadsAndMask() {
        TensorType q = f32(2, 4, 5, 8);
        TensorType k = f32(2, 4, 7, 8);
        TensorType v = f32(2, 4, 7, 16);
        assertEquals(f32(2, 4, 5, 16), out(Attention.standard(), q, k, v, TensorType.of(DType.BOOL, 5, 7)));
        String e = error(Attention.standard(), q, k, v, f32(5, 6));
        assertTrue(e.contains("broadcastable to [2, 4, 5, 7]"), e);
        assertEquals(1 / Math.sqrt(8), Attention.standard().effectiveScale(8), 1e-12);
    }

    @Test
    void floatOpsRejectIntegersNamingTheInput() {
        String e = error(Unary.of(Unary.Kind.RELU), TensorType.of(DType.I32, 3));
        assertTrue(e.contains("Relu") && e.contains("int32[3]") && e.contains("float32"), e);
        e = error(new Binary(Binary.Kind.ADD), f32(3), TensorType.of(DType.F16, 3));
        assertTrue(e.contains("float16[3]"), e);
    }

    @Test
    void opSpecChecksOutputsAgainstInference() {
        OpSpec s = OpSpec.of(new Softmax(-1), f32(2, 3));
        assertEquals(List.of(f32(2, 3)), s.outputs());
        assertEquals("Softmax(float32[2, 3]) -> float32[2, 3]", s.toString());
        assertThrows(InvalidArgumentException.class, () -> new OpSpec(new Softmax(-1), List.of(f32(2, 3)), List.of(f32(3, 2))));
        assertEquals(OpSpec.of(new Softmax(-1), f32(2, 3)), s, "specs are values, usable as cache keys");
    }

    @Test
    void reduceMeanKeepsOrDropsAxes() {
        assertEquals(f32(2, 1, 4), out(new ReduceMean(List.of(-2), true), f32(2, 3, 4)));
        assertEquals(f32(4), out(new ReduceMean(List.of(0, 1), false), f32(2, 3, 4)));
        assertEquals(f32(), out(new ReduceMean(List.of(), false), f32(2, 3, 4)));
    }
}
