package dev.accel.cli;

import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A handful of representative op specs per dtype, and how a device's {@link Capabilities} answers
 * them: enough for {@code accel devices} to show at a glance what a device runs natively, what it
 * emulates and what it cannot run. The full answer is the conformance report.
 */
final class CapabilitySummary {
    /** The dtypes summarised, in print order. */
    static final List<DType> DTYPES = List.of(DType.F32, DType.F16, DType.BF16, DType.I8);

    private CapabilitySummary() {
    }

    /**
     * Counts of support levels for one dtype, with the specs that were not NATIVE.
     *
     * @param dtype the dtype
     * @param counts specs per level
     * @param notNative each spec that was EMULATED or UNSUPPORTED, with the answer
     */
    record Row(DType dtype, Map<Support.Level, Integer> counts, Map<OpSpec, Support> notNative) {
        int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }

        int count(Support.Level level) {
            return counts.getOrDefault(level, 0);
        }

        /** "12 specs: 12 native, 0 emulated, 0 unsupported". */
        String line() {
            return total() + " specs: " + count(Support.Level.NATIVE) + " native, " + count(Support.Level.EMULATED)
                    + " emulated, " + count(Support.Level.UNSUPPORTED) + " unsupported";
        }
    }

    /** Asks {@code caps} about every representative spec; a capability query that throws counts as UNSUPPORTED. */
    static List<Row> of(Capabilities caps) {
        List<Row> rows = new ArrayList<>();
        for (DType d : DTYPES) {
            Map<Support.Level, Integer> counts = new EnumMap<>(Support.Level.class);
            for (Support.Level l : Support.Level.values()) {
                counts.put(l, 0);
            }
            Map<OpSpec, Support> notNative = new LinkedHashMap<>();
            for (OpSpec spec : specs(d)) {
                Support s;
                try {
                    s = caps.support(spec);
                } catch (RuntimeException e) {
                    s = Support.unsupported("the capability query threw " + e.getClass().getSimpleName() + ": "
                            + e.getMessage());
                }
                counts.merge(s.level(), 1, Integer::sum);
                if (s.level() != Support.Level.NATIVE) {
                    notNative.put(spec, s);
                }
            }
            rows.add(new Row(d, counts, notNative));
        }
        return rows;
    }

    /** The representative specs of one dtype: float ops for the float types, the quantized ops for I8. */
    static List<OpSpec> specs(DType d) {
        return d == DType.I8 ? int8Specs() : floatSpecs(d);
    }

    private static List<OpSpec> floatSpecs(DType d) {
        TensorType image = t(d, 1, 16, 17, 17);
        TensorType c16 = t(d, 16);
        List<OpSpec> s = new ArrayList<>();
        s.add(OpSpec.of(new MatMul(), t(d, 2, 33, 64), t(d, 64, 31)));
        s.add(OpSpec.of(new Gemm(1f, 1f, false, true), t(d, 8, 64), t(d, 32, 64), t(d, 32)));
        s.add(OpSpec.of(Conv2d.of(1, 1, 1), image, t(d, 32, 16, 3, 3), t(d, 32)));
        s.add(OpSpec.of(Conv2d.of(2, 1, 16), image, t(d, 16, 1, 3, 3)));
        s.add(OpSpec.of(Pool2d.max(3, 2, 1), image));
        s.add(OpSpec.of(Pool2d.average(3, 1, 1, false), image));
        s.add(OpSpec.of(new GlobalAveragePool(), image));
        s.add(OpSpec.of(new BatchNorm(1e-5f), image, c16, c16, c16, c16));
        s.add(OpSpec.of(new LayerNorm(-1, 1e-5f), t(d, 4, 8, 64), t(d, 64), t(d, 64)));
        s.add(OpSpec.of(new Softmax(-1), t(d, 8, 1000)));
        s.add(OpSpec.of(new Binary(Binary.Kind.ADD), t(d, 2, 8, 16), t(d, 16)));
        s.add(OpSpec.of(Unary.of(Unary.Kind.RELU), image));
        s.add(OpSpec.of(Unary.of(Unary.Kind.GELU), t(d, 4, 127)));
        s.add(OpSpec.of(new Transpose(List.of(0, 2, 1, 3, 4)), t(d, 1, 4, 8, 9, 9)));
        s.add(OpSpec.of(new Reshape(Shape.of(1, 16 * 17 * 17)), image));
        s.add(OpSpec.of(new Concat(1), image, image));
        s.add(OpSpec.of(Attention.standard(), t(d, 1, 2, 16, 32), t(d, 1, 2, 16, 32), t(d, 1, 2, 16, 32)));
        s.add(OpSpec.of(new Cast(d == DType.F32 ? DType.F16 : DType.F32), t(d, 3, 17)));
        return s;
    }

    private static List<OpSpec> int8Specs() {
        DType q = DType.I8;
        TensorType scale = TensorType.of(DType.F32);
        TensorType zero = TensorType.of(q);
        TensorType image = TensorType.of(q, 1, 16, 17, 17);
        List<OpSpec> s = new ArrayList<>();
        s.add(OpSpec.of(new QuantizeLinear(1), TensorType.of(DType.F32, 1, 16, 17, 17), scale, zero));
        s.add(OpSpec.of(new DequantizeLinear(0), TensorType.of(q, 32, 64), TensorType.of(DType.F32, 32),
                TensorType.of(q, 32)));
        s.add(OpSpec.of(new MatMulInteger(), TensorType.of(q, 33, 64), TensorType.of(q, 64, 31), zero, zero));
        s.add(OpSpec.of(new QLinearMatMul(), TensorType.of(q, 33, 64), scale, zero, TensorType.of(q, 64, 31),
                TensorType.of(DType.F32, 31), TensorType.of(q, 31), scale, zero));
        s.add(OpSpec.of(new ConvInteger(Conv2d.of(1, 1, 1)), image, TensorType.of(q, 32, 16, 3, 3), zero, zero));
        s.add(OpSpec.of(new QLinearConv(Conv2d.of(1, 1, 1)), image, scale, zero, TensorType.of(q, 32, 16, 3, 3),
                TensorType.of(DType.F32, 32), TensorType.of(q, 32), scale, zero, TensorType.of(DType.I32, 32)));
        s.add(OpSpec.of(new Transpose(List.of(0, 2, 3, 1)), image));
        s.add(OpSpec.of(new Reshape(Shape.of(16, 17 * 17)), image));
        s.add(OpSpec.of(new Concat(1), image, image));
        s.add(OpSpec.of(new Cast(DType.F32), image));
        return s;
    }

    private static TensorType t(DType d, int... dims) {
        return TensorType.of(d, dims);
    }
}
