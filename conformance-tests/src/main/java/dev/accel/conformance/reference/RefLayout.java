package dev.accel.conformance.reference;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import java.util.ArrayList;
import java.util.List;

/** Reference layout ops: Transpose, Concat, Slice, Split and Pad (constant, edge, reflect). */
final class RefLayout {
    private RefLayout() {
    }

    /** Output dimension {@code i} is input dimension {@code perm[i]}; an empty perm reverses. */
    static double[] transpose(List<Integer> permList, double[] x, int[] xd) {
        int r = xd.length;
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = permList.isEmpty() ? r - 1 - i : permList.get(i);
        }
        int[] od = new int[r];
        for (int i = 0; i < r; i++) {
            od[i] = xd[perm[i]];
        }
        int[] xs = Index.strides(xd);
        double[] y = new double[x.length];
        int[] c = new int[r];
        for (int e = 0; e < y.length; e++) {
            Index.unflatten(e, od, c);
            int src = 0;
            for (int i = 0; i < r; i++) {
                src += c[i] * xs[perm[i]];
            }
            y[e] = x[src];
        }
        return y;
    }

    static double[] concat(int axis, double[][] in, int[][] dims) {
        int a = Index.axis(axis, dims[0].length);
        int outer = Index.product(dims[0], 0, a);
        int total = 0;
        for (int[] d : dims) {
            total += d[a];
        }
        int inner = Index.product(dims[0], a + 1, dims[0].length);
        double[] y = new double[outer * total * inner];
        int at = 0;
        for (int i = 0; i < in.length; i++) {
            int len = dims[i][a] * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in[i], o * len, y, o * total * inner + at, len);
            }
            at += len;
        }
        return y;
    }

    /** One axis of a slice: element {@code i} reads {@code start + i * step}. */
    record Range(int start, int step, int count) {
    }

    /**
     * Resolves ONNX Slice's starts, ends, axes and steps against a shape: negative starts and ends
     * count from the end; with a positive step both clamp to {@code [0, dim]}, with a negative step
     * the start clamps to {@code [0, dim - 1]} and the end to {@code [-1, dim - 1]}.
     */
    static Range[] resolve(Slice s, int[] xd) {
        Range[] r = new Range[xd.length];
        for (int d = 0; d < xd.length; d++) {
            r[d] = new Range(0, 1, xd[d]);
        }
        for (int i = 0; i < s.starts().size(); i++) {
            int axis = Index.axis(s.axes().isEmpty() ? i : s.axes().get(i), xd.length);
            long step = s.steps().isEmpty() ? 1 : s.steps().get(i);
            if (step == 0) {
                throw new InvalidArgumentException("reference Slice: step 0");
            }
            long dim = xd[axis];
            long start = s.starts().get(i);
            long end = s.ends().get(i);
            start = start < 0 ? start + dim : start;
            end = end < 0 ? end + dim : end;
            long count;
            if (step > 0) {
                start = Math.max(0, Math.min(dim, start));
                end = Math.max(0, Math.min(dim, end));
                count = end > start ? (end - start + step - 1) / step : 0;
            } else {
                start = Math.max(0, Math.min(dim - 1, start));
                end = Math.max(-1, Math.min(dim - 1, end));
                count = start > end ? (start - end - step - 1) / -step : 0;
            }
            r[axis] = new Range((int) start, (int) step, (int) count);
        }
        return r;
    }

    static double[] slice(Slice s, double[] x, int[] xd) {
        Range[] r = resolve(s, xd);
        int[] od = new int[xd.length];
        for (int i = 0; i < od.length; i++) {
            od[i] = r[i].count();
        }
        int[] xs = Index.strides(xd);
        double[] y = new double[Index.numel(od)];
        int[] c = new int[od.length];
        for (int e = 0; e < y.length; e++) {
            Index.unflatten(e, od, c);
            int src = 0;
            for (int i = 0; i < od.length; i++) {
                src += (r[i].start() + c[i] * r[i].step()) * xs[i];
            }
            y[e] = x[src];
        }
        return y;
    }

    static List<double[]> split(Split s, double[] x, int[] xd) {
        int a = Index.axis(s.axis(), xd.length);
        int outer = Index.product(xd, 0, a);
        int inner = Index.product(xd, a + 1, xd.length);
        int rowLen = xd[a] * inner;
        List<double[]> out = new ArrayList<>();
        int at = 0;
        for (int size : s.sizes()) {
            int len = size * inner;
            double[] y = new double[outer * len];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, o * rowLen + at, y, o * len, len);
            }
            out.add(y);
            at += len;
        }
        return out;
    }

    /** Pad: begin amounts of every axis, then end amounts; the constant is stored in the tensor's dtype. */
    static double[] pad(Pad p, double[] x, int[] xd, DType dtype) {
        int r = xd.length;
        int[] begin = new int[r];
        int[] od = new int[r];
        for (int d = 0; d < r; d++) {
            begin[d] = p.pads().get(d);
            od[d] = xd[d] + begin[d] + p.pads().get(d + r);
        }
        double constant = RefMath.store(p.value(), dtype);
        int[] xs = Index.strides(xd);
        double[] y = new double[Index.numel(od)];
        int[] c = new int[r];
        for (int e = 0; e < y.length; e++) {
            Index.unflatten(e, od, c);
            int src = 0;
            boolean outside = false;
            for (int d = 0; d < r; d++) {
                int i = c[d] - begin[d];
                int dim = xd[d];
                if (i < 0 || i >= dim) {
                    switch (p.mode()) {
                        case CONSTANT -> outside = true;
                        case EDGE -> i = i < 0 ? 0 : dim - 1;
                        case REFLECT -> i = i < 0 ? -i : 2 * (dim - 1) - i;
                    }
                }
                src += i * xs[d];
            }
            y[e] = outside ? constant : x[src];
        }
        return y;
    }
}
