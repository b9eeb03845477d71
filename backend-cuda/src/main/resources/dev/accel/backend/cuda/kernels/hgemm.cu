// GEMM on tensor cores for F16 and BF16 (float accumulation), for MatMul, Gemm and convolution
// as implicit GEMM; needs compute capability 8.0 (mma.sync.m16n8k16, ldmatrix, cp.async).
//
// A 256-thread block (8 warps, 2 x 4) computes a 128 x 128 tile of Y, walking K in steps of 32;
// each warp owns 64 x 32 of it: 4 x 4 mma tiles of 16 x 8, 64 float accumulators per thread.
// Tiles are copied global -> shared with cp.async (16 bytes at a time, two stages, so the next
// tile streams in while the current one is multiplied) in the operand's own layout, and
// fragments are read with ldmatrix (.trans where the operand is stored the other way round).
// Four layouts: A with k contiguous (row-major A) or m contiguous (transposed A); B with n
// contiguous (row-major B) or k contiguous (transposed B). Operands that are not 16-byte
// aligned, and the implicit im2col of convolution, take an element-by-element path into the
// same shared layout.
//
// Fragment layouts (PTX ISA, mma.m16n8k16 .f16/.bf16, lane = 4 * group + tig):
//   A regs: {A[g][2t..2t+1]}, {A[g+8][2t..]}, {A[g][2t+8..]}, {A[g+8][2t+8..]}
//   B regs: {B[2t..2t+1][g]}, {B[2t+8..2t+9][g]}
//   C regs: C[g][2t], C[g][2t+1], C[g+8][2t], C[g+8][2t+1]
#include "gemm.cuh"

#define HG_BM 128
#define HG_BN 128
#define HG_BK 32
#define HG_PAD 8
#define HG_STAGE 5120  // halves per operand and stage: max(128 * (32 + 8), 32 * (128 + 8))

__device__ __forceinline__ u32 smem_u32(const void* p) {
    u32 r;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(r) : "l"(p));
    return r;
}

__device__ __forceinline__ void cp_async16(void* dst, const void* src, bool valid) {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(smem_u32(dst)), "l"(src), "r"(valid ? 16 : 0));
#endif
}

__device__ __forceinline__ void cp_async_commit() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;");
#endif
}

__device__ __forceinline__ void cp_async_wait1() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group 1;");
#endif
}

template <bool TRANS>
__device__ __forceinline__ void ldsm_x4(u32 (&r)[4], const void* p) {
#if __CUDA_ARCH__ >= 800
    if (TRANS) {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_u32(p)));
    } else {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_u32(p)));
    }
#endif
}

template <bool BF>
__device__ __forceinline__ void mma16816(float (&c)[4], const u32 (&a)[4], u32 b0, u32 b1) {
#if __CUDA_ARCH__ >= 800
    if (BF) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
#else
    __trap();
#endif
}

// Raw 16-bit element of A or B, 0 outside the problem (0 is +0.0 in F16 and BF16).
__device__ __forceinline__ u16 hg_elem_a(const GemmArgs& p, const u16* a, const GemmOffsets& o, int m, int k) {
    return (m < p.M && k < p.K) ? a[o.a + (i64) m * p.sam + (i64) k * p.sak] : (u16) 0;
}

__device__ __forceinline__ u16 hg_elem_b(const GemmArgs& p, const u16* b, const GemmOffsets& o, int g, int k, int n) {
    if (p.conv) {
        i64 off = conv_b_offset(p, g, k, n);
        return off < 0 ? (u16) 0 : b[off];
    }
    return (k < p.K && n < p.N) ? b[o.b + (i64) k * p.sbk + (i64) n * p.sbn] : (u16) 0;
}

// Copies tile (m0, k0) of A into `as`: [m][k] (row stride BK + PAD) or, with TA, [k][m] (BM + PAD).
template <bool TA>
__device__ __forceinline__ void hg_load_a(const GemmArgs& p, const u16* a, const GemmOffsets& o, u16* as, int m0, int k0) {
    int tid = threadIdx.x;
    if (p.vecA) {
#pragma unroll
        for (int i = 0; i < 2; i++) {
            int c = tid + i * 256;
            if (!TA) {
                int r = c >> 2;
                int kc = (c & 3) * 8;
                int m = m0 + r;
                int k = k0 + kc;
                bool ok = m < p.M && k < p.K;
                cp_async16(as + r * (HG_BK + HG_PAD) + kc, ok ? a + o.a + (i64) m * p.sam + k : a, ok);
            } else {
                int r = c >> 4;
                int mc = (c & 15) * 8;
                int k = k0 + r;
                int m = m0 + mc;
                bool ok = m < p.M && k < p.K;
                cp_async16(as + r * (HG_BM + HG_PAD) + mc, ok ? a + o.a + (i64) k * p.sak + m : a, ok);
            }
        }
    } else {
        for (int e = tid; e < HG_BM * HG_BK; e += 256) {
            if (!TA) {
                int r = e >> 5;
                int kk = e & 31;
                as[r * (HG_BK + HG_PAD) + kk] = hg_elem_a(p, a, o, m0 + r, k0 + kk);
            } else {
                int r = e >> 7;
                int mm = e & 127;
                as[r * (HG_BM + HG_PAD) + mm] = hg_elem_a(p, a, o, m0 + mm, k0 + r);
            }
        }
    }
}

// Copies tile (k0, n0) of B into `bs`: [k][n] (row stride BN + PAD) or, with TB, [n][k] (BK + PAD).
template <bool TB>
__device__ __forceinline__ void hg_load_b(const GemmArgs& p, const u16* b, const GemmOffsets& o, int g, u16* bs,
                                          int n0, int k0) {
    int tid = threadIdx.x;
    if (p.vecB && !p.conv) {
#pragma unroll
        for (int i = 0; i < 2; i++) {
            int c = tid + i * 256;
            if (!TB) {
                int r = c >> 4;
                int nc = (c & 15) * 8;
                int k = k0 + r;
                int n = n0 + nc;
                bool ok = k < p.K && n < p.N;
                cp_async16(bs + r * (HG_BN + HG_PAD) + nc, ok ? b + o.b + (i64) k * p.sbk + n : b, ok);
            } else {
                int r = c >> 2;
                int kc = (c & 3) * 8;
                int n = n0 + r;
                int k = k0 + kc;
                bool ok = k < p.K && n < p.N;
                cp_async16(bs + r * (HG_BK + HG_PAD) + kc, ok ? b + o.b + (i64) n * p.sbn + k : b, ok);
            }
        }
    } else {
        for (int e = tid; e < HG_BN * HG_BK; e += 256) {
            if (!TB) {
                int r = e >> 7;
                int nn = e & 127;
                bs[r * (HG_BN + HG_PAD) + nn] = hg_elem_b(p, b, o, g, k0 + r, n0 + nn);
            } else {
                int r = e >> 5;
                int kk = e & 31;
                bs[r * (HG_BK + HG_PAD) + kk] = hg_elem_b(p, b, o, g, k0 + kk, n0 + r);
            }
        }
    }
}

template <class T, bool BF, bool TA, bool TB>
__device__ void hgemm_impl(const GemmArgs& p) {
    __shared__ __align__(16) u16 sa[2][HG_STAGE];
    __shared__ __align__(16) u16 sb[2][HG_STAGE];
    const u16* a = (const u16*) p.a;
    const u16* b = (const u16*) p.b;
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int wm = (warp >> 2) * 64;
    int wn = (warp & 3) * 32;
    int grp = lane >> 2;
    int tig = lane & 3;
    int lj = lane >> 3;
    int lr = lane & 7;
    int m0 = blockIdx.y * HG_BM;
    int n0 = blockIdx.x * HG_BN;
    int tiles = (p.K + HG_BK - 1) / HG_BK;
    for (i64 z = blockIdx.z; z < p.batch; z += gridDim.z) {
        GemmOffsets o = gemm_offsets(p, z);
        int g = (int) z;
        float acc[4][4][4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < 4; j++) {
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    acc[i][j][c] = 0.f;
                }
            }
        }
        if (tiles > 0) {
            hg_load_a<TA>(p, a, o, sa[0], m0, 0);
            hg_load_b<TB>(p, b, o, g, sb[0], n0, 0);
        }
        cp_async_commit();
        for (int t = 0; t < tiles; t++) {
            int cur = t & 1;
            if (t + 1 < tiles) {
                hg_load_a<TA>(p, a, o, sa[cur ^ 1], m0, (t + 1) * HG_BK);
                hg_load_b<TB>(p, b, o, g, sb[cur ^ 1], n0, (t + 1) * HG_BK);
            }
            cp_async_commit();
            cp_async_wait1();
            __syncthreads();
            const u16* as = sa[cur];
            const u16* bs = sb[cur];
#pragma unroll
            for (int ks = 0; ks < HG_BK; ks += 16) {
                u32 af[4][4];
                u32 bf[2][4];
#pragma unroll
                for (int mt = 0; mt < 4; mt++) {
                    int mb = wm + mt * 16;
                    if (!TA) {
                        ldsm_x4<false>(af[mt], as + (mb + lr + (lj & 1) * 8) * (HG_BK + HG_PAD) + ks + (lj >> 1) * 8);
                    } else {
                        ldsm_x4<true>(af[mt], as + (ks + lr + (lj >> 1) * 8) * (HG_BM + HG_PAD) + mb + (lj & 1) * 8);
                    }
                }
#pragma unroll
                for (int np = 0; np < 2; np++) {
                    int nb = wn + np * 16;
                    if (!TB) {
                        ldsm_x4<true>(bf[np], bs + (ks + lr + (lj & 1) * 8) * (HG_BN + HG_PAD) + nb + (lj >> 1) * 8);
                    } else {
                        ldsm_x4<false>(bf[np], bs + (nb + lr + (lj >> 1) * 8) * (HG_BK + HG_PAD) + ks + (lj & 1) * 8);
                    }
                }
#pragma unroll
                for (int mt = 0; mt < 4; mt++) {
#pragma unroll
                    for (int nt = 0; nt < 4; nt++) {
                        const u32* bb = bf[nt >> 1] + (nt & 1) * 2;
                        mma16816<BF>(acc[mt][nt], af[mt], bb[0], bb[1]);
                    }
                }
            }
            __syncthreads();
        }
#pragma unroll
        for (int mt = 0; mt < 4; mt++) {
#pragma unroll
            for (int nt = 0; nt < 4; nt++) {
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    int m = m0 + wm + mt * 16 + grp + (c >> 1) * 8;
                    int n = n0 + wn + nt * 8 + tig * 2 + (c & 1);
                    if (m < p.M && n < p.N) {
                        gemm_store<T>(p, o, g, m, n, acc[mt][nt][c]);
                    }
                }
            }
        }
    }
}

#define HGEMM_KERNEL(NAME, T, BF, TA, TB) \
    extern "C" __global__ void __launch_bounds__(256, 2) NAME(const GemmArgs a) { hgemm_impl<T, BF, TA, TB>(a); }

HGEMM_KERNEL(hgemm_f16_nn, F16T, false, false, false)
HGEMM_KERNEL(hgemm_f16_nt, F16T, false, false, true)
HGEMM_KERNEL(hgemm_f16_tn, F16T, false, true, false)
HGEMM_KERNEL(hgemm_f16_tt, F16T, false, true, true)
HGEMM_KERNEL(hgemm_bf16_nn, BF16T, true, false, false)
HGEMM_KERNEL(hgemm_bf16_nt, BF16T, true, false, true)
HGEMM_KERNEL(hgemm_bf16_tn, BF16T, true, true, false)
HGEMM_KERNEL(hgemm_bf16_tt, BF16T, true, true, true)
