package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/**
 * A by-hand probe, not a test (like {@link LinalgBenchMain}): one GEMM with prepacked weights as A
 * (a convolution's constant weights) on all cores, its A either the same array every call (in cache,
 * as in a benchmark loop) or one of enough copies to fill 160 MB (from memory, as in a whole network,
 * whose weights do not stay in cache between one inference and the next), the latter with and
 * without {@link ReuseDistance}'s touch pass. Prints the median of 40 calls of each, five times.
 * Arguments: {@code m n k} (default 512 49 4608, ResNet-50's res5 3x3 convolution lowered). Run with
 * the module's test classpath and {@code -Xmx8g}.
 */
public final class ColdWeightsMain {
    private static final int CALLS = 40;

    private ColdWeightsMain() {
    }

    public static void main(String[] args) {
        int m = 512, n = 49, k = 4608;
        if (args.length == 3) {
            m = Integer.parseInt(args[0]);
            n = Integer.parseInt(args[1]);
            k = Integer.parseInt(args[2]);
        }
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        int copies = Math.max(2, (int) (160L * 1024 * 1024 / (4L * m * k)));
        PackedPanels[] as = new PackedPanels[copies];
        for (int i = 0; i < copies; i++) {
            as[i] = PackedPanels.asA(MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) m * k), 0, k, 1), m, k, GemmCore.KC);
        }
        MemorySegment b = LinalgTestSupport.floats(arena, r, (long) k * n);
        MemorySegment y = arena.allocate(4L * m * n, 64);
        MatrixView bt = MatrixView.f32(b, 0, 1, n);
        double flops = 2.0 * m * n * k;
        for (int round = 0; round < 5; round++) {
            double hot = median(m, n, k, new PackedPanels[] {as[0]}, bt, y);
            double touched = median(m, n, k, as, bt, y);
            ReuseDistance.enabled = false;
            double untouched = median(m, n, k, as, bt, y);
            ReuseDistance.enabled = true;
            System.out.printf("%d x %d x %d (A %.1f MB, %d copies): A in cache %.1f us (%.0f GF/s); from memory, touched first %.1f us"
                    + " (%.0f GF/s), not %.1f us (%.0f GF/s)%n", m, n, k, 4.0 * m * k / 1e6, copies, hot / 1e3, flops / hot,
                    touched / 1e3, flops / touched, untouched / 1e3, flops / untouched);
        }
    }

    /** Median nanoseconds of {@link #CALLS} products, A taken from {@code as} in turn. */
    private static double median(int m, int n, int k, PackedPanels[] as, MatrixView bt, MemorySegment y) {
        long[] ns = new long[CALLS];
        for (int rep = 0; rep < CALLS; rep++) {
            long t0 = System.nanoTime();
            GemmCore.multiply(m, n, k, as[rep % as.length], bt, GemmCore.Target.floats(y, 0, n, 1f, false), true);
            ns[rep] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        return ns[CALLS / 2];
    }
}
