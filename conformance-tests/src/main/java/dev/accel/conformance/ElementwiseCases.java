package dev.accel.conformance;

import static dev.accel.conformance.CaseList.FLOATS;
import static dev.accel.conformance.CaseList.t;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Unary;
import java.util.List;

/** Unary and binary elementwise cases and Sum: odd lengths, scalars, empties, broadcasting, a few large. */
final class ElementwiseCases {
    private ElementwiseCases() {
    }

    static void addTo(CaseList c) {
        for (DType d : FLOATS) {
            unary(c, d);
            binary(c, d);
            prelu(c, d);
            sum(c, d);
        }
        c.add("large-1Mi", Unary.of(Unary.Kind.RELU), List.of(t(DType.F32, 1 << 20)), Gen.uniform(-4, 4));
        c.add("large-1Mi", Unary.of(Unary.Kind.GELU), List.of(t(DType.F32, 1 << 20)), Gen.uniform(-6, 6));
        c.add("large-1Mi", Unary.of(Unary.Kind.EXP), List.of(t(DType.F32, 1 << 20)), Gen.uniform(-5, 5));
        c.add("large-1Mi", Unary.of(Unary.Kind.SIGMOID), List.of(t(DType.F16, 1 << 20)), Gen.uniform(-8, 8));
        c.add("large-1024x1023-bcast", new Binary(Binary.Kind.ADD), List.of(t(DType.F32, 1024, 1023), t(DType.F32, 1023)),
                Gen.uniform(-4, 4), Gen.uniform(-4, 4));
        c.add("large-1024x1023", new Binary(Binary.Kind.MUL), List.of(t(DType.BF16, 1024, 1023), t(DType.BF16, 1024, 1023)),
                Gen.uniform(-4, 4), Gen.uniform(-4, 4));
    }

    private static Unary withParameters(Unary.Kind k) {
        return switch (k) {
            case LEAKY_RELU -> Unary.leakyRelu(0.1f);
            case CLIP -> Unary.clip(-1f, 2f);
            case HARD_SIGMOID -> Unary.hardSigmoid(0.25f, 0.4f);
            default -> Unary.of(k);
        };
    }

    private static Gen unaryInput(Unary.Kind k) {
        return switch (k) {
            case SQRT -> Gen.uniform(0.01, 10);
            case EXP -> Gen.uniform(-5, 5);
            case HARD_SWISH, HARD_SIGMOID -> Gen.uniform(-5, 5);
            default -> Gen.uniform(-4, 4);
        };
    }

    private static void unary(CaseList c, DType d) {
        List<TensorType> shapes = List.of(t(d, 1), t(d, 127), t(d, 3, 17), t(d), t(d, 0));
        List<String> names = List.of("n1", "n127", "3x17", "scalar", "empty");
        for (Unary.Kind k : Unary.Kind.values()) {
            for (int i = 0; i < shapes.size(); i++) {
                c.add(names.get(i), withParameters(k), List.of(shapes.get(i)), unaryInput(k));
            }
        }
        c.add("unbounded-n17", Unary.of(Unary.Kind.CLIP), List.of(t(d, 17)), Gen.uniform(-100, 100));
        c.add("default-alpha-n17", Unary.of(Unary.Kind.LEAKY_RELU), List.of(t(d, 17)), Gen.uniform(-4, 4));
    }

    private static void binary(CaseList c, DType d) {
        int[][][] shapes = {
            {{1}, {1}},
            {{127}, {127}},
            {{3, 1, 17}, {4, 17}},
            {{5, 7}, {}},
            {{16, 33}, {33}},
            {{1, 17}, {5, 1}},
            {{0, 3}, {3}},
        };
        String[] names = {"n1", "same-127", "bcast-3x1x17-4x17", "scalar-rhs", "row-16x33-33", "outer-1x17-5x1", "empty-0x3-3"};
        for (Binary.Kind k : Binary.Kind.values()) {
            if (k == Binary.Kind.PRELU) {
                continue;
            }
            Gen a = k == Binary.Kind.POW ? Gen.uniform(0.5, 2) : Gen.uniform(-4, 4);
            Gen b = switch (k) {
                case DIV -> Gen.awayFromZero(0.5, 4);
                case POW -> Gen.uniform(-2, 2);
                default -> Gen.uniform(-4, 4);
            };
            for (int i = 0; i < shapes.length; i++) {
                c.add(names[i], new Binary(k), List.of(t(d, shapes[i][0]), t(d, shapes[i][1])), a, b);
            }
        }
        c.add("neg-base-int-exp", new Binary(Binary.Kind.POW), List.of(t(d, 17), t(d, 17)), Gen.uniform(-2, -0.5),
                Gen.fixed(0, 1, 2, 3, -1, -2, 2, 1, 0, 3, 1, 2, -1, 2, 1, 0, 2));
    }

    private static void prelu(CaseList c, DType d) {
        Binary p = new Binary(Binary.Kind.PRELU);
        c.add("channel-2x3x5x5-3x1x1", p, List.of(t(d, 2, 3, 5, 5), t(d, 3, 1, 1)), Gen.uniform(-4, 4), Gen.uniform(0, 0.5));
        c.add("scalar-slope-4x17", p, List.of(t(d, 4, 17), t(d, 1)), Gen.uniform(-4, 4), Gen.uniform(0, 0.5));
        c.add("same-127", p, List.of(t(d, 127), t(d, 127)), Gen.uniform(-4, 4), Gen.uniform(-0.5, 0.5));
    }

    private static void sum(CaseList c, DType d) {
        Gen g = Gen.uniform(-4, 4);
        c.add("one-17", new Sum(), List.of(t(d, 17)), g);
        c.add("two-3x17", new Sum(), List.of(t(d, 3, 17), t(d, 3, 17)), g, g);
        c.add("three-bcast-2x1x5-3x1-5", new Sum(), List.of(t(d, 2, 1, 5), t(d, 3, 1), t(d, 5)), g, g, g);
    }
}
