package dev.accel.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.Unary;
import org.junit.jupiter.api.Test;

class AnalysisTest {
    @Test
    void countsConvolutionAndGemmByTheTextbookFormulas() {
        GraphBuilder b = new GraphBuilder("tiny");
        String x = b.input("x", DType.F32, 2, 4, 9, 9);
        // Grouped 3x3, stride 2, pad 1: output [2, 6, 5, 5]; W [6, 2, 3, 3].
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 6, 2, 3, 3), 1));
        String bias = b.constant("b", Constant.splat(TensorType.of(DType.F32, 6), 0));
        String y = b.op(Conv2d.of(2, 1, 2), x, w, bias);
        String r = b.op(Unary.of(Unary.Kind.RELU), y);
        String flat = b.op(new dev.accel.hal.op.Reshape(dev.accel.hal.Shape.of(2, 150)), r);
        String fc = b.op(new Gemm(1f, 1f, false, true), flat, b.constant("fw", Constant.splat(TensorType.of(DType.F32, 10, 150), 1)));
        b.output(fc);
        Analysis a = Analysis.of(b.build());
        NodeCost conv = a.nodes().get(0);
        long convMacs = 2L * 6 * 5 * 5 * 2 * 3 * 3;
        assertEquals(convMacs, conv.macs());
        assertEquals(2 * convMacs + 2 * 6 * 5 * 5, conv.flops());
        assertEquals(6 * 2 * 3 * 3 + 6, conv.params());
        assertEquals(LayerKind.CONV, conv.kind());
        assertEquals(4L * (2 * 4 * 9 * 9 + 6 * 2 * 3 * 3 + 6), conv.bytesRead());
        assertEquals(4L * 2 * 6 * 5 * 5, conv.bytesWritten());
        NodeCost reshape = a.nodes().get(2);
        assertEquals(0, reshape.bytes(), "a reshape is a view");
        NodeCost gemm = a.nodes().get(3);
        assertEquals(2L * 10 * 150, gemm.macs());
        assertEquals(LayerKind.FULLY_CONNECTED, gemm.kind());
        NodeCost t = a.total();
        assertEquals(convMacs + 3000, t.macs());
        assertEquals(6 * 2 * 3 * 3 + 6 + 1500, t.params());
        assertEquals(114 + 1500, a.convParams() + a.fcParams());
        assertEquals(a.convFlops() + a.fcFlops() + 300, t.flops(), "the Relu adds one per element");
        assertEquals((double) t.flops() / t.bytes(), t.intensity(), 1e-12);
        String table = a.table();
        assertTrue(table.contains("total") && table.contains("convolution") && table.contains("fully connected"), table);
    }

    @Test
    void sharedConstantsCountOnce() {
        GraphBuilder b = new GraphBuilder("shared");
        String x = b.input("x", DType.F32, 1, 8);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 8, 8), 1));
        b.output(b.op(Gemm.plain(), b.op(Gemm.plain(), x, w), w));
        assertEquals(64, Analysis.of(b.build()).total().params());
    }

    @Test
    void symbolicGraphsMustBeBoundFirst() {
        GraphBuilder b = new GraphBuilder("sym");
        String x = b.input("x", DType.F32, "N", 8);
        b.output(b.op(Unary.of(Unary.Kind.RELU), x));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Analysis.of(b.build()));
        assertTrue(e.getMessage().contains("bind"), e.getMessage());
    }
}
