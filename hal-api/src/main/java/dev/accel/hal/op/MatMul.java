package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * Matrix product as numpy {@code matmul}: inputs A {@code [..., M, K]} and B {@code [..., K, N]}
 * of one float dtype; leading (batch) dimensions broadcast; a 1-D A is a row {@code [1, K]} and a
 * 1-D B a column {@code [K, 1]}, whose added dimension is removed from the result.
 */
public record MatMul() implements Op {
    @Override
    public String name() {
        return "MatMul";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 2);
        TensorType a = in.get(0);
        TensorType b = in.get(1);
        OpChecks.floatType(name(), "A", a);
        OpChecks.sameDType(name(), "B", b, a);
        return List.of(new TensorType(a.dtype(), outputShape(name(), a.shape(), b.shape())));
    }

    /** The numpy matmul result shape; shared with the integer and quantized matmuls. */
    static Shape outputShape(String op, Shape a, Shape b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new InvalidArgumentException(op + ": inputs must have rank >= 1, got " + a + " and " + b);
        }
        int[] ad = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.dims();
        int[] bd = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.dims();
        int k1 = ad[ad.length - 1];
        int k2 = bd[bd.length - 2];
        if (k1 != k2) {
            throw new InvalidArgumentException(op + ": inner dimensions differ: A is " + a + " (K = " + k1 + "), B is " + b
                    + " (K = " + k2 + ")");
        }
        Shape batchA = Shape.of(java.util.Arrays.copyOf(ad, ad.length - 2));
        Shape batchB = Shape.of(java.util.Arrays.copyOf(bd, bd.length - 2));
        int[] batch = Shape.broadcast(batchA, batchB).dims();
        int m = ad[ad.length - 2];
        int n = bd[bd.length - 1];
        int[] out;
        if (a.rank() == 1 && b.rank() == 1) {
            out = batch;
        } else if (a.rank() == 1) {
            out = append(batch, n);
        } else if (b.rank() == 1) {
            out = append(batch, m);
        } else {
            out = append(append(batch, m), n);
        }
        return Shape.of(out);
    }

    private static int[] append(int[] a, int v) {
        int[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }
}
