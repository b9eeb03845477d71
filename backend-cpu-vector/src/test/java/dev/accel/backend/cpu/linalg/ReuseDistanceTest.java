package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ReuseDistance}: which constant GEMM operands count as coming from memory. */
class ReuseDistanceTest {
    private static PackedPanels operand(Arena arena, int rows, int k) {
        return PackedPanels.asA(MatrixView.f32(LinalgTestSupport.floats(arena, new Random(rows), (long) rows * k), 0, k, 1), rows, k,
                GemmCore.KC);
    }

    @Test
    void anOperandIsColdFirstThenInCacheUntilMoreThanTheBudgetIsReadAfterIt() {
        try (Arena arena = Arena.ofConfined()) {
            PackedPanels weights = operand(arena, 60, 256);
            PackedPanels other = operand(arena, 1200, 256);
            assertTrue(ReuseDistance.cold(weights), "never read: from memory");
            assertFalse(ReuseDistance.cold(weights), "read again at once, as in a loop over one layer: in cache");
            long otherBytes = 4L * other.data().length;
            long uses = ReuseDistance.BUDGET / otherBytes + 1;
            for (long i = 0; i < uses; i++) {
                ReuseDistance.cold(other);
            }
            assertTrue(ReuseDistance.cold(weights), "after " + uses * otherBytes + " bytes of other weights (budget "
                    + ReuseDistance.BUDGET + "), as in a whole network: from memory");
        }
    }

    @Test
    void cacheSizesReadAsSysfsWritesThem() {
        assertEquals(32L << 20, ReuseDistance.parseSize("32768K\n"));
        assertEquals(1L << 20, ReuseDistance.parseSize("1M"));
        assertEquals(512, ReuseDistance.parseSize("512"));
        assertTrue(ReuseDistance.lastLevelCacheBytes() >= 1L << 20, "a last-level cache of at least 1 MiB, or the 8 MiB default");
    }
}
