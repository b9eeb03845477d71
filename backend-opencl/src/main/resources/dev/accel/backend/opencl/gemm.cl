/*
 * Batched GEMM tiled through local memory: C[b] = epilogue(op(A[b]) x op(B[b])) for M x N
 * outputs and inner size K. Element (m, k) of A is at aOff + m * sam + k * sak, element (k, n) of
 * B at bOff + k * sbk + n * sbn (transposes are strides); C is row-major with leading dimension
 * ldc. boffs holds four offsets per batch (A, B, C, CI) added to the base offsets given as args.
 *
 * Tile: a work-group computes TM x TN outputs with (TN / WN) x (TM / WM) items, each WM x WN
 * outputs, loading TK-deep slabs of A and B into local memory. The host picks the tile from the
 * device's work-group and local-memory limits.
 *
 * Float variant (TC defined): ACC float; epilogue alpha * acc + beta * CI[m * cism + n * cisn]
 * when hasC. Integer variant (QOUT defined): ACC int over (a - azp) (b - bzp) with zero points
 * per tensor or per row of A / per column of B (stride 0 or 1); QOUT I32 stores the sum, I8 / U8
 * requantize: rint((acc + bias[r * bs]) * as * bsc[r * ssm + n * ssn] / ys) + yzp, saturated, where
 * the row r = m + the batch's fourth offset (grouped convolutions index per-channel parameters by
 * the absolute output channel).
 */
#define LX (TN / WN)
#define LY (TM / WM)
#define NT (LX * LY)

#ifdef QOUT
#define ACC int
#define LDA(i) (LOAD(TA, A, i) - azpv)
#define LDB(i) (LOAD(TB, B, i) - (int) bzp[(gn) * bzs])
#else
#define ACC float
#define LDA(i) LOAD(TA, A, i)
#define LDB(i) LOAD(TB, B, i)
#endif

__kernel __attribute__((reqd_work_group_size(LX, LY, 1)))
void gemm(__global const TYPE(TA) *A, __global const TYPE(TB) *B,
#ifdef QOUT
          __global TYPE(QOUT) *C, __global const TYPE(TA) *azp, long azs, __global const TYPE(TB) *bzp, long bzs,
          __global const int *bias, long bs, __global const float *as, __global const float *bsc, long ssm, long ssn,
          __global const float *ys, __global const TYPE(QOUT) *yzp,
#else
          __global TYPE(TC) *C, __global const TYPE(TCI) *CI, long cism, long cisn, float alpha, float beta, int hasC,
#endif
          __global const long *boffs, long aBase, long bBase, long cBase, long ciBase,
          int M, int N, int K, long sam, long sak, long sbk, long sbn, long ldc) {
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int lid = ty * LX + tx;
    const int n0 = get_group_id(0) * TN;
    const int m0 = get_group_id(1) * TM;
    const long bi = get_global_id(2);
    const long ao = aBase + boffs[4 * bi];
    const long bo = bBase + boffs[4 * bi + 1];
    const long co = cBase + boffs[4 * bi + 2];
    const long cio = ciBase + boffs[4 * bi + 3];
    __local ACC As[TK][TM];
    __local ACC Bs[TK][TN];
    ACC acc[WM][WN];
    for (int i = 0; i < WM; i++) {
        for (int j = 0; j < WN; j++) {
            acc[i][j] = 0;
        }
    }
    for (int k0 = 0; k0 < K; k0 += TK) {
        for (int t = lid; t < TM * TK; t += NT) {
            int mm = sak == 1 ? t / TK : t % TM;
            int kk = sak == 1 ? t % TK : t / TM;
            int gm = m0 + mm;
            int gk = k0 + kk;
#ifdef QOUT
            int azpv = gm < M ? (int) azp[(cio + gm) * azs] : 0;
#endif
            As[kk][mm] = (gm < M && gk < K) ? LDA(ao + gm * sam + gk * sak) : 0;
        }
        for (int t = lid; t < TK * TN; t += NT) {
            int nn = sbn == 1 ? t % TN : t / TK;
            int kk = sbn == 1 ? t / TN : t % TK;
            int gn = n0 + nn;
            int gk = k0 + kk;
            Bs[kk][nn] = (gn < N && gk < K) ? LDB(bo + gk * sbk + gn * sbn) : 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; kk++) {
            ACC a[WM];
            ACC b[WN];
            for (int i = 0; i < WM; i++) {
                a[i] = As[kk][ty + i * LY];
            }
            for (int j = 0; j < WN; j++) {
                b[j] = Bs[kk][tx + j * LX];
            }
            for (int i = 0; i < WM; i++) {
                for (int j = 0; j < WN; j++) {
#ifdef QOUT
                    acc[i][j] += a[i] * b[j];
#else
                    acc[i][j] = fma(a[i], b[j], acc[i][j]);
#endif
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < WM; i++) {
        int m = m0 + ty + i * LY;
        if (m >= M) {
            continue;
        }
        for (int j = 0; j < WN; j++) {
            int n = n0 + tx + j * LX;
            if (n >= N) {
                continue;
            }
#ifdef QOUT
#if QOUT_I32
            C[co + m * ldc + n] = acc[i][j];
#else
            float r = (float) (acc[i][j] + bias[(cio + m) * bs]) * (as[0] * bsc[(cio + m) * ssm + n * ssn]) / ys[0];
            C[co + m * ldc + n] = SAT(QOUT, rint(r) + (float) yzp[0]);
#endif
#else
            float v = alpha * acc[i][j];
            if (hasC) {
                v = fma(beta, LOAD(TCI, CI, cio + m * cism + n * cisn), v);
            }
            STORE(TC, C, co + m * ldc + n, v);
#endif
        }
    }
}
