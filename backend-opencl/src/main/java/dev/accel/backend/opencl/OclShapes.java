package dev.accel.backend.opencl;

import dev.accel.hal.Shape;
import java.util.ArrayList;
import java.util.List;

/** Index metadata for the kernels: collapsed iteration shapes with one stride list per operand. */
final class OclShapes {
    private OclShapes() {
    }

    /**
     * {@code [r, dims..., strides of operand 0..., strides of operand 1..., ...]} for iterating
     * {@code dims} with the given element strides per operand, after dropping dimensions of size 1
     * and merging neighbours that every operand walks contiguously.
     */
    static long[] collapse(int[] dims, long[]... strides) {
        List<Integer> keep = new ArrayList<>();
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] != 1) {
                keep.add(d);
            }
        }
        List<long[]> rows = new ArrayList<>();
        for (int d : keep) {
            long[] row = new long[1 + strides.length];
            row[0] = dims[d];
            for (int o = 0; o < strides.length; o++) {
                row[1 + o] = strides[o][d];
            }
            if (!rows.isEmpty()) {
                long[] prev = rows.getLast();
                boolean mergeable = true;
                for (int o = 0; o < strides.length; o++) {
                    if (prev[1 + o] != row[1 + o] * row[0]) {
                        mergeable = false;
                        break;
                    }
                }
                if (mergeable) {
                    prev[0] *= row[0];
                    for (int o = 0; o < strides.length; o++) {
                        prev[1 + o] = row[1 + o];
                    }
                    continue;
                }
            }
            rows.add(row);
        }
        int r = rows.size();
        long[] meta = new long[1 + r * (1 + strides.length)];
        meta[0] = r;
        for (int i = 0; i < r; i++) {
            long[] row = rows.get(i);
            meta[1 + i] = row[0];
            for (int o = 0; o < strides.length; o++) {
                meta[1 + (o + 1) * r + i] = row[1 + o];
            }
        }
        return meta;
    }

    /** Broadcast metadata for reading each operand at the positions of {@code out}. */
    static long[] broadcast(Shape out, Shape... operands) {
        long[][] s = new long[operands.length][];
        for (int i = 0; i < operands.length; i++) {
            s[i] = operands[i].broadcastStrides(out);
        }
        return collapse(out.dims(), s);
    }

}
