package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A by-hand probe, not a test: the stages of a {@link DirectConv} on one core (the input copy, the
 * register tiles with their transposes into NCHW, and the transpose alone) and the whole call on all
 * cores; best of 20 rounds of 20 ms, microseconds per call. Arguments: groups of six,
 * {@code c h m k stride pad} ({@link SquareConv}). Run with the module's test classpath.
 */
public final class DirectConvMain {
    private DirectConvMain() {
    }

    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        for (SquareConv sc : SquareConv.parse(args)) {
            int c = sc.c();
            int h = sc.h();
            int m = sc.m();
            int k = sc.k();
            int oh = sc.oh();
            ConvGeom g = sc.geom();
            DirectConv dc = new DirectConv(g);
            MemorySegment x = LinalgTestSupport.floats(arena, r, (long) c * h * h);
            float[] w = dc.pack(LinalgTestSupport.floats(arena, r, (long) m * c * k * k));
            float[] bias = new float[m];
            MemorySegment y = arena.allocate(4L * m * oh * oh, 64);
            float[] xb = new float[dc.inputSize()];
            int panels = m / DirectConv.NR;
            int tiles = (oh * oh + DirectConv.TILE - 1) / DirectConv.TILE;
            MemorySegment product = arena.allocate(4L * m * oh * oh, 64);
            double copy = LinalgTestSupport.bestMicros(20, 20, () -> dc.copyInput(x, 0, xb, false));
            double tilesOne = LinalgTestSupport.bestMicros(20, 20, () -> {
                for (int pn = 0; pn < panels; pn++) {
                    dc.compute(xb, w, pn, 0, tiles, product, y, 0, bias);
                }
            });
            double transpose = LinalgTestSupport.bestMicros(20, 20, () ->
                    ConvKernels.transposeOut(product, oh * oh, m, y, 0, bias, 0, 0, m, Clamp.NONE, null));
            double all = LinalgTestSupport.bestMicros(20, 20, () -> dc.run(x, 0, w, bias, y));
            double flops = sc.flops();
            System.out.printf("c %4d h %3d m %4d k %d s %d: one core: copy %6.1f us, tiles and their transposes %7.1f us (%5.1f GFLOP/s), transpose alone %6.1f us;"
                    + " all cores %7.1f us (%5.1f GFLOP/s)%n", c, h, m, k, sc.s(), copy, tilesOne, flops / tilesOne / 1e3, transpose, all,
                    flops / all / 1e3);
        }
    }
}
