package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.accel.hal.UnsupportedOpException;
import org.junit.jupiter.api.Test;

/** Merging of index-space dimensions keeps every offset and shrinks the rank. */
class CudaStridesTest {
    @Test
    void contiguousDimsMergeAndOnesDrop() {
        CudaStrides.Merged m = CudaStrides.merge(new long[] {2, 1, 3, 4}, new long[] {12, 99, 4, 1});
        assertArrayEquals(new long[] {24}, m.dims());
        assertArrayEquals(new long[] {1}, m.strides(0));
    }

    @Test
    void dimsMergeOnlyWhereEveryStrideSetAllows() {
        // A transpose of [2, 3, 4] by (0, 2, 1): the source strides break between the last two dims.
        CudaStrides.Merged m = CudaStrides.merge(new long[] {2, 4, 3}, new long[] {12, 1, 4}, new long[] {12, 3, 1});
        assertArrayEquals(new long[] {2, 4, 3}, m.dims());
        CudaStrides.Merged b = CudaStrides.merge(new long[] {5, 6, 7}, new long[] {0, 0, 1}, new long[] {42, 7, 1});
        assertArrayEquals(new long[] {30, 7}, b.dims());
        assertArrayEquals(new long[] {0, 1}, b.strides(0));
        assertArrayEquals(new long[] {7, 1}, b.strides(1));
    }

    @Test
    void everyOffsetIsKept() {
        long[] dims = {3, 1, 4, 5};
        long[] s = {20, 20, 5, 1};
        long[] t = {1, 7, 3, 12};
        CudaStrides.Merged m = CudaStrides.merge(dims, s, t);
        for (long i = 0; i < 60; i++) {
            assertEquals(CudaPlanEmulator.offset(i, 4, dims, s), CudaPlanEmulator.offset(i, m.rank(), m.dims(), m.strides(0)));
            assertEquals(CudaPlanEmulator.offset(i, 4, dims, t), CudaPlanEmulator.offset(i, m.rank(), m.dims(), m.strides(1)));
        }
    }

    @Test
    void tooManyDimsAreUnsupportedAndHugeSizesTooBigForInts() {
        long[] dims = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        long[] alternating = {1, 0, 1, 0, 1, 0, 1, 0, 1};
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> CudaStrides.mergeWithin(8, "X", dims, alternating));
        assertEquals("X: the index space has 9 dimensions after merging, the CUDA kernels index at most 8", e.getMessage());
        assertThrows(UnsupportedOpException.class, () -> CudaStrides.toInt(1L << 31, "N"));
        assertEquals(7, CudaStrides.toInt(7, "N"));
    }
}
