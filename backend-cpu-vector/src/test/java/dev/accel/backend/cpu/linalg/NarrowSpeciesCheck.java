package dev.accel.backend.cpu.linalg;

import dev.accel.hal.DType;
import dev.accel.hal.op.Conv2d;

/**
 * Runs a cross-section of the linalg checks in whatever JVM starts it and prints the species it ran
 * with; exits 1 on the first failure. {@link NarrowSpeciesTest} starts it in child JVMs limited to
 * 256- and 128-bit vectors ({@code -XX:MaxVectorSize}), where {@code SPECIES_PREFERRED}, and with
 * it the micro-kernel's tile width, is narrower than on the build machine.
 */
public final class NarrowSpeciesCheck {
    private NarrowSpeciesCheck() {
    }

    public static void main(String[] args) {
        System.out.println("species=" + MicroKernel.F + " lanes=" + MicroKernel.L + " NR=" + MicroKernel.NR);
        try {
            long seed = 1000;
            int[] odd = {1, 3, 17, 127};
            for (int m : odd) {
                for (int n : odd) {
                    LinalgChecks.matMul(new int[] {m, 17}, new int[] {17, n}, seed++);
                }
            }
            LinalgChecks.matMul(new int[] {130, 300}, new int[] {300, 37}, seed++);
            LinalgChecks.matMul(new int[] {2, 1, 5, 7}, new int[] {3, 7, 9}, seed++);
            LinalgChecks.gemm(19, 23, 31, true, true, 0.5f, 2f, new int[] {23}, seed++);
            LinalgChecks.gemm(19, 23, 31, false, true, 1f, 1f, new int[] {19, 1}, seed++);
            LinalgChecks.conv(new int[] {1, 9, 7, 11}, new int[] {5, 9, 1, 1}, Conv2d.simple(), true, seed++);
            // Pixel-major at 8 lanes (7x7 planes): A panels of 6 positions, wider than a vector at 4 lanes.
            LinalgChecks.conv(new int[] {1, 16, 7, 7}, new int[] {40, 16, 3, 3}, Conv2d.of(1, 1, 1), true, seed++);
            LinalgChecks.conv(new int[] {1, 640, 7, 7}, new int[] {32, 640, 1, 1}, Conv2d.simple(), true, seed++);
            LinalgChecks.conv(new int[] {1, 4, 13, 15}, new int[] {6, 2, 3, 3}, new Conv2d(2, 1, 0, 1, 2, 1, 2, 1, 2), true, seed++);
            LinalgChecks.conv(new int[] {1, 3, 19, 75}, new int[] {3, 1, 3, 3}, new Conv2d(2, 2, 1, 2, 1, 0, 2, 1, 3), true, seed++);
            // A strided 1x1 convolution over the subsampled input: rows of 19 positions, two vectors and a masked one at 8 lanes.
            LinalgChecks.conv(new int[] {1, 8, 15, 37}, new int[] {12, 8, 1, 1}, Conv2d.of(2, 0, 1), true, seed++);
            // First layers run planar: rows of 19 outputs (tiles of two vectors, then masked ones) at stride 2 and 1.
            LinalgChecks.conv(new int[] {1, 3, 39, 39}, new int[] {16, 3, 3, 3}, Conv2d.of(2, 0, 1), true, seed++);
            LinalgChecks.conv(new int[] {1, 3, 21, 21}, new int[] {8, 3, 3, 3}, Conv2d.of(1, 0, 1), false, seed++);
            LinalgChecks.matMulInteger(new int[] {9, 600}, new int[] {600, 19}, DType.U8, DType.I8, 2, seed++);
            // The few-row kernels: row-streaming (one, two rows) and band (more), float and 8-bit.
            LinalgChecks.matMul(new int[] {2, 70}, new int[] {70, 45}, seed++);
            LinalgChecks.matMul(new int[] {6, 70}, new int[] {70, 100}, seed++);
            LinalgChecks.matMulInteger(new int[] {1, 300}, new int[] {300, 40}, DType.U8, DType.U8, 2, seed++);
            LinalgChecks.matMulInteger(new int[] {5, 70}, new int[] {70, 45}, DType.I8, DType.U8, 2, seed++);
            LinalgChecks.qlinearMatMul(new int[] {7, 40}, new int[] {40, 21}, DType.I8, DType.U8, DType.I8, true, seed++);
            LinalgChecks.convInteger(new int[] {1, 4, 9, 45}, new int[] {4, 1, 3, 3}, Conv2d.of(1, 1, 4), DType.I8, DType.U8, true,
                    seed++);
            LinalgChecks.qlinearConv(new int[] {1, 6, 8, 9}, new int[] {5, 6, 3, 3}, Conv2d.of(1, 1, 1), DType.U8, DType.I8,
                    DType.U8, true, true, seed);
        } catch (AssertionError | RuntimeException e) {
            e.printStackTrace(System.out);
            System.exit(1);
        }
        System.out.println("all checks passed");
    }
}
