package dev.accel.backend.cuda;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * One op test case: a spec, how to fill each input, and the float64 reference that gives the
 * expected outputs from the inputs' stored values. Used by the plan emulator test (here) and the
 * GPU tests (on a machine with an NVIDIA GPU).
 */
record CudaCase(String name, OpSpec spec, List<Fill> fills, Function<List<double[]>, List<double[]>> reference) {
    /** How to fill one input. */
    @FunctionalInterface
    interface Fill {
        double value(Random r, int i);

        static Fill uniform(double lo, double hi) {
            return (r, i) -> lo + (hi - lo) * r.nextDouble();
        }

        static Fill ints(int lo, int hi) {
            return (r, i) -> lo + r.nextInt(hi - lo + 1);
        }

        static Fill constant(double v) {
            return (r, i) -> v;
        }
    }

    static CudaCase of(String name, Op op, List<TensorType> inputs, List<Fill> fills,
                       Function<List<double[]>, List<double[]>> reference) {
        return new CudaCase(name, OpSpec.of(op, inputs), fills, reference);
    }

    /** The inputs, filled from a generator seeded by the case name (the same values every run). */
    List<HostTensor> inputs() {
        Random r = new Random(name.hashCode());
        List<HostTensor> out = new ArrayList<>();
        for (int i = 0; i < spec.inputs().size(); i++) {
            HostTensor t = HostTensor.allocate(spec.inputs().get(i));
            Fill f = fills.get(Math.min(i, fills.size() - 1));
            for (int e = 0; e < t.numel(); e++) {
                t.setDouble(e, f.value(r, e));
            }
            out.add(t);
        }
        return out;
    }

    /** Expected outputs for these inputs (their stored values, so half inputs count as rounded). */
    List<double[]> expected(List<HostTensor> inputs) {
        List<double[]> in = new ArrayList<>();
        for (HostTensor t : inputs) {
            in.add(t.toDoubleArray());
        }
        return reference.apply(in);
    }

    /** Allowed absolute error at an expected value: per output dtype, requantized outputs within 1. */
    double tolerance(DType out, double expected) {
        return switch (out) {
            case F32 -> 1e-4 + 1e-4 * Math.abs(expected);
            case F16 -> 1e-2 + 2e-3 * Math.abs(expected);
            case BF16 -> 4e-2 + 1e-2 * Math.abs(expected);
            case I8, U8 -> spec.op() instanceof dev.accel.hal.op.QLinearMatMul || spec.op() instanceof dev.accel.hal.op.QLinearConv ? 1 : 0;
            default -> 0;
        };
    }

    /** The first element outside tolerance, as a message, or null when all agree (NaN must meet NaN). */
    String compare(List<HostTensor> actual, List<double[]> expected) {
        for (int o = 0; o < expected.size(); o++) {
            double[] got = actual.get(o).toDoubleArray();
            double[] want = expected.get(o);
            if (got.length != want.length) {
                return name + " output " + o + ": " + got.length + " elements, expected " + want.length;
            }
            DType d = spec.outputs().get(o).dtype();
            for (int i = 0; i < got.length; i++) {
                boolean same = got[i] == want[i] || (Double.isNaN(got[i]) && Double.isNaN(want[i]));
                if (!same && !(Math.abs(got[i] - want[i]) <= tolerance(d, want[i]))) {
                    return name + " (" + spec + ") output " + o + " element " + i + ": got " + got[i] + ", expected " + want[i]
                            + " (tolerance " + tolerance(d, want[i]) + ")";
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
