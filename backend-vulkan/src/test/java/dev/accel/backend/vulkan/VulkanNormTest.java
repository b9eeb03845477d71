package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Softmax, LayerNormalization and ReduceMean against double references. */
class VulkanNormTest extends VulkanTestSupport {

    @Test
    void softmaxAlongEveryAxis() {
        Random rnd = new Random(41);
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int[] dims : new int[][] {{1}, {3, 17}, {2, 3, 4}, {2, 300}, {4, 1, 1000}}) {
                for (int axis = -dims.length; axis < dims.length; axis++) {
                    HostTensor x = random(rnd, dt, -8, 8, dims);
                    HostTensor y = run(new Softmax(axis), x)[0];
                    int a = x.shape().normalizeAxis(axis);
                    long inner = x.shape().product(a + 1, dims.length);
                    int len = dims[a];
                    double[] want = new double[(int) x.numel()];
                    for (long o = 0; o < x.shape().product(0, a); o++) {
                        for (long in = 0; in < inner; in++) {
                            long base = o * len * inner + in;
                            double max = Double.NEGATIVE_INFINITY;
                            for (int k = 0; k < len; k++) {
                                max = Math.max(max, x.getDouble(base + k * inner));
                            }
                            double sum = 0;
                            for (int k = 0; k < len; k++) {
                                sum += Math.exp(x.getDouble(base + k * inner) - max);
                            }
                            for (int k = 0; k < len; k++) {
                                want[(int) (base + k * inner)] = Math.exp(x.getDouble(base + k * inner) - max) / sum;
                            }
                        }
                    }
                    assertClose("Softmax axis " + axis + " of " + x.type(), want, y);
                }
            }
        }
    }

    @Test
    void softmaxOfARowWithNaNIsNaN() {
        HostTensor y = run(new Softmax(-1), tensor(DType.F32, new int[] {2, 3}, 1, Double.NaN, 2, 1, 2, 3))[0];
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isNaN(y.getDouble(i)), "row with a NaN: " + Arrays.toString(y.toFloatArray()));
        }
        assertEquals(1.0, y.getDouble(3) + y.getDouble(4) + y.getDouble(5), 1e-6);
    }

    @Test
    void layerNormalization() {
        Random rnd = new Random(42);
        Object[][] cases = {
            {new int[] {4, 10}, -1, new int[] {10}, new int[] {10}},
            {new int[] {2, 3, 8}, 1, new int[] {3, 8}, new int[] {8}},
            {new int[] {2, 3, 8}, 1, new int[] {3, 1}, null},
            {new int[] {3, 1000}, 1, new int[] {1000}, new int[] {1}},
            {new int[] {5}, 0, new int[] {5}, new int[] {5}}};
        for (DType dt : new DType[] {DType.F32, DType.F16}) {
            for (Object[] c : cases) {
                int[] dims = (int[]) c[0];
                LayerNorm op = new LayerNorm((int) c[1], 1e-5f);
                HostTensor x = random(rnd, dt, -3, 5, dims);
                HostTensor scale = random(rnd, dt, 0.5, 1.5, (int[]) c[2]);
                HostTensor bias = c[3] == null ? null : random(rnd, dt, -1, 1, (int[]) c[3]);
                HostTensor y = bias == null ? run(op, x, scale)[0] : run(op, x, scale, bias)[0];
                int a = x.shape().normalizeAxis(op.axis());
                Shape norm = Shape.of(Arrays.copyOfRange(dims, a, dims.length));
                long[] ss = scale.shape().broadcastStrides(norm);
                long[] sb = bias == null ? null : bias.shape().broadcastStrides(norm);
                int len = (int) norm.numel();
                double[] want = new double[(int) x.numel()];
                for (int r = 0; r < x.numel() / len; r++) {
                    double mean = 0;
                    for (int k = 0; k < len; k++) {
                        mean += x.getDouble((long) r * len + k) / len;
                    }
                    double var = 0;
                    for (int k = 0; k < len; k++) {
                        double d = x.getDouble((long) r * len + k) - mean;
                        var += d * d / len;
                    }
                    for (int k = 0; k < len; k++) {
                        long rem = k;
                        long is = 0;
                        long ib = 0;
                        int[] nd = norm.dims();
                        for (int d = nd.length - 1; d >= 0; d--) {
                            long cc = rem % nd[d];
                            rem /= nd[d];
                            is += cc * ss[d];
                            ib += sb == null ? 0 : cc * sb[d];
                        }
                        want[r * len + k] = (x.getDouble((long) r * len + k) - mean) / Math.sqrt(var + 1e-5) * scale.getDouble(is)
                                + (bias == null ? 0 : bias.getDouble(ib));
                    }
                }
                assertClose("LayerNorm " + x.type() + " axis " + op.axis(), want, y);
            }
        }
    }

    @Test
    void reduceMeanOverAxes() {
        Random rnd = new Random(43);
        int[] dims = {3, 4, 5, 6};
        Object[][] cases = {{List.of(), false}, {List.of(), true}, {List.of(1), false}, {List.of(-1), true}, {List.of(0, 2), false},
            {List.of(1, 3), true}, {List.of(0, 1, 2, 3), false}};
        for (DType dt : new DType[] {DType.F32, DType.F16}) {
            for (Object[] c : cases) {
                @SuppressWarnings("unchecked")
                ReduceMean op = new ReduceMean((List<Integer>) c[0], (boolean) c[1]);
                HostTensor x = random(rnd, dt, -2, 2, dims);
                HostTensor y = run(op, x)[0];
                int[] red = op.resolvedAxes(dims.length);
                boolean[] isRed = new boolean[dims.length];
                int count = 1;
                for (int a : red) {
                    isRed[a] = true;
                    count *= dims[a];
                }
                double[] want = new double[(int) y.numel()];
                long[] strides = x.shape().strides();
                for (long i = 0; i < x.numel(); i++) {
                    long o = 0;
                    for (int d = 0; d < dims.length; d++) {
                        if (!isRed[d]) {
                            o = o * dims[d] + (i / strides[d]) % dims[d];
                        }
                    }
                    want[(int) o] += x.getDouble(i) / count;
                }
                assertClose("ReduceMean " + op + " " + dt, want, y);
            }
        }
        HostTensor big = random(rnd, DType.F32, 0, 1, 2, 100000);
        HostTensor y = run(new ReduceMean(List.of(1), false), big)[0];
        for (int r = 0; r < 2; r++) {
            double s = 0;
            for (int k = 0; k < 100000; k++) {
                s += big.getDouble(r * 100000L + k);
            }
            assertEquals(s / 100000, y.getDouble(r), 1e-6, "mean of 100000 values stays accurate (tree sum)");
        }
    }
}
