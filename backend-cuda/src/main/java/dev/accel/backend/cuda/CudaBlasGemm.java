package dev.accel.backend.cuda;

import dev.accel.hal.DType;
import java.util.Optional;

/**
 * One GEMM launch of a plan restated as a {@code cublasGemmStridedBatchedEx} call, where cuBLAS
 * can do exactly what the kernel would: F32 on {@code sgemm_f32}, F16 and BF16 on the tensor-core
 * kernels, float accumulation; dense operands each with one unit stride (either layout); no C
 * input; at most one batch dimension (broadcast operands have batch stride 0). Convolution, Gemm
 * with C, and batch shapes that do not merge into one dimension stay on this backend's kernels.
 *
 * <p>cuBLAS is column-major: the row-major {@code Y[M, N] = A B} is the column-major
 * {@code Y^T[N, M] = B^T A^T}, so B is cuBLAS's first operand and A its second, and a row-major
 * operand is the "no transpose" case of its transpose.
 *
 * @param transFirst whether cuBLAS transposes its first operand (our B stored n-major, k contiguous)
 * @param transSecond whether cuBLAS transposes its second operand (our A stored k-major, m contiguous)
 * @param m cuBLAS's m: our N
 * @param n cuBLAS's n: our M
 * @param k K
 * @param ldFirst leading dimension of B as cuBLAS reads it
 * @param ldSecond leading dimension of A
 * @param ldc leading dimension of Y (its row stride)
 * @param strideFirst batch stride of B in elements
 * @param strideSecond batch stride of A
 * @param strideC batch stride of Y
 * @param batch batch count
 * @param alpha the scale of the product
 * @param dtype F32, F16 or BF16, of A, B and Y alike
 * @param a the launch's reference to A
 * @param b to B
 * @param y to Y
 */
record CudaBlasGemm(boolean transFirst, boolean transSecond, int m, int n, int k, int ldFirst, int ldSecond, int ldc,
                    long strideFirst, long strideSecond, long strideC, int batch, float alpha, DType dtype, CudaRef a, CudaRef b,
                    CudaRef y) {

    /** The cuBLAS call that does what launch {@code l} of a GEMM plan in {@code dtype} does, if there is one. */
    static Optional<CudaBlasGemm> of(CudaPlan.Launch l, DType dtype) {
        boolean ownKernel = (dtype == DType.F32 && l.function().equals("sgemm_f32"))
                || ((dtype == DType.F16 || dtype == DType.BF16) && l.function().startsWith("hgemm"));
        if (!ownKernel) {
            return Optional.empty();
        }
        CudaArgs p = l.args();
        // With C, even beta = 0 keeps the kernel: it adds 0 * C, which is NaN where C is infinite,
        // and cuBLAS would not read C at all.
        if (p.getInt("conv") != 0 || p.getInt("hasC") != 0 || p.getInt("batchRank") > 1) {
            return Optional.empty();
        }
        int bigM = p.getInt("M");
        int bigN = p.getInt("N");
        int bigK = p.getInt("K");
        long batch = p.getLong("batch");
        if (bigM <= 0 || bigN <= 0 || bigK <= 0 || batch <= 0 || batch > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        long sam = p.getLong("sam");
        long sak = p.getLong("sak");
        long sbk = p.getLong("sbk");
        long sbn = p.getLong("sbn");
        long sym = p.getLong("sym");
        // A row-major (k contiguous) reads as cuBLAS's untransposed second operand, ld = row stride.
        boolean transA = sak != 1;
        long ldA = transA ? sak : sam;
        if (transA && sam != 1) {
            return Optional.empty();
        }
        boolean transB = sbn != 1;
        long ldB = transB ? sbn : sbk;
        if (transB && sbk != 1) {
            return Optional.empty();
        }
        // cuBLAS's bounds: an untransposed operand's ld covers its rows (cuBLAS's m or k), a
        // transposed one's its columns.
        if (ldB < Math.max(1, transB ? bigK : bigN) || ldA < Math.max(1, transA ? bigM : bigK) || sym < Math.max(1, bigN)
                || ldA > Integer.MAX_VALUE || ldB > Integer.MAX_VALUE || sym > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        boolean batched = p.getInt("batchRank") == 1;
        return Optional.of(new CudaBlasGemm(transB, transA, bigN, bigM, bigK, (int) ldB, (int) ldA, (int) sym,
                batched ? p.getLong("bsb", 0) : 0, batched ? p.getLong("bsa", 0) : 0, batched ? p.getLong("bsy", 0) : 0,
                (int) batch, p.getFloat("alpha"), dtype,
                p.pointer("a"), p.pointer("b"), p.pointer("y")));
    }
}
