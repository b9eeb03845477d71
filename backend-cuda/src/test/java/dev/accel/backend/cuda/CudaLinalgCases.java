package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaCase.Fill.uniform;
import static dev.accel.backend.cuda.CudaOpCases.t;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import java.util.ArrayList;
import java.util.List;

/** MatMul, Gemm, Conv2d and Attention cases in one float dtype: batch broadcasting, 1-D operands, transposes, groups. */
final class CudaLinalgCases {
    private CudaLinalgCases() {
    }

    static void add(List<CudaCase> c, DType d, String s) {
        matmul(c, d, "MatMul-bcast" + s, new int[] {2, 1, 33, 17}, new int[] {3, 17, 45});
        matmul(c, d, "MatMul-vec-left" + s, new int[] {17}, new int[] {2, 17, 5});
        matmul(c, d, "MatMul-vec-right" + s, new int[] {4, 17}, new int[] {17});
        matmul(c, d, "MatMul-aligned" + s, new int[] {130, 64}, new int[] {64, 136});
        matmul(c, d, "MatMul-tail" + s, new int[] {129, 40}, new int[] {40, 131});
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Gemm g = new Gemm(0.5f, 2f, ta, tb);
                int m = 37;
                int k = 48;
                int n = 40;
                int[] ad = ta ? new int[] {k, m} : new int[] {m, k};
                int[] bd = tb ? new int[] {n, k} : new int[] {k, n};
                int[] cd = {n};
                c.add(CudaCase.of("Gemm-" + (ta ? "t" : "n") + (tb ? "t" : "n") + s, g, List.of(t(d, ad), t(d, bd), t(d, cd)),
                        List.of(uniform(-1, 1)), in -> List.of(CudaLinalgReference.gemm(g, in.get(0), ad, in.get(1), bd, in.get(2), cd))));
            }
        }
        conv(c, d, "Conv-gemm" + s, new Conv2d(2, 1, 1, 0, 2, 1, 1, 2, 1), new int[] {2, 4, 9, 11}, new int[] {20, 4, 3, 3}, true);
        conv(c, d, "Conv-groups" + s, Conv2d.of(1, 1, 2), new int[] {1, 8, 7, 7}, new int[] {32, 4, 3, 3}, false);
        conv(c, d, "Conv-depthwise" + s, Conv2d.of(2, 1, 6), new int[] {1, 6, 8, 8}, new int[] {6, 1, 3, 3}, true);
        conv(c, d, "Conv-1x1" + s, Conv2d.simple(), new int[] {2, 16, 5, 5}, new int[] {24, 16, 1, 1}, true);
        attention(c, d, "Attention-causal" + s, new Attention(Float.NaN, true), null, false);
        attention(c, d, "Attention-additive" + s, Attention.standard(), new int[] {5, 7}, false);
        attention(c, d, "Attention-bool" + s, new Attention(0.3f, false), new int[] {2, 1, 5, 7}, true);
    }

    private static void matmul(List<CudaCase> c, DType d, String name, int[] ad, int[] bd) {
        c.add(CudaCase.of(name, new MatMul(), List.of(t(d, ad), t(d, bd)), List.of(uniform(-1, 1)),
                in -> List.of(CudaLinalgReference.matmul(in.get(0), ad, in.get(1), bd))));
    }

    private static void conv(List<CudaCase> c, DType d, String name, Conv2d g, int[] xd, int[] wd, boolean bias) {
        List<TensorType> in = new ArrayList<>(List.of(t(d, xd), t(d, wd)));
        if (bias) {
            in.add(t(d, wd[0]));
        }
        c.add(CudaCase.of(name, g, in, List.of(uniform(-1, 1)),
                v -> List.of(CudaLinalgReference.conv(g, v.get(0), xd, v.get(1), wd, bias ? v.get(2) : null))));
    }

    private static void attention(List<CudaCase> c, DType d, String name, Attention a, int[] md, boolean boolMask) {
        int[] qd = {2, 3, 5, 8};
        List<TensorType> in = new ArrayList<>(List.of(t(d, qd), t(d, 2, 3, 7, 8), t(d, 2, 3, 7, 6)));
        List<CudaCase.Fill> fills = new ArrayList<>(List.of(uniform(-1, 1), uniform(-1, 1), uniform(-1, 1)));
        if (md != null) {
            in.add(t(boolMask ? DType.BOOL : d, md));
            fills.add(boolMask ? (r, i) -> i % 7 == 3 ? 0 : 1 : uniform(-1, 0));
        }
        c.add(CudaCase.of(name, a, in, fills, v -> List.of(CudaLinalgReference.attention(v.get(0), v.get(1), v.get(2), qd, 7, 6,
                a.effectiveScale(8), a.causal(), md == null ? null : v.get(3), md, boolMask))));
    }
}
