package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;

/**
 * A by-hand probe, not a test (like {@link LinalgBenchMain}): for a few im2col convolutions, the
 * whole convolution (padded copy, lowered input packed per call, GEMM) against the same GEMM with B
 * packed ahead and with B a row-major matrix read at run time, on all cores; the gap is what the
 * lowering costs. Also the padded copy alone ({@link PaddedImage#fill}) on one thread. Best of 15
 * rounds of 30 ms each. Run with the module's test classpath:
 * {@code java --add-modules jdk.incubator.vector -cp CLASSES:TEST_CLASSES:HAL_API_JAR
 * dev.accel.backend.cpu.linalg.LoweringCostMain}.
 */
public final class LoweringCostMain {
    private LoweringCostMain() {
    }

    private static double time(Runnable r) {
        return LinalgTestSupport.bestMicros(15, 30, r);
    }
    public static void main(String[] args) {
        // name, input channels, input size, output channels, kernel size, stride, padding
        Object[][] cases = {{"res3.3x3s2.128", 128, 56, 128, 3, 2, 1}, {"res2.3x3.64 im2col", 64, 56, 64, 3, 1, 1},
            {"conv1.7x7s2", 3, 224, 64, 7, 2, 3}, {"fire2.3x3.16-64", 16, 55, 64, 3, 1, 1}, {"sq.conv1.3x3s2", 3, 224, 64, 3, 2, 0},
            {"res5.3x3.512 im2col", 512, 7, 512, 3, 1, 1}, {"fire9.3x3.64-256 im2col", 64, 13, 256, 3, 1, 1},
            {"res5.3x3s2.512", 512, 14, 512, 3, 2, 1}, {"res4.3x3s2.256", 256, 28, 256, 3, 2, 1}};
        for (Object[] c : cases) {
            run((String) c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4], (int) c[5], (int) c[6]);
        }
    }

    private static void run(String name, int c, int h, int m, int k, int s, int pad) {
        Conv2d g2 = Conv2d.of(s, pad, 1);
        OpSpec spec = OpSpec.of(g2, TensorType.of(DType.F32, 1, c, h, h), TensorType.of(DType.F32, m, c, k, k), TensorType.of(DType.F32, m));
        var ys = spec.outputs().get(0).shape();
        int n = (int) (ys.numel() / m);
        int kk = c * k * k;
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        MemorySegment x = LinalgTestSupport.floats(arena, r, (long) c * h * h);
        MemorySegment w = LinalgTestSupport.floats(arena, r, (long) m * kk);
        MemorySegment b = LinalgTestSupport.floats(arena, r, m);
        MemorySegment y = arena.allocate(4L * m * n, 64);
        CpuOp op = ConvKernels.conv2d(spec, g2, Map.of(1, w, 2, b), Winograd.Mode.IM2COL);
        MemorySegment[] in = {x, w, b};
        MemorySegment[] out = {y};
        PackedPanels pa = PackedPanels.asA(MatrixView.f32(w, 0, kk, 1), m, kk, GemmCore.KC);
        MemorySegment bm = LinalgTestSupport.floats(arena, r, (long) kk * n);
        PackedPanels pb = PackedPanels.asB(MatrixView.f32(bm, 0, 1, n), n, kk, GemmCore.KC);
        double flops = 2.0 * m * n * kk;
        double tc = time(() -> op.run(in, out));
        double tg = time(() -> GemmCore.multiply(m, n, kk, pa, pb, GemmCore.Target.floats(y, 0, n, 1f, false), true));
        double tr = time(() -> GemmCore.multiply(m, n, kk, pa, MatrixView.f32(bm, 0, 1, n), GemmCore.Target.floats(y, 0, n, 1f, false), true));
        ConvGeom cg = new ConvGeom(1, c, h, h, m, k, k, (int) ys.dim(2), (int) ys.dim(3), 1, s, s, pad, pad, 1, 1);
        float[] padded = new float[PaddedImage.size(cg)];
        float[] row = new float[PaddedImage.rowScratch(cg)];
        double tf = time(() -> PaddedImage.fill(padded, row, cg, x, 0, false, false, 0, 0, c));
        System.out.printf("%-20s conv %7.1f us (%5.1f GF/s) | same GEMM, B packed ahead %7.1f us (%5.1f) | B row-major at run time %7.1f us (%5.1f)"
                + " | padded copy, one thread %6.1f us%n", name, tc, flops / tc / 1e3, tg, flops / tg / 1e3, tr, flops / tr / 1e3, tf);
    }
}
