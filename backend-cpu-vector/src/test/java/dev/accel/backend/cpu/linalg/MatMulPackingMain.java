package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A by-hand probe, not a test (like {@link GemmShapesMain}): a square float GEMM {@code n x n} on
 * all cores as MatMul runs it (both operands packed per call), and with A, B or both packed ahead,
 * to show what packing costs at each size. Best of 10 rounds of 50 ms, microseconds per call, three
 * times. Arguments: sizes {@code n} (default 512 1024 2048). Run with the module's test classpath.
 */
public final class MatMulPackingMain {
    private MatMulPackingMain() {
    }

    public static void main(String[] args) {
        String[] sizes = args.length > 0 ? args : new String[] {"512", "1024", "2048"};
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        for (String size : sizes) {
            int n = Integer.parseInt(size);
            MatrixView a = MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) n * n), 0, n, 1);
            MatrixView bt = MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) n * n), 0, 1, n);
            PackedPanels pa = PackedPanels.asA(a, n, n, GemmCore.KC);
            PackedPanels pb = PackedPanels.asB(bt, n, n, GemmCore.KC);
            MemorySegment y = arena.allocate(4L * n * n, 64);
            GemmCore.Target c = GemmCore.Target.floats(y, 0, n, 1f, false);
            double flops = 2.0 * n * n * n;
            for (int round = 0; round < 3; round++) {
                double both = time(() -> GemmCore.multiply(n, n, n, a, bt, c, true));
                double aAhead = time(() -> GemmCore.multiply(n, n, n, pa, bt, c, true));
                double bAhead = time(() -> GemmCore.multiply(n, n, n, a, pb, c, true));
                double none = time(() -> GemmCore.multiply(n, n, n, pa, pb, c, true));
                System.out.printf("n %4d: packed per call %8.1f us (%5.1f GFLOP/s), A ahead %8.1f (%5.1f), B ahead %8.1f (%5.1f),"
                        + " both ahead %8.1f (%5.1f)%n", n, both, flops / both / 1e3, aAhead, flops / aAhead / 1e3, bAhead,
                        flops / bAhead / 1e3, none, flops / none / 1e3);
            }
        }
    }

    private static double time(Runnable r) {
        return LinalgTestSupport.bestMicros(10, 50, r);
    }
}
