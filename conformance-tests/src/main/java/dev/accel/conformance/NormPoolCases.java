package dev.accel.conformance;

import static dev.accel.conformance.CaseList.FLOATS;
import static dev.accel.conformance.CaseList.t;

import dev.accel.hal.DType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.Pool2d.PoolKind;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.util.List;

/** Pooling, normalisation, Softmax, ReduceMean and Attention cases. */
final class NormPoolCases {
    private static final Gen U = Gen.uniform(-1, 1);
    private static final Gen WIDE = Gen.uniform(-5, 5);

    private NormPoolCases() {
    }

    static void addTo(CaseList c) {
        for (DType d : FLOATS) {
            pools(c, d, PoolKind.MAX);
            pools(c, d, PoolKind.AVERAGE);
            norms(c, d);
            attention(c, d);
        }
        Attention plain = Attention.standard();
        c.add("large-2x4x64x32", plain, List.of(t(DType.F32, 2, 4, 64, 32), t(DType.F32, 2, 4, 64, 32),
                t(DType.F32, 2, 4, 64, 32)), U, U, U);
        c.add("large-causal-1x4x128x64", new Attention(Float.NaN, true), List.of(t(DType.F16, 1, 4, 128, 64),
                t(DType.F16, 1, 4, 128, 64), t(DType.F16, 1, 4, 128, 64)), U, U, U);
        c.add("large-1x1000", new Softmax(-1), List.of(t(DType.F32, 8, 1000)), WIDE);
    }

    private static Pool2d pool(PoolKind k, int kh, int kw, int s, int pt, int pl, int pb, int pr, int dil, boolean ceil,
                               boolean incl) {
        return new Pool2d(k, kh, kw, s, s, pt, pl, pb, pr, dil, dil, ceil, incl);
    }

    private static void pools(CaseList c, DType d, PoolKind k) {
        c.add("2x2-s2-1x3x16x16", pool(k, 2, 2, 2, 0, 0, 0, 0, 1, false, false), List.of(t(d, 1, 3, 16, 16)), WIDE);
        c.add("3x3-s2-p1-2x4x17x17", pool(k, 3, 3, 2, 1, 1, 1, 1, 1, false, false), List.of(t(d, 2, 4, 17, 17)), WIDE);
        c.add("3x3-s2-ceil-1x2x16x16", pool(k, 3, 3, 2, 0, 0, 0, 0, 1, true, false), List.of(t(d, 1, 2, 16, 16)), WIDE);
        c.add("2x2-s1-asym-pad-1x3x9x10", pool(k, 2, 2, 1, 0, 1, 1, 0, 1, false, false), List.of(t(d, 1, 3, 9, 10)), WIDE);
        c.add("2x2-dil2-1x2x11x11", pool(k, 2, 2, 1, 0, 0, 0, 0, 2, false, false), List.of(t(d, 1, 2, 11, 11)), WIDE);
        c.add("3x1-p1x0-1x3x7x5", pool(k, 3, 1, 1, 1, 0, 1, 0, 1, false, false), List.of(t(d, 1, 3, 7, 5)), WIDE);
        c.add("ceil-drop-2x2-s2-p1-1x2x5x5", pool(k, 2, 2, 2, 1, 1, 1, 1, 1, true, false), List.of(t(d, 1, 2, 5, 5)), WIDE);
        if (k == PoolKind.AVERAGE) {
            c.add("3x3-s2-p1-incl-2x4x17x17", pool(k, 3, 3, 2, 1, 1, 1, 1, 1, false, true), List.of(t(d, 2, 4, 17, 17)), WIDE);
            c.add("ceil-3x3-s2-p1-incl-1x2x10x10", pool(k, 3, 3, 2, 1, 1, 1, 1, 1, true, true), List.of(t(d, 1, 2, 10, 10)),
                    WIDE);
            c.add("ceil-drop-2x2-s2-p1-incl-1x2x5x5", pool(k, 2, 2, 2, 1, 1, 1, 1, 1, true, true),
                    List.of(t(d, 1, 2, 5, 5)), WIDE);
        }
    }

    private static void norms(CaseList c, DType d) {
        GlobalAveragePool gap = new GlobalAveragePool();
        c.add("1x3x7x7", gap, List.of(t(d, 1, 3, 7, 7)), WIDE);
        c.add("2x5x1x1", gap, List.of(t(d, 2, 5, 1, 1)), WIDE);
        c.add("1x16x17x13", gap, List.of(t(d, 1, 16, 17, 13)), WIDE);

        BatchNorm bn = new BatchNorm(1e-5f);
        Gen scale = Gen.uniform(0.5, 1.5);
        Gen var = Gen.uniform(0.1, 2);
        for (int[] dims : new int[][] {{2, 3, 5, 5}, {1, 17}, {2, 4, 3}}) {
            int ch = dims[1];
            c.add(Labels.dims(dev.accel.hal.Shape.of(dims)), bn, List.of(t(d, dims), t(d, ch), t(d, ch), t(d, ch), t(d, ch)),
                    WIDE, scale, U, U, var);
        }

        c.add("axis-1-3x127", new LayerNorm(-1, 1e-5f), List.of(t(d, 3, 127), t(d, 127), t(d, 127)), WIDE, scale, U);
        c.add("axis1-2x3x5x7-b5x7", new LayerNorm(1, 1e-5f), List.of(t(d, 2, 3, 5, 7), t(d, 3, 5, 7), t(d, 5, 7)), WIDE, scale,
                U);
        c.add("no-bias-4x17", new LayerNorm(-1, 1e-3f), List.of(t(d, 4, 17), t(d, 17)), WIDE, scale);
        c.add("scale-bcast-2x3x17", new LayerNorm(-1, 1e-5f), List.of(t(d, 2, 3, 17), t(d, 1), t(d, 17)), WIDE, scale, U);

        c.add("size3-1x7x5x5", new Lrn(3, 0.1f, 0.75f, 1f), List.of(t(d, 1, 7, 5, 5)), WIDE);
        c.add("size5-2x9x4x3", new Lrn(5, 0.2f, 0.5f, 2f), List.of(t(d, 2, 9, 4, 3)), WIDE);
        c.add("size2-even-1x4x3x3", new Lrn(2, 0.1f, 0.75f, 1f), List.of(t(d, 1, 4, 3, 3)), WIDE);

        c.add("axis-1-3x17", new Softmax(-1), List.of(t(d, 3, 17)), WIDE);
        c.add("axis1-2x5x3", new Softmax(1), List.of(t(d, 2, 5, 3)), WIDE);
        c.add("axis0-127", new Softmax(0), List.of(t(d, 127)), WIDE);
        c.add("single-4x1", new Softmax(-1), List.of(t(d, 4, 1)), WIDE);

        c.add("all-keep-3x5x7", new ReduceMean(List.of(), true), List.of(t(d, 3, 5, 7)), WIDE);
        c.add("axis1-keep-2x17x3", new ReduceMean(List.of(1), true), List.of(t(d, 2, 17, 3)), WIDE);
        c.add("axis-1-drop-4x127", new ReduceMean(List.of(-1), false), List.of(t(d, 4, 127)), WIDE);
        c.add("axes0-2-drop-3x4x5", new ReduceMean(List.of(0, 2), false), List.of(t(d, 3, 4, 5)), WIDE);
    }

    private static void attention(CaseList c, DType d) {
        Attention plain = Attention.standard();
        Attention causal = new Attention(Float.NaN, true);
        c.add("1x2x5x8", plain, List.of(t(d, 1, 2, 5, 8), t(d, 1, 2, 5, 8), t(d, 1, 2, 5, 8)), U, U, U);
        c.add("causal-2x2x7x16", causal, List.of(t(d, 2, 2, 7, 16), t(d, 2, 2, 7, 16), t(d, 2, 2, 7, 16)), U, U, U);
        c.add("causal-sq3-sk11", causal, List.of(t(d, 1, 2, 3, 8), t(d, 1, 2, 11, 8), t(d, 1, 2, 11, 8)), U, U, U);
        c.add("additive-mask-5x9-dv6", plain, List.of(t(d, 2, 3, 5, 4), t(d, 2, 3, 9, 4), t(d, 2, 3, 9, 6), t(d, 5, 9)),
                U, U, U, Gen.uniform(-2, 0));
        c.add("bool-mask-1x1x5x9", plain, List.of(t(d, 1, 2, 5, 4), t(d, 1, 2, 9, 4), t(d, 1, 2, 9, 4),
                t(DType.BOOL, 1, 1, 5, 9)), U, U, U, Gen.bools(0.7));
        c.add("scale0.5-causal-mask", new Attention(0.5f, true), List.of(t(d, 1, 1, 6, 5), t(d, 1, 1, 6, 5), t(d, 1, 1, 6, 3),
                t(d, 1, 1, 1, 6)), U, U, U, Gen.uniform(-1, 0));
    }
}
