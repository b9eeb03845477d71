package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A by-hand probe, not a test: the GEMM of a pixel-major convolution ({@code positions x K} times
 * {@code K x channels}, weights packed ahead as B) with A read from an NCHW input (packed per call)
 * or packed ahead, on all cores and on one, and the packing of A alone; best of 20 rounds of 20 ms,
 * microseconds per call.
 * Arguments: triples {@code positions k channels}. Run with the module's test classpath.
 */
public final class PixelMajorMain {
    private PixelMajorMain() {
    }

    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        for (int i = 0; i + 2 < args.length; i += 3) {
            int m = Integer.parseInt(args[i]);
            int k = Integer.parseInt(args[i + 1]);
            int n = Integer.parseInt(args[i + 2]);
            MatrixView x = MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) m * k), 0, 1, m);
            PackedPanels xa = PackedPanels.asA(x, m, k, GemmCore.KC);
            PackedPanels w = PackedPanels.asB(MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) n * k), 0, k, 1), n, k, GemmCore.KC);
            MemorySegment y = arena.allocate(4L * m * n, 64);
            GemmCore.Target t = GemmCore.Target.floats(y, 0, n, 1f, false);
            double perCall = LinalgTestSupport.bestMicros(20, 20, () -> GemmCore.multiply(m, n, k, x, w, t, true));
            double ahead = LinalgTestSupport.bestMicros(20, 20, () -> GemmCore.multiply(m, n, k, xa, w, t, true));
            double one = LinalgTestSupport.bestMicros(20, 20, () -> GemmCore.multiply(m, n, k, x, w, t, false));
            float[] buf = new float[(m + 5) / 6 * 6 * k];
            double packOne = LinalgTestSupport.bestMicros(20, 20, () -> PackedPanels.asA(x, m, k, GemmCore.KC));
            double packLoop = LinalgTestSupport.bestMicros(20, 20, () -> {
                for (int pc = 0; pc < k; pc += GemmCore.KC) {
                    int kb = Math.min(GemmCore.KC, k - pc);
                    for (int r0 = 0; r0 < m; r0 += 6) {
                        x.packColumns(buf, pc * ((m + 5) / 6 * 6) + r0 * kb, r0, Math.min(6, m - r0), 6, pc, kb);
                    }
                }
            });
            System.out.printf("packing A on one core: as PackedPanels %.1f us, panel by panel into one buffer %.1f us%n", packOne, packLoop);
            double flops = 2.0 * m * n * k;
            System.out.printf("%4d x %4d times %4d x %4d: A packed per call %7.1f us (%5.1f GFLOP/s), ahead %7.1f us (%5.1f), one core %7.1f us (%5.1f)%n",
                    m, k, k, n, perCall, flops / perCall / 1e3, ahead, flops / ahead / 1e3, one, flops / one / 1e3);
        }
    }
}
