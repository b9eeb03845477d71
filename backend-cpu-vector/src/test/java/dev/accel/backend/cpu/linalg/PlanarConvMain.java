package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A by-hand probe, not a test: the stages of a {@link PlanarConv} on one core (the phase copy of
 * the whole input and the tiles of every output row, as one band) and the whole call on all cores;
 * best of 20 rounds of 20 ms, microseconds per call. Arguments: groups of six,
 * {@code c h m k stride pad} ({@link SquareConv}). Run with the module's test classpath.
 */
public final class PlanarConvMain {
    private PlanarConvMain() {
    }

    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        for (SquareConv sc : SquareConv.parse(args)) {
            ConvGeom g = sc.geom();
            PlanarConv one = new PlanarConv(g, 1);
            PlanarConv pc = new PlanarConv(g);
            MemorySegment x = LinalgTestSupport.floats(arena, r, (long) sc.c() * sc.h() * sc.h());
            float[] w = pc.pack(LinalgTestSupport.floats(arena, r, (long) sc.m() * sc.c() * sc.k() * sc.k()));
            float[] bias = new float[sc.m()];
            MemorySegment y = arena.allocate(4L * sc.m() * sc.oh() * sc.oh(), 64);
            float[] xb = new float[one.inputSize()];
            double copy = LinalgTestSupport.bestMicros(20, 20, () -> one.copyBand(x, 0, xb, 0, g.oh()));
            double tiles = LinalgTestSupport.bestMicros(20, 20, () -> one.computeBand(xb, w, bias, 0, g.oh(), y, 0));
            double all = LinalgTestSupport.bestMicros(20, 20, () -> pc.run(x, 0, w, bias, y));
            double flops = sc.flops();
            System.out.printf("c %d h %3d m %3d k %d s %d: one core: copy %6.1f us, tiles %7.1f us (%5.1f GFLOP/s); all cores %7.1f us"
                    + " (%5.1f GFLOP/s)%n", sc.c(), sc.h(), sc.m(), sc.k(), sc.s(), copy, tiles, flops / tiles / 1e3, all, flops / all / 1e3);
        }
    }
}
