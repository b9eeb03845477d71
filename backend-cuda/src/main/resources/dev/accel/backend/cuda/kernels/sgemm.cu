// GEMM on CUDA cores in float (F32, and F16 / BF16 where tensor cores are not used), for
// MatMul, Gemm and convolution as implicit GEMM; plus direct convolution for depthwise and
// other thin groups.
//
// Tiling: a 256-thread block computes a 128 x 128 tile of Y, walking K in steps of 8. Tiles of
// A and B go through shared memory (double-buffered: the next tile is fetched into registers
// while the current one is multiplied) and each thread accumulates an 8 x 8 sub-tile in
// registers, made of four 4 x 4 blocks 64 rows / columns apart so that its shared-memory
// reads are float4 and conflict-free. Loads are float4 where the host found the operand
// aligned (vecA / vecB) and scalar with bounds checks elsewhere.
#include "gemm.cuh"

#define SG_BM 128
#define SG_BN 128
#define SG_BK 8
#define SG_PAD 4

template <class T>
__device__ __forceinline__ void sg_fetch_a(const GemmArgs& p, const typename T::S* a, const GemmOffsets& o,
                                           int m0, int k0, float (&r)[4]) {
    int tid = threadIdx.x;
    if (p.sak == 1 || p.sam != 1) {
        int m = m0 + (tid >> 1);
        int k = k0 + (tid & 1) * 4;
        if (T::S_IS_F32 && p.vecA && p.sak == 1 && m < p.M && k + 3 < p.K) {
            float4 v = *(const float4*) ((const float*) a + o.a + (i64) m * p.sam + k);
            r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
        } else {
#pragma unroll
            for (int i = 0; i < 4; i++) {
                r[i] = gemm_load_a<T>(p, a, o, m, k + i);
            }
        }
    } else {
        int k = k0 + (tid >> 5);
        int m = m0 + (tid & 31) * 4;
        if (T::S_IS_F32 && p.vecA && k < p.K && m + 3 < p.M) {
            float4 v = *(const float4*) ((const float*) a + o.a + (i64) k * p.sak + m);
            r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
        } else {
#pragma unroll
            for (int i = 0; i < 4; i++) {
                r[i] = gemm_load_a<T>(p, a, o, m + i, k);
            }
        }
    }
}

template <class T>
__device__ __forceinline__ void sg_store_a(const GemmArgs& p, float (*as)[SG_BM + SG_PAD], const float (&r)[4]) {
    int tid = threadIdx.x;
    if (p.sak == 1 || p.sam != 1) {
        int m = tid >> 1;
        int k = (tid & 1) * 4;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            as[k + i][m] = r[i];
        }
    } else {
        int k = tid >> 5;
        int m = (tid & 31) * 4;
        *(float4*) &as[k][m] = make_float4(r[0], r[1], r[2], r[3]);
    }
}

template <class T>
__device__ __forceinline__ void sg_fetch_b(const GemmArgs& p, const typename T::S* b, const GemmOffsets& o, int g,
                                           int n0, int k0, float (&r)[4]) {
    int tid = threadIdx.x;
    if (p.conv || p.sbn == 1 || p.sbk != 1) {
        int k = k0 + (tid >> 5);
        int n = n0 + (tid & 31) * 4;
        if (T::S_IS_F32 && !p.conv && p.vecB && p.sbn == 1 && k < p.K && n + 3 < p.N) {
            float4 v = *(const float4*) ((const float*) b + o.b + (i64) k * p.sbk + n);
            r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
        } else {
#pragma unroll
            for (int i = 0; i < 4; i++) {
                r[i] = gemm_load_b<T>(p, b, o, g, k, n + i);
            }
        }
    } else {
        int n = n0 + (tid >> 1);
        int k = k0 + (tid & 1) * 4;
        if (T::S_IS_F32 && p.vecB && n < p.N && k + 3 < p.K) {
            float4 v = *(const float4*) ((const float*) b + o.b + (i64) n * p.sbn + k);
            r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
        } else {
#pragma unroll
            for (int i = 0; i < 4; i++) {
                r[i] = gemm_load_b<T>(p, b, o, g, k + i, n);
            }
        }
    }
}

template <class T>
__device__ __forceinline__ void sg_store_b(const GemmArgs& p, float (*bs)[SG_BN + SG_PAD], const float (&r)[4]) {
    int tid = threadIdx.x;
    if (p.conv || p.sbn == 1 || p.sbk != 1) {
        int k = tid >> 5;
        int n = (tid & 31) * 4;
        *(float4*) &bs[k][n] = make_float4(r[0], r[1], r[2], r[3]);
    } else {
        int n = tid >> 1;
        int k = (tid & 1) * 4;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            bs[k + i][n] = r[i];
        }
    }
}

template <class T>
__device__ void sgemm_impl(const GemmArgs& p) {
    typedef typename T::S S;
    __shared__ __align__(16) float as[2][SG_BK][SG_BM + SG_PAD];
    __shared__ __align__(16) float bs[2][SG_BK][SG_BN + SG_PAD];
    const S* a = (const S*) p.a;
    const S* b = (const S*) p.b;
    int tx = threadIdx.x & 15;
    int ty = threadIdx.x >> 4;
    int m0 = blockIdx.y * SG_BM;
    int n0 = blockIdx.x * SG_BN;
    int tiles = (p.K + SG_BK - 1) / SG_BK;
    for (i64 z = blockIdx.z; z < p.batch; z += gridDim.z) {
        GemmOffsets o = gemm_offsets(p, z);
        int g = (int) z;
        float acc[8][8];
#pragma unroll
        for (int i = 0; i < 8; i++) {
#pragma unroll
            for (int j = 0; j < 8; j++) {
                acc[i][j] = 0.f;
            }
        }
        float ra[4];
        float rb[4];
        if (tiles > 0) {
            sg_fetch_a<T>(p, a, o, m0, 0, ra);
            sg_fetch_b<T>(p, b, o, g, n0, 0, rb);
            sg_store_a<T>(p, as[0], ra);
            sg_store_b<T>(p, bs[0], rb);
        }
        __syncthreads();
        for (int t = 0; t < tiles; t++) {
            int cur = t & 1;
            if (t + 1 < tiles) {
                sg_fetch_a<T>(p, a, o, m0, (t + 1) * SG_BK, ra);
                sg_fetch_b<T>(p, b, o, g, n0, (t + 1) * SG_BK, rb);
            }
#pragma unroll
            for (int kk = 0; kk < SG_BK; kk++) {
                float4 a0 = *(const float4*) &as[cur][kk][ty * 4];
                float4 a1 = *(const float4*) &as[cur][kk][ty * 4 + 64];
                float4 b0 = *(const float4*) &bs[cur][kk][tx * 4];
                float4 b1 = *(const float4*) &bs[cur][kk][tx * 4 + 64];
                float av[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
                float bv[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
                for (int i = 0; i < 8; i++) {
#pragma unroll
                    for (int j = 0; j < 8; j++) {
                        acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
                    }
                }
            }
            if (t + 1 < tiles) {
                sg_store_a<T>(p, as[cur ^ 1], ra);
                sg_store_b<T>(p, bs[cur ^ 1], rb);
            }
            __syncthreads();
        }
#pragma unroll
        for (int i = 0; i < 8; i++) {
            int m = m0 + ty * 4 + (i & 3) + (i >> 2) * 64;
            if (m < p.M) {
#pragma unroll
                for (int j = 0; j < 8; j++) {
                    int n = n0 + tx * 4 + (j & 3) + (j >> 2) * 64;
                    if (n < p.N) {
                        gemm_store<T>(p, o, g, m, n, acc[i][j]);
                    }
                }
            }
        }
        __syncthreads();
    }
}

extern "C" __global__ void __launch_bounds__(256, 2) sgemm_f32(const GemmArgs a) { sgemm_impl<F32T>(a); }
extern "C" __global__ void __launch_bounds__(256, 2) sgemm_f16(const GemmArgs a) { sgemm_impl<F16T>(a); }
extern "C" __global__ void __launch_bounds__(256, 2) sgemm_bf16(const GemmArgs a) { sgemm_impl<BF16T>(a); }

// Direct convolution, one thread per output element: for depthwise and other groups with few
// output channels, where implicit GEMM would waste most of its tile.
struct ConvArgs {
    const void* x;
    const void* w;
    const void* bias;
    void* y;
    i64 n;
    int C;
    int H;
    int W;
    int M;
    int KH;
    int KW;
    int SH;
    int SW;
    int PT;
    int PL;
    int DH;
    int DW;
    int OH;
    int OW;
    int Cg;
    int Mg;
    int hasBias;
    int pad0;
};
ACCEL_STRUCT_SIZE(ConvArgs, 112);

template <class T>
__device__ void conv_direct_impl(const ConvArgs& a) {
    typedef typename T::S S;
    const S* x = (const S*) a.x;
    const S* w = (const S*) a.w;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        int ow = (int) (i % a.OW);
        i64 t = i / a.OW;
        int oh = (int) (t % a.OH);
        t /= a.OH;
        int m = (int) (t % a.M);
        i64 img = t / a.M;
        int g = m / a.Mg;
        float acc = a.hasBias ? T::ld((const S*) a.bias, m) : 0.f;
        for (int c = 0; c < a.Cg; c++) {
            const S* xp = x + (img * a.C + (i64) g * a.Cg + c) * a.H * a.W;
            const S* wp = w + ((i64) m * a.Cg + c) * a.KH * a.KW;
            for (int kh = 0; kh < a.KH; kh++) {
                int h = oh * a.SH - a.PT + kh * a.DH;
                if (h < 0 || h >= a.H) {
                    continue;
                }
                for (int kw = 0; kw < a.KW; kw++) {
                    int ww = ow * a.SW - a.PL + kw * a.DW;
                    if (ww >= 0 && ww < a.W) {
                        acc = fmaf(T::ld(xp, (i64) h * a.W + ww), T::ld(wp, kh * a.KW + kw), acc);
                    }
                }
            }
        }
        T::st((S*) a.y, i, acc);
    }
}
ACCEL_FLOAT_KERNELS(conv_direct, ConvArgs)
