/*
 * Register-blocked GEMM for devices whose local memory is ordinary global memory (CPU OpenCL such
 * as PoCL): staging tiles there buys nothing, and values kept across work-group barriers are
 * spilled to memory per work item. Here each work item computes RM rows x CN * VW columns of C in
 * VW-wide vector accumulators, broadcasting elements of A and streaming rows of B, with no barrier.
 * Arguments, variants (float, or integer with QOUT) and epilogues are those of gemm.cl. The vector
 * path needs B contiguous along n (sbn == 1) and a whole block of columns; edge blocks and other
 * strides take a scalar path (the host packs transposed B operands first).
 */
#define BW (CN * VW)
#define VLOAD XCAT(vload, VW)

#ifdef QOUT
#define ACC int
#define VEC XCAT(int, VW)
#define LDV_I8(p, o) XCAT(convert_int, VW)(VLOAD(0, (p) + (o)))
#define LDV_U8(p, o) XCAT(convert_int, VW)(VLOAD(0, (p) + (o)))
#define LDV_I32(p, o) VLOAD(0, (p) + (o))
#define ZERO 0
#else
#define ACC float
#define VEC XCAT(float, VW)
#define LDV_F32(p, o) VLOAD(0, (p) + (o))
#define LDV_F16(p, o) XCAT(vload_half, VW)(0, (p) + (o))
#define LDV_BF16(p, o) XCAT(as_float, VW)(XCAT(convert_uint, VW)(VLOAD(0, (p) + (o))) << 16)
#define ZERO 0.0f
#endif
#define LOADV(k, p, o) XCAT(LDV_, k)(p, o)

#ifdef QOUT
#define EPI_ARGS __global TYPE(QOUT) *C, long co, long cio, int m, int n, long ldc, __global const int *bias, long bs, \
        __global const float *as, __global const float *bsc, long ssm, long ssn, __global const float *ys, \
        __global const TYPE(QOUT) *yzp
#define EPI_PASS C, co, cio, m, n, ldc, bias, bs, as, bsc, ssm, ssn, ys, yzp
inline void rb_store(EPI_ARGS, int acc) {
#if QOUT_I32
    C[co + m * ldc + n] = acc;
#else
    float r = (float) (acc + bias[(cio + m) * bs]) * (as[0] * bsc[(cio + m) * ssm + n * ssn]) / ys[0];
    C[co + m * ldc + n] = SAT(QOUT, rint(r) + (float) yzp[0]);
#endif
}
#else
#define EPI_ARGS __global TYPE(TC) *C, long co, long cio, int m, int n, long ldc, __global const TYPE(TCI) *CI, \
        long cism, long cisn, float alpha, float beta, int hasC
#define EPI_PASS C, co, cio, m, n, ldc, CI, cism, cisn, alpha, beta, hasC
inline void rb_store(EPI_ARGS, float acc) {
    float v = alpha * acc;
    if (hasC) {
        v = fma(beta, LOAD(TCI, CI, cio + m * cism + n * cisn), v);
    }
    STORE(TC, C, co + m * ldc + n, v);
}
#endif

__kernel void gemm_rb(__global const TYPE(TA) *A, __global const TYPE(TB) *B,
#ifdef QOUT
          __global TYPE(QOUT) *C, __global const TYPE(TA) *azp, long azs, __global const TYPE(TB) *bzp, long bzs,
          __global const int *bias, long bs, __global const float *as, __global const float *bsc, long ssm, long ssn,
          __global const float *ys, __global const TYPE(QOUT) *yzp,
#else
          __global TYPE(TC) *C, __global const TYPE(TCI) *CI, long cism, long cisn, float alpha, float beta, int hasC,
#endif
          __global const long *boffs, long aBase, long bBase, long cBase, long ciBase,
          int M, int N, int K, long sam, long sak, long sbk, long sbn, long ldc) {
    /* Rows vary fastest, so neighbouring work items stream the same column panel of B from cache. */
    const int m0 = get_global_id(0) * RM;
    const int n0 = get_global_id(1) * BW;
    const long bi = get_global_id(2);
    if (n0 >= N || m0 >= M) {
        return;
    }
    const long ao = aBase + boffs[4 * bi];
    const long bo = bBase + boffs[4 * bi + 1];
    const long co = cBase + boffs[4 * bi + 2];
    const long cio = ciBase + boffs[4 * bi + 3];
    if (sbn == 1 && n0 + BW <= N) {
        VEC acc[RM][CN];
        long arow[RM];
#ifdef QOUT
        int az[RM];
        VEC bz[CN];
#pragma unroll
        for (int c = 0; c < CN; c++) {
            bz[c] = bzs ? LOADV(TB, bzp, n0 + c * VW) : (VEC) ((int) bzp[0]);
        }
#endif
#pragma unroll
        for (int r = 0; r < RM; r++) {
            int row = min(m0 + r, M - 1);
            arow[r] = ao + (long) row * sam;
#ifdef QOUT
            az[r] = (int) azp[(cio + row) * azs];
#endif
#pragma unroll
            for (int c = 0; c < CN; c++) {
                acc[r][c] = (VEC) (ZERO);
            }
        }
        long bk = bo + n0;
        for (int k = 0; k < K; k++) {
            VEC b[CN];
#pragma unroll
            for (int c = 0; c < CN; c++) {
                b[c] = LOADV(TB, B, bk + c * VW);
#ifdef QOUT
                b[c] -= bz[c];
#endif
            }
#pragma unroll
            for (int r = 0; r < RM; r++) {
#ifdef QOUT
                VEC a = (VEC) (LOAD(TA, A, arow[r] + k * sak) - az[r]);
#else
                VEC a = (VEC) (LOAD(TA, A, arow[r] + k * sak));
#endif
#pragma unroll
                for (int c = 0; c < CN; c++) {
#ifdef QOUT
                    acc[r][c] += a * b[c];
#else
                    acc[r][c] = fma(a, b[c], acc[r][c]);
#endif
                }
            }
            bk += sbk;
        }
        for (int r = 0; r < RM && m0 + r < M; r++) {
            for (int c = 0; c < CN; c++) {
                ACC t[VW];
                XCAT(vstore, VW)(acc[r][c], 0, t);
                for (int e = 0; e < VW; e++) {
                    int m = m0 + r;
                    int n = n0 + c * VW + e;
                    rb_store(EPI_PASS, t[e]);
                }
            }
        }
        return;
    }
    for (int r = 0; r < RM && m0 + r < M; r++) {
        int m = m0 + r;
#ifdef QOUT
        int azv = (int) azp[(cio + m) * azs];
#endif
        for (int n = n0; n < min(N, n0 + BW); n++) {
            ACC s = ZERO;
            for (int k = 0; k < K; k++) {
#ifdef QOUT
                s += (LOAD(TA, A, ao + m * sam + k * sak) - azv) * (LOAD(TB, B, bo + k * sbk + n * sbn) - (int) bzp[n * bzs]);
#else
                s = fma(LOAD(TA, A, ao + m * sam + k * sak), LOAD(TB, B, bo + k * sbk + n * sbn), s);
#endif
            }
            rb_store(EPI_PASS, s);
        }
    }
}
