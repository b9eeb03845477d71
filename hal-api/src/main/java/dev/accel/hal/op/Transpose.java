package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX Transpose: output dimension {@code i} is input dimension {@code perm[i]}; any dtype. An
 * empty {@code perm} reverses the dimensions. Channel shuffle is Reshape + Transpose + Reshape.
 */
public record Transpose(List<Integer> perm) implements Op {
    public Transpose {
        perm = List.copyOf(perm);
    }

    @Override
    public String name() {
        return "Transpose";
    }

    /** The permutation for an input of the given rank (the reversal when {@code perm} is empty). */
    public int[] resolvedPerm(int rank) {
        int[] p = new int[rank];
        if (perm.isEmpty()) {
            for (int i = 0; i < rank; i++) {
                p[i] = rank - 1 - i;
            }
            return p;
        }
        if (perm.size() != rank) {
            throw new InvalidArgumentException("Transpose: perm " + perm + " has " + perm.size() + " entries, the input has rank " + rank);
        }
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int a = perm.get(i);
            if (a < 0 || a >= rank || seen[a]) {
                throw new InvalidArgumentException("Transpose: perm " + perm + " is not a permutation of 0.." + (rank - 1));
            }
            seen[a] = true;
            p[i] = a;
        }
        return p;
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        int[] p = resolvedPerm(x.rank());
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = x.shape().dim(p[i]);
        }
        return List.of(new TensorType(x.dtype(), Shape.of(out)));
    }
}
