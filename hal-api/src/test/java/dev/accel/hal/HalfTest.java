package dev.accel.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {
    @Test
    void f16RoundTripsExactValuesAndRoundsToNearestEven() {
        assertEquals(1.5f, Half.f16ToFloat(Half.floatToF16(1.5f)));
        assertEquals((short) 0x3c00, Half.floatToF16(1f));
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to even (1).
        assertEquals(1f, Half.f16ToFloat(Half.floatToF16(1f + 0x1p-11f)));
        assertEquals(Float.POSITIVE_INFINITY, Half.f16ToFloat(Half.floatToF16(70000f)));
    }

    @Test
    void bf16KeepsTheTopHalfWithRoundToNearestEven() {
        assertEquals((short) 0x3f80, Half.floatToBf16(1f));
        assertEquals(1f, Half.bf16ToFloat(Half.floatToBf16(1f + 0x1p-8f)), "tie rounds to even");
        assertEquals(1f + 0x1p-7f, Half.bf16ToFloat(Half.floatToBf16(1f + 0x1p-8f + 0x1p-20f)), "above the tie rounds up");
        assertEquals(3.140625f, Half.bf16ToFloat(Half.floatToBf16(3.14159f)));
        assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(Float.NaN))));
    }
}
