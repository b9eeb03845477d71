package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuParallel;
import java.util.Arrays;

/**
 * The plain-Java peer: what a careful Java programmer writes without the Vector API. The i-k-j
 * loop order lets C2 auto-vectorise the inner loop; rows are split across the same threads as the
 * kernels use.
 */
final class JavaLoops {
    private JavaLoops() {
    }

    /** Row-major {@code C[m x n] = A[m x k] B[k x n]}. */
    static void sgemm(int m, int n, int k, float[] a, float[] b, float[] c) {
        CpuParallel.forRange(m, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                int ci = i * n;
                Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float av = a[i * k + p];
                    int bp = p * n;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += av * b[bp + j];
                    }
                }
            }
        });
    }
}
