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
 * Arguments: {@code m n k} (default 512 49 4608, ResNet-50's res5 3x3 convolution lowered), or
 * {@code b m n k} for the weights as B, {@code n x k}, and A {@code m x k} read from an NCHW input
 * (a pixel-major convolution: {@code b 49 2048 512} is ResNet-50's res5 1x1 512-2048), in cache and
 * from memory only (GemmCore does not touch a cold B: tried, it did not help). Run with the
 * module's test classpath and {@code -Xmx8g}.
 */
public final class ColdWeightsMain {
    private static final int CALLS = 40;

    private ColdWeightsMain() {
    }

    public static void main(String[] args) {
        int m = 512, n = 49, k = 4608;
        boolean asB = args.length == 4 && args[0].equals("b");
        if (args.length >= 3) {
            int o = asB ? 1 : 0;
            m = Integer.parseInt(args[o]);
            n = Integer.parseInt(args[o + 1]);
            k = Integer.parseInt(args[o + 2]);
        }
        if (asB) {
            weightsAsB(m, n, k);
            return;
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

    /** As {@link #main} with the weights as B ({@code n x k}) and A ({@code m x k}) an NCHW input. */
    private static void weightsAsB(int m, int n, int k) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        int copies = Math.max(2, (int) (160L * 1024 * 1024 / (4L * n * k)));
        PackedPanels[] bs = new PackedPanels[copies];
        for (int i = 0; i < copies; i++) {
            bs[i] = PackedPanels.asB(MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) n * k), 0, k, 1), n, k, GemmCore.KC);
        }
        MatrixView a = MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) m * k), 0, 1, m);
        MemorySegment y = arena.allocate(4L * m * n, 64);
        double flops = 2.0 * m * n * k;
        for (int round = 0; round < 5; round++) {
            double hot = medianB(m, n, k, a, new PackedPanels[] {bs[0]}, y);
            double cold = medianB(m, n, k, a, bs, y);
            System.out.printf("%d x %d x %d, weights as B (%.1f MB, %d copies): in cache %.1f us (%.0f GF/s); from memory %.1f us"
                    + " (%.0f GF/s)%n", m, n, k, 4.0 * n * k / 1e6, copies, hot / 1e3, flops / hot, cold / 1e3, flops / cold);
        }
    }

    private static double medianB(int m, int n, int k, MatrixView a, PackedPanels[] bs, MemorySegment y) {
        long[] ns = new long[CALLS];
        for (int rep = 0; rep < CALLS; rep++) {
            long t0 = System.nanoTime();
            GemmCore.multiply(m, n, k, a, bs[rep % bs.length], GemmCore.Target.floats(y, 0, n, 1f, false), true);
            ns[rep] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        return ns[CALLS / 2];
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
