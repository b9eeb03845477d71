package dev.accel.conformance;

import static dev.accel.conformance.CaseList.anyValues;
import static dev.accel.conformance.CaseList.t;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.util.List;

/**
 * Layout cases for every dtype (Identity, Reshape, Transpose, Concat, Slice, Split, Pad), channel
 * shuffle as Reshape + Transpose + Reshape, and Cast between every pair of dtypes.
 */
final class LayoutCases {
    private LayoutCases() {
    }

    static void addTo(CaseList c) {
        for (DType d : DType.values()) {
            layout(c, d);
            channelShuffle(c, d);
            for (DType to : DType.values()) {
                cast(c, d, to);
            }
        }
        c.add("large-64x56x56-nchw-nhwc", new Transpose(List.of(0, 2, 3, 1)), List.of(t(DType.F32, 1, 64, 56, 56)),
                anyValues(DType.F32));
    }

    private static void layout(CaseList c, DType d) {
        Gen g = anyValues(d);
        c.add("n17", new Identity(), List.of(t(d, 17)), g);
        c.add("scalar", new Identity(), List.of(t(d)), g);
        c.add("empty-0x3", new Identity(), List.of(t(d, 0, 3)), g);

        c.add("3x4x5-12x5", new Reshape(Shape.of(12, 5)), List.of(t(d, 3, 4, 5)), g);
        c.add("17-1x17x1", new Reshape(Shape.of(1, 17, 1)), List.of(t(d, 17)), g);
        c.add("empty-0x4-4x0", new Reshape(Shape.of(4, 0)), List.of(t(d, 0, 4)), g);

        c.add("2d-17x33", new Transpose(List.of(1, 0)), List.of(t(d, 17, 33)), g);
        c.add("3d-201-3x5x7", new Transpose(List.of(2, 0, 1)), List.of(t(d, 3, 5, 7)), g);
        c.add("nchw-nhwc-2x3x5x7", new Transpose(List.of(0, 2, 3, 1)), List.of(t(d, 2, 3, 5, 7)), g);
        c.add("reverse-2x3x4", new Transpose(List.of()), List.of(t(d, 2, 3, 4)), g);
        c.add("empty-0x3", new Transpose(List.of(1, 0)), List.of(t(d, 0, 3)), g);
        c.add("shuffle-5d-1x2x3x5x5", new Transpose(List.of(0, 2, 1, 3, 4)), List.of(t(d, 1, 2, 3, 5, 5)), g);

        c.add("axis0-2x3-5x3", new Concat(0), List.of(t(d, 2, 3), t(d, 5, 3)), g, g);
        c.add("axis-1-three-3x1-3x17-3x4", new Concat(-1), List.of(t(d, 3, 1), t(d, 3, 17), t(d, 3, 4)), g, g, g);
        c.add("with-empty-axis1", new Concat(1), List.of(t(d, 2, 0, 3), t(d, 2, 4, 3)), g, g);
        c.add("single-7", new Concat(0), List.of(t(d, 7)), g);

        c.add("basic-5x17", new Slice(List.of(1, 2), List.of(4, 15), List.of(), List.of()), List.of(t(d, 5, 17)), g);
        c.add("reverse-17", new Slice(List.of(-1), List.of(-100), List.of(0), List.of(-1)), List.of(t(d, 17)), g);
        c.add("axes-steps-4x9x6", new Slice(List.of(1, 0), List.of(6, 3), List.of(2, 0), List.of(2, 1)), List.of(t(d, 4, 9, 6)),
                g);
        c.add("neg-step3-9x10", new Slice(List.of(8, -2), List.of(0, 1), List.of(), List.of(-3, -2)), List.of(t(d, 9, 10)), g);
        c.add("clamped-7x5", new Slice(List.of(-100, 2), List.of(100, 1000), List.of(), List.of()), List.of(t(d, 7, 5)), g);
        c.add("empty-result-5x6", new Slice(List.of(3), List.of(1), List.of(0), List.of()), List.of(t(d, 5, 6)), g);

        c.add("axis0-2-3", new Split(0, List.of(2, 3)), List.of(t(d, 5, 4)), g);
        c.add("axis-1-with-zero", new Split(-1, List.of(3, 0, 4)), List.of(t(d, 3, 7)), g);
        c.add("axis1-three-2x9x3", new Split(1, List.of(1, 5, 3)), List.of(t(d, 2, 9, 3)), g);

        float value = d.isFloat() ? 0.5f : d == DType.BOOL ? 1f : 7f;
        c.add("constant-3x5", new Pad(Pad.Mode.CONSTANT, List.of(1, 2, 0, 3), value), List.of(t(d, 3, 5)), g);
        c.add("constant-zero-nchw", new Pad(Pad.Mode.CONSTANT, List.of(0, 0, 1, 1, 0, 0, 1, 1), 0f), List.of(t(d, 1, 2, 5, 5)),
                g);
        c.add("edge-2x3x4", new Pad(Pad.Mode.EDGE, List.of(0, 1, 2, 1, 0, 1), 0f), List.of(t(d, 2, 3, 4)), g);
        c.add("reflect-4x5", new Pad(Pad.Mode.REFLECT, List.of(2, 1, 1, 3), 0f), List.of(t(d, 4, 5)), g);
        c.add("constant-empty-axis-0x3", new Pad(Pad.Mode.CONSTANT, List.of(1, 0, 1, 0), value), List.of(t(d, 0, 3)), g);
    }

    /** Channel shuffle of 12 channels in 3 groups: Reshape to [1, 3, 4, 7, 9], swap the group axes, Reshape back. */
    private static void channelShuffle(CaseList c, DType d) {
        TensorType x = t(d, 1, 12, 7, 9);
        OpSpec split = OpSpec.of(new Reshape(Shape.of(1, 3, 4, 7, 9)), x);
        OpSpec swap = OpSpec.of(new Transpose(List.of(0, 2, 1, 3, 4)), split.outputs().getFirst());
        OpSpec merge = OpSpec.of(new Reshape(Shape.of(1, 12, 7, 9)), swap.outputs().getFirst());
        String l = Labels.of(d);
        c.add(new OpCase("ChannelShuffle/" + l + "/g3-1x12x7x9", "ChannelShuffle", l,
                "1x12x7x9 -> 1x3x4x7x9 -> 1x4x3x7x9 -> 1x12x7x9", List.of(split, swap, merge), List.of(anyValues(d))));
    }

    private static void cast(CaseList c, DType from, DType to) {
        String l = Labels.of(from) + "->" + Labels.of(to);
        c.add(l, "n127", new Cast(to), List.of(t(from, 127)), castInput(from, to));
        if (from.isFloat()) {
            double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 0.5, -0.5, 1.5,
                -1.5, 2.5, -2.5, 70000, -70000, 1e-6, -1e-8, 3e9, -3e9, 255.9, 127.5, -128.7, 0.1};
            c.add(l, "specials", new Cast(to), List.of(t(from, specials.length)), Gen.fixed(specials));
        }
    }

    /** Values for a Cast: out-of-range and fractional for float sources; within the target's range for integer sources. */
    private static Gen castInput(DType from, DType to) {
        if (from == DType.BOOL) {
            return Gen.bools(0.5);
        }
        if (from.isFloat()) {
            return switch (to) {
                case I8 -> Gen.uniform(-200, 200);
                case U8 -> Gen.uniform(-60, 300);
                case I32, I64 -> Gen.uniform(-3e9, 3e9);
                case BOOL -> Gen.withSpecials(Gen.uniform(-2, 2), 0, 0, -0.0);
                default -> Gen.uniform(-1000, 1000);
            };
        }
        double lo = Math.max(from.minValue(), to.isFloat() || to == DType.BOOL ? -1e15 : to.minValue());
        double hi = Math.min(from.maxValue(), to.isFloat() || to == DType.BOOL ? 1e15 : to.maxValue());
        lo = Math.max(lo, -(1L << 40));
        hi = Math.min(hi, 1L << 40);
        Gen g = Gen.ints((long) lo, (long) hi);
        return to == DType.BOOL ? Gen.withSpecials(g, 0, 0) : g;
    }
}
