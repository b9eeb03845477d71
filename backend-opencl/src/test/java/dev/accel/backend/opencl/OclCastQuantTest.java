package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.assertClose;
import static dev.accel.backend.opencl.OclTestSupport.of;
import static dev.accel.backend.opencl.OclTestSupport.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.Half;
import dev.accel.hal.HostTensor;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.QuantizeLinear;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OclCastQuantTest {
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

    /** The value Cast produces in {@code to} from {@code v} held in {@code from}, per the Cast contract. */
    static double castRef(double v, DType from, DType to) {
        if (to == DType.BOOL) {
            return v != 0 ? 1 : 0;
        }
        if (to.isFloat()) {
            return switch (to) {
                case F32 -> (float) v;
                case F16 -> Half.f16ToFloat(Half.floatToF16((float) v));
                default -> Half.bf16ToFloat(Half.floatToBf16((float) v));
            };
        }
        if (Double.isNaN(v)) {
            return 0;
        }
        double t = from.isFloat() ? (v < 0 ? Math.ceil(v) : Math.floor(v)) : v;
        return Math.max(to.minValue(), Math.min(to.maxValue(), t));
    }

    @Test
    void castBetweenEveryPair() {
        double[] values = {0, 1, -1, 2.5, -2.5, 3.75, -0.4, 100, 127, 128, 255, 256, -129, 70000, -3e9, 1e20,
            Double.NaN, Double.POSITIVE_INFINITY, 65519, 1 << 24};
        for (DType from : DType.values()) {
            HostTensor x = HostTensor.allocate(from, values.length);
            for (int i = 0; i < values.length; i++) {
                x.setDouble(i, values[i]);
            }
            for (DType to : DType.values()) {
                double[] e = new double[values.length];
                for (int i = 0; i < e.length; i++) {
                    e[i] = castRef(x.getDouble(i), from, to);
                }
                HostTensor y = run1(device, new Cast(to), x);
                assertEquals(to, y.dtype());
                assertClose(e, y, 0, "cast " + from + " -> " + to);
            }
        }
    }

    @Test
    void quantizePerTensorRoundsHalfToEvenAndSaturates() {
        HostTensor x = of(DType.F32, new int[] {8}, 0.5, 1.5, 2.5, -2.5, 1000, -1000, 0.74, Double.NaN);
        HostTensor scale = of(DType.F32, new int[] {}, 0.5);
        HostTensor zpU = of(DType.U8, new int[] {}, 10);
        // NaN quantizes to 0, as HostTensor stores NaN into integer types.
        assertClose(new double[] {11, 13, 15, 5, 255, 0, 11, 0}, run1(device, new QuantizeLinear(0), x, scale, zpU), 0,
                "uint8");
        HostTensor zpI = of(DType.I8, new int[] {}, -3);
        assertClose(new double[] {-2, 0, 2, -8, 127, -128, -2, 0}, run1(device, new QuantizeLinear(0), x, scale, zpI), 0,
                "int8");
        HostTensor noZp = run1(device, new QuantizeLinear(0), x, scale);
        assertEquals(DType.U8, noZp.dtype());
        assertClose(new double[] {1, 3, 5, 0, 255, 0, 1, 0}, noZp, 0, "default zero point");
    }

    @Test
    void quantizeAndDequantizePerAxis() {
        for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            HostTensor x = of(t, new int[] {2, 3, 2}, 1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6);
            HostTensor scale = of(DType.F32, new int[] {3}, 1, 0.5, 2);
            HostTensor zp = of(DType.I8, new int[] {3}, 0, 1, -1);
            double[] e = new double[12];
            for (int i = 0; i < 12; i++) {
                int c = (i / 2) % 3;
                e[i] = Ref.saturate(Math.rint(x.getDouble(i) / scale.getDouble(c)) + zp.getDouble(c), -128, 127);
            }
            HostTensor q = run1(device, new QuantizeLinear(1), x, scale, zp);
            assertClose(e, q, 0, "quantize axis 1 " + t);
            double[] d = new double[12];
            for (int i = 0; i < 12; i++) {
                int c = (i / 2) % 3;
                d[i] = (q.getDouble(i) - zp.getDouble(c)) * scale.getDouble(c);
            }
            assertClose(d, run1(device, new DequantizeLinear(-2), q, scale, zp), 0, "dequantize axis -2");
        }
    }

    @Test
    void dequantizeEveryInputType() {
        HostTensor scale = of(DType.F32, new int[] {}, 0.25);
        HostTensor u = of(DType.U8, new int[] {3}, 0, 128, 255);
        assertClose(new double[] {-32, 0, 31.75}, run1(device, new DequantizeLinear(0), u, scale, of(DType.U8, new int[] {}, 128)),
                0, "uint8");
        HostTensor s = of(DType.I8, new int[] {3}, -128, 0, 127);
        assertClose(new double[] {-32, 0, 31.75}, run1(device, new DequantizeLinear(0), s, scale), 0, "int8 without zero point");
        HostTensor i = of(DType.I32, new int[] {3}, -1000000, 7, 2000000000);
        assertClose(new double[] {-250000, 1.75, 5e8}, run1(device, new DequantizeLinear(0), i, scale), 1e-7, "int32");
    }
}
