package dev.accel.conformance;

import static dev.accel.conformance.CaseList.FLOATS;
import static dev.accel.conformance.CaseList.t;

import dev.accel.hal.DType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Unary;
import java.util.List;

/**
 * MatMul, Gemm and Conv cases: odd sizes, 1-D and batched broadcasting, empty K and M, every
 * convolution geometry, and convolutions carrying an activation (FusedConv).
 */
final class LinalgCases {
    private static final Gen U = Gen.uniform(-1, 1);

    private LinalgCases() {
    }

    static void addTo(CaseList c) {
        for (DType d : FLOATS) {
            matmul(c, d);
            gemm(c, d);
            conv(c, d);
        }
        c.add("large-256x255x257", new MatMul(), List.of(t(DType.F32, 256, 255), t(DType.F32, 255, 257)), U, U);
        c.add("large-256x255x257", new MatMul(), List.of(t(DType.F16, 256, 255), t(DType.F16, 255, 257)), U, U);
        c.add("large-1x32x56x56-k3", Conv2d.of(1, 1, 1), List.of(t(DType.F32, 1, 32, 56, 56), t(DType.F32, 32, 32, 3, 3),
                t(DType.F32, 32)), U, U, U);
        c.add("large-depthwise-1x64x56x56", Conv2d.of(1, 1, 64), List.of(t(DType.F32, 1, 64, 56, 56),
                t(DType.F32, 64, 1, 3, 3)), U, U);
    }

    private static void matmul(CaseList c, DType d) {
        MatMul m = new MatMul();
        c.add("1x1x1", m, List.of(t(d, 1, 1), t(d, 1, 1)), U, U);
        c.add("3x17x127", m, List.of(t(d, 3, 17), t(d, 17, 127)), U, U);
        c.add("17x127x3", m, List.of(t(d, 17, 127), t(d, 127, 3)), U, U);
        c.add("vec-mat-17-17x5", m, List.of(t(d, 17), t(d, 17, 5)), U, U);
        c.add("mat-vec-4x17-17", m, List.of(t(d, 4, 17), t(d, 17)), U, U);
        c.add("dot-33", m, List.of(t(d, 33), t(d, 33)), U, U);
        c.add("batched-bcast-2x1x5x7-3x7x9", m, List.of(t(d, 2, 1, 5, 7), t(d, 3, 7, 9)), U, U);
        c.add("batched-4x17x3-4x3x19", m, List.of(t(d, 4, 17, 3), t(d, 4, 3, 19)), U, U);
        c.add("k0-3x0x4", m, List.of(t(d, 3, 0), t(d, 0, 4)), U, U);
        c.add("m0-0x5x3", m, List.of(t(d, 0, 5), t(d, 5, 3)), U, U);
    }

    private static void gemm(CaseList c, DType d) {
        c.add("plain-5x7x3", Gemm.plain(), List.of(t(d, 5, 7), t(d, 7, 3)), U, U);
        c.add("transA-c-full", new Gemm(0.5f, 2f, true, false), List.of(t(d, 7, 5), t(d, 7, 3), t(d, 5, 3)), U, U, U);
        c.add("transB-c-row", new Gemm(1f, 1f, false, true), List.of(t(d, 5, 7), t(d, 3, 7), t(d, 3)), U, U, U);
        c.add("transAB-c-scalar", new Gemm(-1.5f, 0.25f, true, true), List.of(t(d, 7, 5), t(d, 3, 7), t(d)), U, U, U);
        c.add("c-column-5x1", new Gemm(1f, -1f, false, false), List.of(t(d, 5, 7), t(d, 7, 3), t(d, 5, 1)), U, U, U);
        c.add("beta0-127x65x129", new Gemm(1f, 0f, false, false), List.of(t(d, 127, 65), t(d, 65, 129), t(d, 129)), U, U, U);
    }

    private static void conv(CaseList c, DType d) {
        c.add("3x3-p1-bias-1x3x17x17", Conv2d.of(1, 1, 1), List.of(t(d, 1, 3, 17, 17), t(d, 8, 3, 3, 3), t(d, 8)), U, U, U);
        c.add("s2-asym-pad-1x4x16x15", new Conv2d(2, 2, 0, 1, 1, 0, 1, 1, 1), List.of(t(d, 1, 4, 16, 15), t(d, 5, 4, 3, 3)), U, U);
        c.add("dilation2-p2-2x3x13x11", new Conv2d(1, 1, 2, 2, 2, 2, 2, 2, 1), List.of(t(d, 2, 3, 13, 11), t(d, 4, 3, 3, 3),
                t(d, 4)), U, U, U);
        c.add("group2-1x4x9x9", Conv2d.of(1, 1, 2), List.of(t(d, 1, 4, 9, 9), t(d, 6, 2, 3, 3), t(d, 6)), U, U, U);
        c.add("depthwise-3x3-1x8x17x17", Conv2d.of(1, 1, 8), List.of(t(d, 1, 8, 17, 17), t(d, 8, 1, 3, 3), t(d, 8)), U, U, U);
        c.add("depthwise-mult2-s2-1x4x11x11", Conv2d.of(2, 1, 4), List.of(t(d, 1, 4, 11, 11), t(d, 8, 1, 3, 3)), U, U);
        c.add("pointwise-2x16x7x7", Conv2d.simple(), List.of(t(d, 2, 16, 7, 7), t(d, 24, 16, 1, 1)), U, U);
        c.add("rect-1x5-s1x2-1x3x11x13", new Conv2d(1, 2, 0, 2, 0, 1, 1, 1, 1), List.of(t(d, 1, 3, 11, 13), t(d, 4, 3, 1, 5)),
                U, U);
        c.add("5x5-s3-1x3x19x19", new Conv2d(3, 3, 2, 2, 1, 1, 1, 1, 1), List.of(t(d, 1, 3, 19, 19), t(d, 4, 3, 5, 5)), U, U);
        c.add("empty-batch-0x3x5x5", Conv2d.simple(), List.of(t(d, 0, 3, 5, 5), t(d, 2, 3, 3, 3)), U, U);
        c.add("relu-3x3-p1-bias-1x4x9x9", new FusedConv(Conv2d.of(1, 1, 1), Unary.of(Unary.Kind.RELU)),
                List.of(t(d, 1, 4, 9, 9), t(d, 6, 4, 3, 3), t(d, 6)), U, U, U);
        c.add("clip-pointwise-2x16x7x7", new FusedConv(Conv2d.simple(), Unary.clip(-0.5f, 0.75f)),
                List.of(t(d, 2, 16, 7, 7), t(d, 24, 16, 1, 1)), U, U);
        c.add("sigmoid-depthwise-1x8x9x9", new FusedConv(Conv2d.of(1, 1, 8), Unary.of(Unary.Kind.SIGMOID)),
                List.of(t(d, 1, 8, 9, 9), t(d, 8, 1, 3, 3), t(d, 8)), U, U, U);
        c.add("residual-relu-pointwise-1x16x7x7", new FusedConv(Conv2d.simple(), Unary.of(Unary.Kind.RELU), true),
                List.of(t(d, 1, 16, 7, 7), t(d, 32, 16, 1, 1), t(d, 32), t(d, 1, 32, 7, 7)), U, U, U, U);
    }
}
