package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.assertClose;
import static dev.accel.backend.opencl.OclTestSupport.run;
import static dev.accel.backend.opencl.OclTestSupport.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Layout ops move elements of every dtype; values are small integers so every dtype holds them exactly. */
class OclLayoutTest {
    private static OclDevice device;

    @BeforeAll
    static void open() {
        device = OclTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.close();
        }
    }

    private static HostTensor iota(DType t, int... dims) {
        HostTensor h = HostTensor.allocate(t, dims);
        for (long i = 0; i < h.numel(); i++) {
            h.setDouble(i, t == DType.BOOL ? i % 2 : (i % 100) - (t == DType.U8 ? 0 : 50));
        }
        return h;
    }

    private static int[] coords(long i, int[] dims) {
        int[] c = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            c[d] = (int) (i % dims[d]);
            i /= dims[d];
        }
        return c;
    }

    private static long flat(int[] c, int[] dims) {
        long f = 0;
        for (int d = 0; d < dims.length; d++) {
            f = f * dims[d] + c[d];
        }
        return f;
    }

    @Test
    void transposeEveryDtype() {
        int[] dims = {2, 3, 4, 5};
        int[] perm = {3, 1, 0, 2};
        for (DType t : DType.values()) {
            HostTensor x = iota(t, dims);
            HostTensor y = run1(device, new Transpose(List.of(3, 1, 0, 2)), x);
            int[] od = y.shape().dims();
            double[] e = new double[120];
            for (int i = 0; i < 120; i++) {
                int[] oc = coords(i, od);
                int[] ic = new int[4];
                for (int d = 0; d < 4; d++) {
                    ic[perm[d]] = oc[d];
                }
                e[i] = x.getDouble(flat(ic, dims));
            }
            assertClose(e, y, 0, "transpose " + t);
            HostTensor rev = run1(device, new Transpose(List.of()), iota(t, 3, 7));
            assertEquals(Shape.of(7, 3), rev.shape());
        }
    }

    @Test
    void channelShuffleIsReshapeTransposeReshape() {
        HostTensor x = iota(DType.F32, 1, 6, 2, 2);
        HostTensor a = run1(device, new Reshape(Shape.of(1, 2, 3, 2, 2)), x);
        HostTensor b = run1(device, new Transpose(List.of(0, 2, 1, 3, 4)), a);
        HostTensor y = run1(device, new Reshape(Shape.of(1, 6, 2, 2)), b);
        int[] order = {0, 3, 1, 4, 2, 5};
        double[] e = new double[24];
        for (int c = 0; c < 6; c++) {
            for (int k = 0; k < 4; k++) {
                e[c * 4 + k] = x.getDouble(order[c] * 4L + k);
            }
        }
        assertClose(e, y, 0, "channel shuffle");
        assertClose(x.toDoubleArray(), run1(device, new Identity(), x), 0, "identity");
    }

    @Test
    void sliceWithNegativeStepsAndClamping() {
        int[] dims = {5, 6, 4};
        for (DType t : new DType[] {DType.F32, DType.F16, DType.I8, DType.I64}) {
            HostTensor x = iota(t, dims);
            Slice s = new Slice(List.of(-1, 1, 100), List.of(-100, 6, 0), List.of(0, 1, 2), List.of(-2, 2, -1));
            HostTensor y = run1(device, s, x);
            Slice.Range[] r = s.resolve(x.shape());
            int[] od = y.shape().dims();
            double[] e = new double[(int) y.numel()];
            for (int i = 0; i < e.length; i++) {
                int[] oc = coords(i, od);
                int[] ic = new int[3];
                for (int d = 0; d < 3; d++) {
                    ic[d] = r[d].start() + oc[d] * r[d].step();
                }
                e[i] = x.getDouble(flat(ic, dims));
            }
            assertEquals(Shape.of(3, 3, 3), y.shape());
            assertClose(e, y, 0, "slice " + t);
            HostTensor empty = run1(device, new Slice(List.of(3), List.of(1), List.of(1), List.of()), x);
            assertEquals(0, empty.numel());
        }
    }

    @Test
    void concatAndSplitAlongAnAxis() {
        for (DType t : new DType[] {DType.F32, DType.BF16, DType.U8, DType.I32, DType.BOOL}) {
            HostTensor a = iota(t, 2, 1, 3);
            HostTensor b = iota(t, 2, 4, 3);
            HostTensor c = iota(t, 2, 0, 3);
            HostTensor y = run1(device, new Concat(1), a, b, c);
            assertEquals(Shape.of(2, 5, 3), y.shape());
            double[] e = new double[30];
            for (int i = 0; i < 30; i++) {
                int[] oc = coords(i, new int[] {2, 5, 3});
                e[i] = oc[1] == 0 ? a.getDouble(flat(new int[] {oc[0], 0, oc[2]}, new int[] {2, 1, 3}))
                        : b.getDouble(flat(new int[] {oc[0], oc[1] - 1, oc[2]}, new int[] {2, 4, 3}));
            }
            assertClose(e, y, 0, "concat " + t);
            List<HostTensor> parts = run(device, new Split(-2, List.of(1, 0, 4)), y);
            assertClose(a.toDoubleArray(), parts.get(0), 0, "split part 0 " + t);
            assertEquals(0, parts.get(1).numel());
            assertClose(b.toDoubleArray(), parts.get(2), 0, "split part 2 " + t);
        }
    }

    @Test
    void padConstantEdgeReflect() {
        int[] dims = {2, 3};
        List<Integer> pads = List.of(1, 2, 0, 1);
        for (DType t : new DType[] {DType.F32, DType.F16, DType.U8, DType.I64}) {
            HostTensor x = iota(t, dims);
            for (Pad.Mode mode : Pad.Mode.values()) {
                Pad op = new Pad(mode, pads, 7.6f);
                HostTensor y = run1(device, op, x);
                assertEquals(Shape.of(3, 6), y.shape());
                double constant = t.isFloat() ? (t == DType.F16 ? y.getDouble(0) : 7.6f) : 8;
                double[] e = new double[18];
                for (int i = 0; i < 18; i++) {
                    int r = i / 6 - 1;
                    int c = i % 6 - 2;
                    boolean inside = r >= 0 && r < 2 && c >= 0 && c < 3;
                    if (!inside && mode == Pad.Mode.CONSTANT) {
                        e[i] = constant;
                        continue;
                    }
                    if (mode == Pad.Mode.EDGE) {
                        r = Math.clamp(r, 0, 1);
                        c = Math.clamp(c, 0, 2);
                    } else if (mode == Pad.Mode.REFLECT) {
                        r = r < 0 ? -r : r > 1 ? 2 - r : r;
                        c = c < 0 ? -c : c > 2 ? 4 - c : c;
                    }
                    e[i] = x.getDouble(r * 3L + c);
                }
                assertClose(e, y, 0, "pad " + mode + " " + t);
            }
        }
        HostTensor half = run1(device, new Pad(Pad.Mode.CONSTANT, List.of(1, 0), 7.6f), iota(DType.F16, 1));
        assertEquals(7.6f, half.getDouble(0), 0.004, "the constant is converted to float16");
    }
}
