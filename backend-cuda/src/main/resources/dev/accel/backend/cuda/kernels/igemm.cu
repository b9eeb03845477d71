// 8-bit GEMM with 32-bit accumulation on dp4a (four byte products and a sum per instruction),
// for MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv (convolution as implicit GEMM).
//
// Zero points are not subtracted element by element (an unsigned byte minus its zero point does
// not fit a byte); the kernel multiplies raw bytes and corrects once per output, exactly in
// 32-bit two's complement arithmetic:
//   sum_k (a - za)(b - zb) = sum_k ab - zb * sum_k a - za * sum_k b + K * za * zb
// with the row sums of A and column sums of B taken by dp4a against 0x01010101. Tile tails are
// zero bytes, which add nothing to any sum; convolution padding holds the input's zero point,
// so it contributes nothing, as ONNX says.
//
// A 256-thread block computes a 64 x 64 tile, K in steps of 32 bytes, 4 x 4 outputs per thread.
// A is the matrix a (MatMul) or the group's weights (conv), B the matrix b or the im2col input.
// Requantization (QLinear*) happens in double in the epilogue, as the reference does:
//   y = saturate(rint((acc + bias) * scaleA * scaleB / scaleY) + zeroY)
#include "common.cuh"

#define IG_BM 64
#define IG_BN 64
#define IG_BK 32
#define IG_ST 36  // shared row stride in bytes: 4-byte aligned, fewer bank conflicts

struct IgemmArgs {
    const void* a;
    const void* b;
    const void* za;
    const void* zb;
    const float* sa;
    const float* sb;
    const float* sy;
    const void* zy;
    const int* bias;
    void* y;
    i64 sam;
    i64 sak;
    i64 sbk;
    i64 sbn;
    i64 sym;
    i64 batch;
    int M;
    int N;
    int K;
    int batchRank;
    int hasZa;
    int hasZb;
    int zaPerRow;
    int zbPerCol;
    int saPerRow;
    int sbPerCol;
    int requant;
    int outType;
    int hasBias;
    int conv;
    i64 bdims[6];
    i64 bsa[6];
    i64 bsb[6];
    i64 bsy[6];
    int cC;
    int cH;
    int cW;
    int cKH;
    int cKW;
    int cSH;
    int cSW;
    int cPT;
    int cPL;
    int cDH;
    int cDW;
    int cOH;
    int cOW;
    int cCg;
    int cMg;
    int cM;
};
ACCEL_STRUCT_SIZE(IgemmArgs, 440);

template <bool AS, bool BS>
__device__ __forceinline__ int dp4a(int a, int b, int c) {
    int d;
    if (AS && BS) {
        asm("dp4a.s32.s32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
    } else if (AS) {
        asm("dp4a.s32.u32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
    } else if (BS) {
        asm("dp4a.u32.s32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
    } else {
        asm("dp4a.u32.u32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
    }
    return d;
}

template <bool S>
__device__ __forceinline__ int byte_value(const void* p, i64 i) {
    return S ? (int) ((const i8*) p)[i] : (int) ((const u8*) p)[i];
}

template <bool AS, bool BS>
__device__ void igemm_impl(const IgemmArgs& p) {
    __shared__ __align__(16) u8 as[IG_BM * IG_ST];
    __shared__ __align__(16) u8 bs[IG_BN * IG_ST];
    const u8* a = (const u8*) p.a;
    const u8* b = (const u8*) p.b;
    int tid = threadIdx.x;
    int tx = tid & 15;
    int ty = tid >> 4;
    int m0 = blockIdx.y * IG_BM;
    int n0 = blockIdx.x * IG_BN;
    // Conv padding holds x's zero point (B's, per tensor in conv).
    u8 bPad = (p.conv && p.hasZb) ? ((const u8*) p.zb)[0] : (u8) 0;
    for (i64 z = blockIdx.z; z < p.batch; z += gridDim.z) {
        i64 offA = 0;
        i64 offB = 0;
        i64 offY = 0;
        i64 zz = z;
#pragma unroll
        for (int d = 5; d >= 0; d--) {
            if (d < p.batchRank) {
                i64 q = zz / p.bdims[d];
                i64 i = zz - q * p.bdims[d];
                offA += i * p.bsa[d];
                offB += i * p.bsb[d];
                offY += i * p.bsy[d];
                zz = q;
            }
        }
        int g = (int) z;
        int acc[4][4];
        int rs[4];
        int cs[4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
            rs[i] = 0;
            cs[i] = 0;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                acc[i][j] = 0;
            }
        }
        for (int k0 = 0; k0 < p.K; k0 += IG_BK) {
            {
                int r = tid >> 2;
                int kc = (tid & 3) * 8;
                int m = m0 + r;
#pragma unroll
                for (int i = 0; i < 8; i++) {
                    int k = k0 + kc + i;
                    as[r * IG_ST + kc + i] = (m < p.M && k < p.K) ? a[offA + (i64) m * p.sam + (i64) k * p.sak] : (u8) 0;
                }
            }
            {
                int kr = tid >> 3;
                int nc = (tid & 7) * 8;
                int k = k0 + kr;
                int taps = p.cKH * p.cKW;
#pragma unroll
                for (int i = 0; i < 8; i++) {
                    int n = n0 + nc + i;
                    u8 v = 0;
                    if (k < p.K && n < p.N) {
                        if (!p.conv) {
                            v = b[offB + (i64) k * p.sbk + (i64) n * p.sbn];
                        } else {
                            int c = k / taps;
                            int rr = k - c * taps;
                            int kh = rr / p.cKW;
                            int kw = rr - kh * p.cKW;
                            int plane = p.cOH * p.cOW;
                            int img = n / plane;
                            int pix = n - img * plane;
                            int oh = pix / p.cOW;
                            int ow = pix - oh * p.cOW;
                            int h = oh * p.cSH - p.cPT + kh * p.cDH;
                            int w = ow * p.cSW - p.cPL + kw * p.cDW;
                            v = (h >= 0 && h < p.cH && w >= 0 && w < p.cW)
                                    ? b[(((i64) img * p.cC + (i64) g * p.cCg + c) * p.cH + h) * p.cW + w]
                                    : bPad;
                        }
                    }
                    bs[(nc + i) * IG_ST + kr] = v;
                }
            }
            __syncthreads();
#pragma unroll
            for (int k4 = 0; k4 < IG_BK / 4; k4++) {
                int av[4];
                int bv[4];
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    av[i] = *(const int*) &as[(ty * 4 + i) * IG_ST + k4 * 4];
                    bv[i] = *(const int*) &bs[(tx * 4 + i) * IG_ST + k4 * 4];
                }
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    rs[i] = dp4a<AS, false>(av[i], 0x01010101, rs[i]);
                    cs[i] = dp4a<false, BS>(0x01010101, bv[i], cs[i]);
#pragma unroll
                    for (int j = 0; j < 4; j++) {
                        acc[i][j] = dp4a<AS, BS>(av[i], bv[j], acc[i][j]);
                    }
                }
            }
            __syncthreads();
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int m = m0 + ty * 4 + i;
            if (m >= p.M) {
                continue;
            }
            int row = p.conv ? g * p.cMg + m : m;
            u32 za = p.hasZa ? (u32) byte_value<AS>(p.za, p.zaPerRow ? row : 0) : 0u;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int n = n0 + tx * 4 + j;
                if (n >= p.N) {
                    continue;
                }
                u32 zb = p.hasZb ? (u32) byte_value<BS>(p.zb, p.zbPerCol ? n : 0) : 0u;
                u32 v = (u32) acc[i][j] - zb * (u32) rs[i] - za * (u32) cs[j] + (u32) p.K * za * zb;
                i64 out;
                if (p.conv) {
                    int plane = p.cOH * p.cOW;
                    int img = n / plane;
                    int pix = n - img * plane;
                    out = ((i64) img * p.cM + row) * plane + pix;
                } else {
                    out = offY + (i64) m * p.sym + n;
                }
                if (!p.requant) {
                    ((int*) p.y)[out] = (int) v;
                    continue;
                }
                int total = (int) v + (p.hasBias ? p.bias[row] : 0);
                // The reference multiplies by the input's scale first, then the weights' (A in conv is the weights).
                double scaleA = (double) p.sa[p.saPerRow ? row : 0];
                double scaleB = (double) p.sb[p.sbPerCol ? n : 0];
                double real = p.conv ? (double) total * scaleB * scaleA : (double) total * scaleA * scaleB;
                double zy = p.outType == DT_I8 ? (double) ((const i8*) p.zy)[0] : (double) ((const u8*) p.zy)[0];
                double q = rint(real / (double) p.sy[0]) + zy;
                double lo = p.outType == DT_I8 ? -128.0 : 0.0;
                double hi = p.outType == DT_I8 ? 127.0 : 255.0;
                int r = q != q ? 0 : (int) fmin(hi, fmax(lo, q));
                if (p.outType == DT_I8) {
                    ((i8*) p.y)[out] = (i8) r;
                } else {
                    ((u8*) p.y)[out] = (u8) r;
                }
            }
        }
    }
}

extern "C" __global__ void igemm_ss(const IgemmArgs a) { igemm_impl<true, true>(a); }
extern "C" __global__ void igemm_su(const IgemmArgs a) { igemm_impl<true, false>(a); }
extern "C" __global__ void igemm_us(const IgemmArgs a) { igemm_impl<false, true>(a); }
extern "C" __global__ void igemm_uu(const IgemmArgs a) { igemm_impl<false, false>(a); }
