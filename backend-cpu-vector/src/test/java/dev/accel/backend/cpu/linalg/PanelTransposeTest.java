package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PanelTranspose} and the A panels {@link MatrixView#packColumns} builds with it: every
 * element lands at {@code p * 6 + i}, for depths below, at and around multiples of the vector
 * length (the tail runs element by element), from float and 8-bit rows.
 */
class PanelTransposeTest {
    private static final int L = MicroKernel.L;
    private static final int[] DEPTHS = {1, 3, L - 1, L, L + 1, 2 * L + 5, 4 * L, 256, 301};

    @Test
    void sixRowsInterleavesTheRowsPerStepOfK() {
        Random r = new Random(3);
        try (Arena arena = Arena.ofConfined()) {
            for (int kc : DEPTHS) {
                long stride = kc + 7;
                long origin = 5;
                MemorySegment seg = LinalgTestSupport.floats(arena, r, origin + 6 * stride);
                float[] got = new float[2 + 6 * kc];
                PanelTranspose.sixRows(seg, origin, stride, got, 2, kc);
                float[] want = new float[got.length];
                for (int p = 0; p < kc; p++) {
                    for (int i = 0; i < 6; i++) {
                        want[2 + p * 6 + i] = seg.getAtIndex(GemmCore.FLOAT, origin + i * stride + p);
                    }
                }
                assertArrayEquals(want, got, "kc " + kc);
            }
        }
    }

    @Test
    void heapSegmentsAreRefusedBecauseTheirVectorLoadsSlowEveryKernel() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PanelTranspose.sixRows(MemorySegment.ofArray(new float[6 * L]), 0, L, new float[6 * L], 0, L));
    }

    @Test
    void aPanelsOfFloatAndEightBitRowsMatchTheirElements() {
        Random r = new Random(4);
        try (Arena arena = Arena.ofConfined()) {
            for (int kc : DEPTHS) {
                int k = kc + 3;
                MemorySegment f = LinalgTestSupport.floats(arena, r, 9L * k);
                MemorySegment b = LinalgTestSupport.bytes(arena, r, 9L * k);
                int[] rowZp = {3, -2, 0, 7, 1, 250, 4, 9, 11};
                MatrixView[] views = {MatrixView.f32(f, 0, k, 1), MatrixView.int8(b, true, 0, k, 1, 0, rowZp),
                    MatrixView.int8(b, false, 0, k, 1, -5, null)};
                for (MatrixView v : views) {
                    for (int rows : new int[] {6, 4}) {
                        float[] got = new float[6 * kc];
                        java.util.Arrays.fill(got, Float.NaN);
                        v.packColumns(got, 0, 2, rows, 6, 3, kc);
                        for (int p = 0; p < kc; p++) {
                            for (int i = 0; i < 6; i++) {
                                float want = i < rows ? v.get(2 + i, 3 + p) : 0f;
                                assertEquals(want, got[p * 6 + i], v.kind() + " rows " + rows + " kc " + kc + " at p " + p + ", i " + i);
                            }
                        }
                    }
                }
            }
        }
    }
}
