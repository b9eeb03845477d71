package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A by-hand probe, not a test (like {@link LinalgBenchMain}): GEMMs of a convolution's shape (A
 * constant weights packed ahead, B an activation lying row by row in memory) on all cores, with B
 * read in place where {@link GemmCore} chooses to, B packed per call (the same B behind a
 * {@link PanelSource} GemmCore cannot read in place), and B packed ahead. Best of 20 rounds of 20
 * ms each, microseconds per call. Arguments: triples {@code m k n}, or none for the shapes behind
 * {@link GemmCore#DIRECT_MAX_ROWS}. Run with the module's test classpath.
 */
public final class GemmShapesMain {
    private GemmShapesMain() {
    }

    private static double time(Runnable r) {
        return LinalgTestSupport.bestMicros(20, 20, r);
    }

    /** {@code src} behind an interface GemmCore does not recognise: it packs every panel. */
    private static PanelSource opaque(PanelSource src) {
        return new PanelSource() {
            @Override
            public void packRows(float[] dst, int off, int r0, int rows, int height, int c0, int kc) {
                src.packRows(dst, off, r0, rows, height, c0, kc);
            }

            @Override
            public void packColumns(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
                src.packColumns(dst, off, r0, rows, width, c0, kc);
            }

            @Override
            public void packColumnBlock(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
                src.packColumnBlock(dst, off, r0, rows, width, c0, kc);
            }
        };
    }

    public static void main(String[] args) {
        int[][] shapes = {{64, 64, 3136}, {64, 256, 3136}, {128, 512, 784}, {256, 1024, 196}, {64, 16, 3025}};
        if (args.length >= 3) {
            shapes = new int[args.length / 3][];
            for (int i = 0; i < shapes.length; i++) {
                shapes[i] = new int[] {Integer.parseInt(args[3 * i]), Integer.parseInt(args[3 * i + 1]), Integer.parseInt(args[3 * i + 2])};
            }
        }
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            PackedPanels a = PackedPanels.asA(MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) m * k), 0, k, 1), m, k, GemmCore.KC);
            MatrixView b = MatrixView.f32(LinalgTestSupport.floats(arena, r, (long) k * n), 0, 1, n);
            PackedPanels bp = PackedPanels.asB(b, n, k, GemmCore.KC);
            MemorySegment y = arena.allocate(4L * m * n, 64);
            GemmCore.Target t = GemmCore.Target.floats(y, 0, n, 1f, false);
            double inPlace = time(() -> GemmCore.multiply(m, n, k, a, b, t, true));
            double perCall = time(() -> GemmCore.multiply(m, n, k, a, opaque(b), t, true));
            double ahead = time(() -> GemmCore.multiply(m, n, k, a, bp, t, true));
            System.out.printf("%4d x %4d times %4d x %4d: B as GemmCore reads it %7.1f us, packed per call %7.1f us, packed ahead %7.1f us%n",
                    m, k, k, n, inPlace, perCall, ahead);
        }
    }
}
