package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Cast;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Cast between all 64 pairs of dtypes on edge values, compared bit for bit with the hal Cast semantics. */
class VulkanCastTest extends VulkanTestSupport {
    private static final double[] FLOAT_VALUES = {0, -0.0, 0.4, -0.6, 1.5, 2.5, -2.5, 127.9, 128, -128.5, -129, 255.5, 256,
        65504, 70000, 3e9, -3e9, 1e20, -1e20, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-8, 0.1};
    private static final long[] INT_VALUES = {0, 1, -1, 127, 128, -128, -129, 255, 256, Integer.MAX_VALUE, Integer.MIN_VALUE,
        16777217, -16777219, 1L << 40, (1L << 53) + 1, -(1L << 62) - 3, Long.MAX_VALUE, Long.MIN_VALUE, 65519, 65521};

    /** A source tensor holding the edge values representable (or saturated) in {@code dt}. */
    static HostTensor source(DType dt) {
        if (dt.isFloat()) {
            return HostTensor.fromDoubles(dt, Shape.of(FLOAT_VALUES.length), FLOAT_VALUES);
        }
        HostTensor t = HostTensor.allocate(dt, INT_VALUES.length);
        for (int i = 0; i < INT_VALUES.length; i++) {
            if (dt == DType.I64) {
                t.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, INT_VALUES[i]);
            } else {
                t.setDouble(i, INT_VALUES[i]);
            }
        }
        return t;
    }

    static long longAt(HostTensor t, long i) {
        return t.dtype() == DType.I64 ? t.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i) : (long) t.getDouble(i);
    }

    /** Writes the hal-specified cast of element i of src into element i of dst. */
    static void castRef(HostTensor src, long i, HostTensor dst) {
        DType to = dst.dtype();
        if (src.dtype().isFloat()) {
            double v = src.getDouble(i);
            if (to.isFloat()) {
                dst.setDouble(i, v);
            } else if (to == DType.BOOL) {
                dst.setDouble(i, v != 0 ? 1 : 0);
            } else if (to == DType.I64) {
                long r = Double.isNaN(v) ? 0 : (long) v; // Java's (long) truncates and saturates
                dst.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i, r);
            } else {
                dst.setDouble(i, Double.isNaN(v) ? 0 : Math.max(to.minValue(), Math.min(to.maxValue(), v < 0 ? Math.ceil(v) : Math.floor(v))));
            }
            return;
        }
        long l = longAt(src, i);
        if (to.isFloat()) {
            dst.setDouble(i, (float) l); // integer to float32 rounds to nearest, then to the half type
        } else if (to == DType.BOOL) {
            dst.setDouble(i, l != 0 ? 1 : 0);
        } else if (to == DType.I64) {
            dst.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i, l);
        } else {
            dst.setDouble(i, Math.max(to.minValue(), Math.min(to.maxValue(), l)));
        }
    }

    @Test
    void everyPairOfDTypes() {
        int pairs = 0;
        for (DType from : DType.values()) {
            HostTensor x = source(from);
            for (DType to : DType.values()) {
                HostTensor y = run(new Cast(to), x)[0];
                HostTensor want = HostTensor.allocate(y.type());
                for (long i = 0; i < x.numel(); i++) {
                    castRef(x, i, want);
                }
                for (long i = 0; i < x.numel(); i++) {
                    long got = VulkanLayoutTest.raw(y, i);
                    long exp = VulkanLayoutTest.raw(want, i);
                    boolean bothNaN = to.isFloat() && Double.isNaN(y.getDouble(i)) && Double.isNaN(want.getDouble(i));
                    if (!bothNaN) {
                        assertEquals(Long.toHexString(exp), Long.toHexString(got), "Cast " + from + " -> " + to + " of element " + i
                                + " (" + (from.isFloat() ? x.getDouble(i) : longAt(x, i)) + ")");
                    }
                }
                pairs++;
            }
        }
        assertEquals(64, pairs);
    }
}
