package dev.accel.backend.cpu.linalg;

import dev.accel.hal.Shape;
import java.util.Arrays;

/**
 * The geometry of a numpy-style batched matmul, resolved once at compile time: {@code m, k, n},
 * the broadcast batch count, and for each output batch the element offsets of its A and B
 * matrices (a 1-D A is a row {@code [1, K]}, a 1-D B a column {@code [K, 1]}; the output is dense
 * {@code [batch, m, n]} whatever dimensions the result shape drops).
 */
record MatMulShape(int m, int k, int n, int batch, long[] aOffsets, long[] bOffsets) {

    /** Resolves the geometry of A times B. */
    static MatMulShape of(Shape a, Shape b) {
        int[] ad = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.dims();
        int[] bd = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.dims();
        int m = ad[ad.length - 2];
        int k = ad[ad.length - 1];
        int n = bd[bd.length - 1];
        Shape batchA = Shape.of(Arrays.copyOf(ad, ad.length - 2));
        Shape batchB = Shape.of(Arrays.copyOf(bd, bd.length - 2));
        Shape batch = Shape.broadcast(batchA, batchB);
        long[] sa = batchA.broadcastStrides(batch);
        long[] sb = batchB.broadcastStrides(batch);
        int count = (int) batch.numel();
        long[] ao = new long[count];
        long[] bo = new long[count];
        int[] dims = batch.dims();
        int[] idx = new int[dims.length];
        for (int t = 0; t < count; t++) {
            long oa = 0;
            long ob = 0;
            for (int d = 0; d < dims.length; d++) {
                oa += idx[d] * sa[d];
                ob += idx[d] * sb[d];
            }
            ao[t] = oa * m * k;
            bo[t] = ob * k * n;
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return new MatMulShape(m, k, n, count, ao, bo);
    }

    /**
     * True when every batch uses the same B and A's batches are consecutive: the batches then fold
     * into one GEMM of {@code batch * m} rows.
     */
    boolean foldsIntoRows() {
        for (int t = 0; t < batch; t++) {
            if (bOffsets[t] != bOffsets[0] || aOffsets[t] != (long) t * m * k) {
                return false;
            }
        }
        return true;
    }

    /** Multiply-adds of one batch. */
    long workPerBatch() {
        return (long) m * n * k;
    }
}
