package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The native-only rule of the kernels' segments ({@link NativeScratch}) and the scratch itself. */
class NativeScratchTest {
    @Test
    void kernelViewsRejectHeapSegmentsWithTheReason() {
        MemorySegment heap = MemorySegment.ofArray(new float[64]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatrixView.f32(heap, 0, 8, 1));
        assertTrue(e.getMessage().contains("native"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmCore.Target.floats(heap, 0, 8, 1f, false));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSeg = arena.allocate(256);
            assertSame(nativeSeg, NativeScratch.requireNative(nativeSeg));
        }
    }

    @Test
    void scratchIsNativeExactlySizedAndReusedUntilItMustGrow() {
        MemorySegment a = NativeScratch.get(NativeScratch.Slot.WIDE_ROWS, 100);
        assertTrue(a.isNative());
        assertEquals(100, a.byteSize());
        a.set(ValueLayout.JAVA_INT, 0, 42);
        MemorySegment b = NativeScratch.get(NativeScratch.Slot.WIDE_ROWS, 80);
        assertEquals(a.address(), b.address(), "a smaller request reuses the same memory");
        assertEquals(42, b.get(ValueLayout.JAVA_INT, 0));
        MemorySegment z = NativeScratch.zeroed(NativeScratch.Slot.WIDE_ROWS, 64);
        assertEquals(0, z.get(ValueLayout.JAVA_INT, 0));
        MemorySegment big = NativeScratch.get(NativeScratch.Slot.WIDE_ROWS, 1 << 20);
        assertEquals(1 << 20, big.byteSize());
    }

    @Test
    void copyOfHoldsTheValues() {
        float[] v = {1.5f, -2f, 3.25f};
        MemorySegment s = NativeScratch.copyOf(v);
        assertTrue(s.isNative());
        assertEquals(12, s.byteSize());
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], s.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        }
    }
}
