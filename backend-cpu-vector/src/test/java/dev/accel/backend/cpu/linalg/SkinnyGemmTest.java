package dev.accel.backend.cpu.linalg;

import static dev.accel.hal.DType.I8;
import static dev.accel.hal.DType.U8;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The few-row GEMM ({@link SkinnyGemm}, one to eight rows times a row-major B): both of its kernels
 * (row-streaming for one or two rows, band for more), every chunk and band edge, the columns narrower
 * than a vector, K blocks of the exact 8-bit path, and the zero-point correction by row sums, against
 * the float64 reference through the MatMul, Gemm and MatMulInteger kernels that route to it; and,
 * B given as a constant, {@link SkinnyPanels} (every check also runs the kernel prepared with B
 * constant and compares its bytes with the unprepared one).
 */
class SkinnyGemmTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 8})
    void floatRowsAgainstReference(int m) {
        long seed = 100L * m;
        for (int n : new int[] {16, 17, 47, 100}) {
            for (int k : new int[] {1, 3, 4, 7, 130}) {
                LinalgChecks.matMul(new int[] {m, k}, new int[] {k, n}, seed++);
            }
        }
    }

    @Test
    void floatChunkAndBandEdges() {
        // One row: C chunks of 8192 columns; two rows: 4096; more: bands of 2048 columns by 64 rows.
        LinalgChecks.matMul(new int[] {1, 5}, new int[] {5, 8192 + 33}, 1);
        LinalgChecks.matMul(new int[] {2, 9}, new int[] {9, 4096 + 17}, 2);
        LinalgChecks.matMul(new int[] {6, 70}, new int[] {70, 2048 + 40}, 3);
        LinalgChecks.matMul(new int[] {8, 129}, new int[] {129, 33}, 4);
    }

    @Test
    void batchedRowsFoldIntoOneSkinnyProduct() {
        LinalgChecks.matMul(new int[] {2, 3, 40}, new int[] {40, 50}, 10);
        LinalgChecks.matMul(new int[] {4, 1, 20}, new int[] {4, 20, 48}, 11);
    }

    @Test
    void gemmAlphaAndAccumulatedC() {
        LinalgChecks.gemm(3, 40, 9, false, false, 0.5f, 2f, new int[] {3, 40}, 20);
        LinalgChecks.gemm(1, 33, 300, false, false, -1.5f, 1f, new int[] {33}, 21);
        LinalgChecks.gemm(7, 64, 65, false, false, 2f, 0.25f, new int[] {7, 1}, 22);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 8})
    void integerRowsEveryMixAndZeroPointMode(int m) {
        long seed = 1000L * m;
        for (var b : new dev.accel.hal.DType[] {I8, U8}) {
            for (int zpMode = 0; zpMode < 3; zpMode++) {
                LinalgChecks.matMulInteger(new int[] {m, 37}, new int[] {37, 50}, U8, b, zpMode, seed++);
                LinalgChecks.matMulInteger(new int[] {m, 8}, new int[] {8, 16}, I8, b, zpMode, seed++);
            }
        }
    }

    @Test
    void preparedStripsWalkSeveralStreamsAndTheirLeftovers() {
        // A constant B takes SkinnyPanels: 10 strips of two vectors (1-4 rows: four or two streams
        // at once, then the leftovers one by one), 19 of one vector (5-8 rows: three or two streams).
        // LinalgChecks compares the prepared kernel with the unprepared one byte for byte.
        for (int m : new int[] {1, 2, 3, 4, 6, 8}) {
            LinalgChecks.matMul(new int[] {m, 70}, new int[] {70, 300}, 40 + m);
            LinalgChecks.matMulInteger(new int[] {m, 300}, new int[] {300, 300}, U8, U8, 2, 50 + m);
            LinalgChecks.matMulInteger(new int[] {m, 37}, new int[] {37, 300}, I8, I8, 1, 60 + m);
        }
    }

    @Test
    void integerLongKCrossesExactBlocks() {
        // K = 600 crosses the 256-row exact blocks (row-streaming) and the 64-row bands (band kernel);
        // per-column zero points near the extremes make the sums large.
        LinalgChecks.matMulInteger(new int[] {1, 600}, new int[] {600, 40}, U8, U8, 2, 30);
        LinalgChecks.matMulInteger(new int[] {2, 600}, new int[] {600, 33}, U8, I8, 2, 31);
        LinalgChecks.matMulInteger(new int[] {5, 600}, new int[] {600, 70}, I8, U8, 2, 32);
        LinalgChecks.matMulInteger(new int[] {8, 301}, new int[] {301, 2048 + 35}, U8, I8, 1, 33);
    }
}
