package dev.accel.cli;

import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.List;

/**
 * Straightforward float64 implementations of the ops the demo network uses, written from the ONNX
 * definitions for the fake device of these tests: an independent reference for the demo's output.
 */
final class ReferenceOps {
    private ReferenceOps() {
    }

    /** Computes {@code spec} on {@code in} into {@code out}. */
    static void run(OpSpec spec, List<HostTensor> in, HostTensor out) {
        double[] x = in.getFirst().toDoubleArray();
        double[] y = switch (spec.op()) {
            case Conv2d c -> conv(c, in, spec.outputs().getFirst().shape());
            case BatchNorm b -> batchNorm(b, x, in);
            case Unary u when u.kind() == Unary.Kind.RELU -> relu(x);
            case Reshape r -> x;
            case Transpose t -> transpose(t, x, in.getFirst().shape());
            case GlobalAveragePool g -> globalAveragePool(x, in.getFirst().shape());
            case Gemm g -> gemm(g, in);
            case Softmax s -> softmax(s, x, in.getFirst().shape());
            default -> throw new UnsupportedOpException("ReferenceOps has no " + spec.op().name());
        };
        for (int i = 0; i < y.length; i++) {
            out.setDouble(i, y[i]);
        }
    }

    private static double[] conv(Conv2d c, List<HostTensor> in, Shape outShape) {
        int[] xd = in.get(0).shape().dims();
        int[] wd = in.get(1).shape().dims();
        double[] x = in.get(0).toDoubleArray();
        double[] w = in.get(1).toDoubleArray();
        double[] bias = in.size() > 2 ? in.get(2).toDoubleArray() : null;
        int n = xd[0];
        int cin = xd[1];
        int h = xd[2];
        int wid = xd[3];
        int m = wd[0];
        int cpg = wd[1];
        int kh = wd[2];
        int kw = wd[3];
        int oh = outShape.dim(2);
        int ow = outShape.dim(3);
        int mpg = m / c.groups();
        double[] y = new double[n * m * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < m; oc++) {
                int g = oc / mpg;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < cpg; ic++) {
                            int channel = g * cpg + ic;
                            for (int p = 0; p < kh; p++) {
                                int r = i * c.strideH() - c.padTop() + p * c.dilationH();
                                for (int q = 0; q < kw; q++) {
                                    int s = j * c.strideW() - c.padLeft() + q * c.dilationW();
                                    if (r >= 0 && r < h && s >= 0 && s < wid) {
                                        acc += x[((b * cin + channel) * h + r) * wid + s]
                                                * w[((oc * cpg + ic) * kh + p) * kw + q];
                                    }
                                }
                            }
                        }
                        y[((b * m + oc) * oh + i) * ow + j] = acc;
                    }
                }
            }
        }
        return y;
    }

    private static double[] batchNorm(BatchNorm bn, double[] x, List<HostTensor> in) {
        Shape s = in.get(0).shape();
        int channels = s.dim(1);
        long inner = s.product(2, s.rank());
        double[] scale = in.get(1).toDoubleArray();
        double[] bias = in.get(2).toDoubleArray();
        double[] mean = in.get(3).toDoubleArray();
        double[] var = in.get(4).toDoubleArray();
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (int) ((i / inner) % channels);
            y[i] = (x[i] - mean[c]) / Math.sqrt(var[c] + bn.epsilon()) * scale[c] + bias[c];
        }
        return y;
    }

    private static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }

    private static double[] transpose(Transpose t, double[] x, Shape s) {
        int rank = s.rank();
        int[] perm = t.resolvedPerm(rank);
        long[] inStrides = s.strides();
        int[] outDims = new int[rank];
        for (int i = 0; i < rank; i++) {
            outDims[i] = s.dim(perm[i]);
        }
        double[] y = new double[x.length];
        int[] idx = new int[rank];
        for (int o = 0; o < y.length; o++) {
            long src = 0;
            for (int i = 0; i < rank; i++) {
                src += idx[i] * inStrides[perm[i]];
            }
            y[o] = x[(int) src];
            for (int i = rank - 1; i >= 0; i--) {
                if (++idx[i] < outDims[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return y;
    }

    private static double[] globalAveragePool(double[] x, Shape s) {
        int planes = s.dim(0) * s.dim(1);
        int area = s.dim(2) * s.dim(3);
        double[] y = new double[planes];
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int i = 0; i < area; i++) {
                sum += x[p * area + i];
            }
            y[p] = sum / area;
        }
        return y;
    }

    private static double[] gemm(Gemm g, List<HostTensor> in) {
        Shape as = in.get(0).shape();
        Shape bs = in.get(1).shape();
        double[] a = in.get(0).toDoubleArray();
        double[] b = in.get(1).toDoubleArray();
        int m = g.transA() ? as.dim(1) : as.dim(0);
        int k = g.transA() ? as.dim(0) : as.dim(1);
        int n = g.transB() ? bs.dim(0) : bs.dim(1);
        double[] c = in.size() > 2 ? in.get(2).toDoubleArray() : null;
        long[] cStrides = c == null ? null : in.get(2).shape().broadcastStrides(Shape.of(m, n));
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    double av = g.transA() ? a[p * m + i] : a[i * k + p];
                    double bv = g.transB() ? b[j * k + p] : b[p * n + j];
                    acc += av * bv;
                }
                double cv = c == null ? 0 : c[(int) (i * cStrides[0] + j * cStrides[1])];
                y[i * n + j] = g.alpha() * acc + g.beta() * cv;
            }
        }
        return y;
    }

    private static double[] softmax(Softmax sm, double[] x, Shape s) {
        int axis = s.normalizeAxis(sm.axis());
        long outer = s.product(0, axis);
        int len = s.dim(axis);
        long inner = s.product(axis + 1, s.rank());
        double[] y = new double[x.length];
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    max = Math.max(max, x[(int) ((o * len + i) * inner + in)]);
                }
                double sum = 0;
                for (int i = 0; i < len; i++) {
                    sum += Math.exp(x[(int) ((o * len + i) * inner + in)] - max);
                }
                for (int i = 0; i < len; i++) {
                    int at = (int) ((o * len + i) * inner + in);
                    y[at] = Math.exp(x[at] - max) / sum;
                }
            }
        }
        return y;
    }
}
