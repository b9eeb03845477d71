package dev.accel.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Unary;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchNormFoldingTest {
    @Test
    void foldedConvolutionComputesWhatConvThenBatchNormComputes() {
        int n = 1;
        int c = 4;
        int h = 5;
        int w = 6;
        int m = 6;
        Conv2d geo = new Conv2d(1, 2, 1, 0, 0, 1, 1, 1, 2);
        double[] wt = RefMath.seeded(m * (c / 2) * 3 * 3, 1);
        double[] bias = RefMath.seeded(m, 2);
        double[] scale = RefMath.seeded(m, 3);
        double[] shift = RefMath.seeded(m, 4);
        double[] mean = RefMath.seeded(m, 5);
        double[] var = RefMath.seeded(m, 6);
        for (int i = 0; i < m; i++) {
            var[i] = Math.abs(var[i]) + 0.1;
        }
        float eps = 1e-3f;
        GraphBuilder b = new GraphBuilder("convbn");
        String x = b.input("x", DType.F32, n, c, h, w);
        String y = b.op(geo, x, b.constant("w", Constant.ofDoubles(DType.F32, Shape.of(m, c / 2, 3, 3), wt)),
                b.constant("b", Constant.ofDoubles(DType.F32, Shape.of(m), bias)));
        String z = b.op(new BatchNorm(eps), y, b.constant("s", Constant.ofDoubles(DType.F32, Shape.of(m), scale)),
                b.constant("t", Constant.ofDoubles(DType.F32, Shape.of(m), shift)),
                b.constant("mu", Constant.ofDoubles(DType.F32, Shape.of(m), mean)),
                b.constant("var", Constant.ofDoubles(DType.F32, Shape.of(m), var)));
        b.output(b.op(Unary.of(Unary.Kind.RELU), z));
        Graph g = b.build();
        Graph f = new BatchNormFolding().apply(g);
        assertEquals(List.of("Conv", "Relu"), f.nodes().stream().map(nd -> nd.op().name()).toList());
        Node conv = f.nodes().get(0);
        assertEquals(z, conv.outputs().get(0), "the convolution takes over the normalisation's output name");

        double[] input = RefMath.seeded(n * c * h * w, 7);
        double[] ref = RefMath.conv(input, n, c, h, w, wt, m, 3, 3, bias, geo);
        int plane = ref.length / m;
        for (int i = 0; i < ref.length; i++) {
            int ch = i / plane % m;
            ref[i] = (ref[i] - mean[ch]) / Math.sqrt(var[ch] + eps) * scale[ch] + shift[ch];
        }
        double[] got = RefMath.conv(input, n, c, h, w, RefMath.values(f.constant(conv.inputs().get(1))), m, 3, 3,
                RefMath.values(f.constant(conv.inputs().get(2))), geo);
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], got[i], 1e-4, "element " + i);
        }
        assertEquals(f.constants().size(), 2, "the old weights and parameters are gone");
    }

    @Test
    void splatParametersGiveSplatResults() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 1, 3, 8, 8);
        TensorType vec = TensorType.of(DType.F32, 16);
        String y = b.op(Conv2d.simple(), x, b.constant("w", Constant.splat(TensorType.of(DType.F32, 16, 3, 1, 1), 2)));
        b.output(b.op(new BatchNorm(0f), y, b.constant("s", Constant.splat(vec, 3)), b.constant("t", Constant.splat(vec, 1)),
                b.constant("mu", Constant.splat(vec, 0.5)), b.constant("v", Constant.splat(vec, 4))));
        Graph f = new BatchNormFolding().apply(b.build());
        Node conv = f.nodes().get(0);
        Constant nw = f.constant(conv.inputs().get(1));
        Constant nb = f.constant(conv.inputs().get(2));
        assertTrue(nw.isSplat() && nb.isSplat());
        assertEquals(2 * 3 / 2.0, nw.splatValue(), 1e-6);
        assertEquals((0 - 0.5) * 1.5 + 1, nb.splatValue(), 1e-6);
    }

    @Test
    void aConvolutionReadByOthersIsNotFolded() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 1, 2, 4, 4);
        TensorType vec = TensorType.of(DType.F32, 2);
        String y = b.op(Conv2d.simple(), x, b.constant("w", Constant.splat(TensorType.of(DType.F32, 2, 2, 1, 1), 1)));
        String z = b.op(new BatchNorm(0f), y, b.constant("s", Constant.splat(vec, 1)), b.constant("t", Constant.splat(vec, 0)),
                b.constant("mu", Constant.splat(vec, 0)), b.constant("v", Constant.splat(vec, 1)));
        b.output(z, y);
        Graph g = b.build();
        assertTrue(new BatchNormFolding().apply(g) == g);
    }
}
