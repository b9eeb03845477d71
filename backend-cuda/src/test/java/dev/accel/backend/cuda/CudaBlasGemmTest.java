package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Which GEMM launches go to cuBLAS, and that the call computes what the kernel would: each
 * eligible spec's {@link CudaBlasGemm} is run through a host model of column-major
 * cublasGemmStridedBatchedEx and compared with the float64 reference (no GPU needed).
 */
class CudaBlasGemmTest {
    private static TensorType t(DType d, int... dims) {
        return TensorType.of(d, dims);
    }

    private static Optional<CudaBlasGemm> blas(OpSpec spec, CudaArch arch) {
        List<CudaPlan.Launch> l = CudaOps.plan(spec, arch).launches();
        assertEquals(1, l.size(), spec + " launches " + l);
        return CudaBlasGemm.of(l.getFirst(), spec.inputs().getFirst().dtype());
    }

    /** cuBLAS's definition, column-major: C[i + j ldc] = alpha sum_l op1(X1)[i, l] op2(X2)[l, j], per batch. */
    private static double[] model(CudaBlasGemm g, double[] first, double[] second, int outSize) {
        double[] c = new double[outSize];
        for (int z = 0; z < g.batch(); z++) {
            for (int i = 0; i < g.m(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    double s = 0;
                    for (int l = 0; l < g.k(); l++) {
                        double x1 = first[(int) (z * g.strideFirst() + (g.transFirst() ? l + (long) i * g.ldFirst() : i + (long) l * g.ldFirst()))];
                        double x2 = second[(int) (z * g.strideSecond() + (g.transSecond() ? j + (long) l * g.ldSecond()
                                : l + (long) j * g.ldSecond()))];
                        s += x1 * x2;
                    }
                    c[(int) (z * g.strideC() + i + (long) j * g.ldc())] = g.alpha() * s;
                }
            }
        }
        return c;
    }

    private static double[] random(int n, Random r) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return v;
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-9, what + " element " + i);
        }
    }

    @Test
    void matMulInEveryShapeTheKernelTakesComputesTheSameThroughTheModel() {
        Random r = new Random(5);
        int[][][] shapes = {
            {{33, 17}, {17, 45}}, {{4, 33, 17}, {17, 45}}, {{33, 17}, {3, 17, 45}}, {{2, 5, 8}, {2, 8, 3}}, {{4, 17}, {17}},
            {{17}, {2, 17, 5}}, {{1, 64}, {64, 1}},
        };
        for (int[][] s : shapes) {
            OpSpec spec = OpSpec.of(new MatMul(), t(DType.F16, s[0]), t(DType.F16, s[1]));
            CudaBlasGemm g = blas(spec, CudaArch.SM90).orElseThrow(() -> new AssertionError(spec + " should go to cuBLAS"));
            double[] a = random((int) spec.inputs().get(0).numel(), r);
            double[] b = random((int) spec.inputs().get(1).numel(), r);
            double[] want = CudaLinalgReference.matmul(a, s[0], b, s[1]);
            assertClose(want, model(g, b, a, want.length), spec.toString());
        }
    }

    @Test
    void gemmTransposesBecomeCublasTransposesAndAlphaCarriesOver() {
        Random r = new Random(6);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Gemm op = new Gemm(0.5f, 0f, ta, tb);
                int m = 37;
                int k = 48;
                int n = 40;
                int[] ad = ta ? new int[] {k, m} : new int[] {m, k};
                int[] bd = tb ? new int[] {n, k} : new int[] {k, n};
                OpSpec spec = OpSpec.of(op, t(DType.F32, ad), t(DType.F32, bd));
                CudaBlasGemm g = blas(spec, CudaArch.SM90).orElseThrow();
                assertEquals(tb, g.transFirst(), "B is cuBLAS's first operand");
                assertEquals(ta, g.transSecond(), "A is its second");
                assertEquals(List.of(n, m, k), List.of(g.m(), g.n(), g.k()));
                assertEquals(0.5f, g.alpha());
                double[] a = random(m * k, r);
                double[] b = random(k * n, r);
                double[] want = CudaLinalgReference.gemm(op, a, ad, b, bd, null, null);
                assertClose(want, model(g, b, a, want.length), spec.toString());
            }
        }
    }

    @Test
    void whatCublasCannotDoExactlyStaysOnTheKernels() {
        assertTrue(blas(OpSpec.of(new Gemm(1f, 1f, false, false), t(DType.F32, 8, 4), t(DType.F32, 4, 6), t(DType.F32, 6)),
                CudaArch.SM90).isEmpty(), "Gemm with C");
        assertTrue(blas(OpSpec.of(new Gemm(1f, 0f, false, false), t(DType.F32, 8, 4), t(DType.F32, 4, 6), t(DType.F32, 6)),
                CudaArch.SM90).isEmpty(), "Gemm with C and beta 0: the kernel adds 0 * C, NaN where C is infinite");
        assertTrue(blas(OpSpec.of(new MatMul(), t(DType.F32, 2, 1, 33, 17), t(DType.F32, 3, 17, 45)), CudaArch.SM90).isEmpty(),
                "two batch dimensions that do not merge");
        assertTrue(blas(OpSpec.of(Conv2d.of(1, 1, 1), t(DType.F16, 1, 8, 7, 7), t(DType.F16, 32, 8, 3, 3)), CudaArch.SM90).isEmpty(),
                "convolution");
        assertTrue(blas(OpSpec.of(new MatMul(), t(DType.F16, 64, 64), t(DType.F16, 64, 64)), new CudaArch(7, 5)).isEmpty(),
                "F16 before 8.0 runs in float on CUDA cores");
        assertTrue(blas(OpSpec.of(new MatMul(), t(DType.BF16, 64, 64), t(DType.BF16, 64, 64)), CudaArch.SM90).isPresent());
    }
}
