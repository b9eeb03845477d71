package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector requantization gives, byte for byte, the scalar rule {@link Quant#requantize}: ties
 * rounding to even, saturation at both ends, accumulators near the int32 limits, a bias that wraps,
 * a multiplier per element or one for the row, and row lengths that leave a scalar tail.
 */
class RequantizerTest {
    private static void check(int[] acc, double[] mults, double mult, int bias, int yzp, int lo, int hi) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4L * acc.length + 4, 64);
            for (int i = 0; i < acc.length; i++) {
                a.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, acc[i]);
            }
            MemorySegment out = arena.allocate(acc.length + 1, 64);
            Requantizer.row(a, 0, acc.length, mults, 0, mult, bias, yzp, lo, hi, out, 0);
            for (int i = 0; i < acc.length; i++) {
                int expected = Quant.requantize(acc[i] + bias, mults == null ? mult : mults[i], yzp, lo, hi);
                int got = lo < 0 ? out.get(ValueLayout.JAVA_BYTE, i) : out.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
                assertEquals(expected, got, "element " + i + ": acc " + acc[i] + " bias " + bias + " mult "
                        + (mults == null ? mult : mults[i]));
            }
        }
    }

    @Test
    void tiesRoundToEvenAndOutputsSaturate() {
        // acc * 0.5: -5..5 in halves, so every other value is a tie.
        int[] acc = new int[37];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = i - 18;
        }
        check(acc, null, 0.5, 0, 0, -128, 127);
        check(acc, null, 0.5, 0, 3, 0, 255);
        check(acc, null, 7.25, 0, 0, -128, 127);
        check(acc, null, 7.25, 0, 128, 0, 255);
    }

    @Test
    void extremesAndWrappingBias() {
        int[] acc = {Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 5, -1, 0, 1, 1 << 30, -(1 << 30), 123456789,
            -987654321, 42};
        check(acc, null, 1e-7, 0, 0, -128, 127);
        check(acc, null, 3.5e-9, 10, -3, -128, 127);
        // acc + bias overflows int32 for the first element, as the scalar rule's int addition does.
        check(acc, null, 1e-9, 100, 0, 0, 255);
    }

    @Test
    void multiplierPerElementOnRandomRows() {
        Random r = new Random(5);
        for (int n : new int[] {1, 7, 8, 9, 16, 33, 100}) {
            int[] acc = new int[n];
            double[] mults = new double[n];
            for (int i = 0; i < n; i++) {
                acc[i] = r.nextInt(2_000_001) - 1_000_000;
                mults[i] = 1e-5 + r.nextDouble() * 3e-4;
            }
            check(acc, mults, 0, 0, r.nextInt(256) - 128, -128, 127);
            check(acc, mults, 0, r.nextInt(1000) - 500, r.nextInt(256), 0, 255);
        }
    }
}
