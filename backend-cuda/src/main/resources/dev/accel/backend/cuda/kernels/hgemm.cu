// GEMM on tensor cores for F16 and BF16 (float accumulation), for MatMul, Gemm and convolution
// as implicit GEMM; needs compute capability 8.0 (mma.sync.m16n8k16, ldmatrix, cp.async).
//
// A 256-thread block (8 warps, 2 x 4) computes a 128 x BN tile of Y (BN = 128 in the kernels below;
// hgemm_probe.cu also times 256), walking K in steps of 32; each warp owns 64 x BN/4 of it:
// 4 x BN/32 mma tiles of 16 x 8. Tiles are copied global -> shared with cp.async (16 bytes at a time) into a
// ring of STAGES buffers in dynamic shared memory, STAGES - 1 tiles ahead of the one multiplied, so
// the copies of later tiles overlap the math of this one and one barrier per tile suffices. They
// keep the operand's own layout, and fragments are read with ldmatrix (.trans where the operand
// is stored the other way round). Four layouts: A with k contiguous (row-major A) or m contiguous
// (transposed A); B with n contiguous (row-major B) or k contiguous (transposed B). Operands that
// are not 16-byte aligned, and the implicit im2col of convolution, take an element-by-element path
// into the same shared layout. Shared memory per block: STAGES * (HG_SA + hg_sb(BN)) halves, which
// CudaGemmPlans computes the same way (hgemmSharedBytes).
//
// Fragment layouts (PTX ISA, mma.m16n8k16 .f16/.bf16, lane = 4 * group + tig):
//   A regs: {A[g][2t..2t+1]}, {A[g+8][2t..]}, {A[g][2t+8..]}, {A[g+8][2t+8..]}
//   B regs: {B[2t..2t+1][g]}, {B[2t+8..2t+9][g]}
//   C regs: C[g][2t], C[g][2t+1], C[g+8][2t], C[g+8][2t+1]
#include "gemm.cuh"

#define HG_BM 128
#define HG_BK 32
#define HG_PAD 8
// Halves of one stage of A: max(BM * (BK + PAD), BK * (BM + PAD)), for either layout.
#define HG_SA 5120

// Halves of one stage of B for a tile width of BN: max(BK * (BN + PAD), BN * (BK + PAD)).
__host__ __device__ constexpr int hg_sb(int bn) {
    return HG_BK * (bn + HG_PAD) > bn * (HG_BK + HG_PAD) ? HG_BK * (bn + HG_PAD) : bn * (HG_BK + HG_PAD);
}

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

// The same copy to shared-window address `dst`.
__device__ __forceinline__ void cp_async16_s(u32 dst, const void* src, bool valid) {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(valid ? 16 : 0));
#endif
}

// Waits until at most N of this thread's committed copy groups are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group %0;" ::"n"(N));
#endif
}

// ldmatrix .x4 from shared-window address `addr` (32-bit, as smem_u32 gives).
template <bool TRANS>
__device__ __forceinline__ void ldsm_x4(u32 (&r)[4], u32 addr) {
#if __CUDA_ARCH__ >= 800
    if (TRANS) {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
    } else {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
                     : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
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
template <bool TB, int BN>
__device__ __forceinline__ void hg_load_b(const GemmArgs& p, const u16* b, const GemmOffsets& o, int g, u16* bs,
                                          int n0, int k0) {
    int tid = threadIdx.x;
    if (p.vecB && !p.conv) {
        // BK * BN / 8 chunks of 16 bytes, BN / 64 per thread.
#pragma unroll
        for (int i = 0; i < BN / 64; i++) {
            int c = tid + i * 256;
            if (!TB) {
                int r = c / (BN / 8);
                int nc = (c % (BN / 8)) * 8;
                int k = k0 + r;
                int n = n0 + nc;
                bool ok = k < p.K && n < p.N;
                cp_async16(bs + r * (BN + HG_PAD) + nc, ok ? b + o.b + (i64) k * p.sbk + n : b, ok);
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
        for (int e = tid; e < BN * HG_BK; e += 256) {
            if (!TB) {
                int r = e / BN;
                int nn = e % BN;
                bs[r * (BN + HG_PAD) + nn] = hg_elem_b(p, b, o, g, k0 + r, n0 + nn);
            } else {
                int r = e >> 5;
                int kk = e & 31;
                bs[r * (HG_BK + HG_PAD) + kk] = hg_elem_b(p, b, o, g, k0 + kk, n0 + r);
            }
        }
    }
}

// One thread's share of the 16-byte copies of an operand's tiles, for operands whose rows are
// 16-byte aligned (vecA / vecB): worked out once per batch, so that a tile costs one add and one
// compare per copy. Chunk i's source for the next tile is src[i] (advanced by `step` elements per
// tile), its place in a stage is byte offset dst[i], it holds k offset kin[i] of the tile, and
// inside[i] says whether its row of A (column of B) lies inside the problem.
template <int CH>
struct HgCopies {
    const u16* src[CH];
    u32 dst[CH];
    int kin[CH];
    bool inside[CH];
    i64 step;

    // Copies tile k0 into the stage at shared address `stage`; zeros past M, N and K.
    __device__ __forceinline__ void issue(u32 stage, int k0, int K) {
        bool full = k0 + HG_BK <= K;
#pragma unroll
        for (int i = 0; i < CH; i++) {
            bool ok = inside[i] && (full || k0 + kin[i] < K);
            cp_async16_s(stage + dst[i], src[i], ok);
            src[i] += step;
        }
    }
};

template <bool TA>
__device__ __forceinline__ HgCopies<2> hg_copies_a(const GemmArgs& p, const u16* a, const GemmOffsets& o, int m0) {
    HgCopies<2> c;
    int tid = threadIdx.x;
#pragma unroll
    for (int i = 0; i < 2; i++) {
        int ch = tid + i * 256;
        if (!TA) {  // [m][k]: 4 chunks per row of 32 k
            int r = ch >> 2;
            int kc = (ch & 3) * 8;
            c.inside[i] = m0 + r < p.M;
            c.src[i] = a + o.a + (i64) (c.inside[i] ? m0 + r : 0) * p.sam + kc;
            c.dst[i] = (r * (HG_BK + HG_PAD) + kc) * 2;
            c.kin[i] = kc;
        } else {  // [k][m]: 16 chunks per row of 128 m
            int r = ch >> 4;
            int mc = (ch & 15) * 8;
            c.inside[i] = m0 + mc < p.M;
            c.src[i] = a + o.a + (i64) r * p.sak + (c.inside[i] ? m0 + mc : 0);
            c.dst[i] = (r * (HG_BM + HG_PAD) + mc) * 2;
            c.kin[i] = r;
        }
    }
    c.step = TA ? (i64) HG_BK * p.sak : HG_BK;
    return c;
}

template <bool TB, int BN>
__device__ __forceinline__ HgCopies<BN / 64> hg_copies_b(const GemmArgs& p, const u16* b, const GemmOffsets& o, int n0) {
    HgCopies<BN / 64> c;
    int tid = threadIdx.x;
#pragma unroll
    for (int i = 0; i < BN / 64; i++) {
        int ch = tid + i * 256;
        if (!TB) {  // [k][n]: BN / 8 chunks per row
            int r = ch / (BN / 8);
            int nc = (ch % (BN / 8)) * 8;
            c.inside[i] = n0 + nc < p.N;
            c.src[i] = b + o.b + (i64) r * p.sbk + (c.inside[i] ? n0 + nc : 0);
            c.dst[i] = HG_SA * 2 + (r * (BN + HG_PAD) + nc) * 2;
            c.kin[i] = r;
        } else {  // [n][k]: 4 chunks per row of 32 k
            int r = ch >> 2;
            int kc = (ch & 3) * 8;
            c.inside[i] = n0 + r < p.N;
            c.src[i] = b + o.b + (i64) (c.inside[i] ? n0 + r : 0) * p.sbn + kc;
            c.dst[i] = HG_SA * 2 + (r * (HG_BK + HG_PAD) + kc) * 2;
            c.kin[i] = kc;
        }
    }
    c.step = TB ? HG_BK : (i64) HG_BK * p.sbk;
    return c;
}

// Byte offsets, within a stage, of the rows this lane hands to ldmatrix for its warp's first A
// tile (rows wm.., k 0) and first B tile pair (columns wn.., k 0); the other tiles and k steps lie
// at constant distances from these (hg_frags), so the addresses cost one add each.
template <bool TA>
__device__ __forceinline__ u32 hg_lane_a(int wm, int lr, int lj) {
    return TA ? ((lr + (lj >> 1) * 8) * (HG_BM + HG_PAD) + wm + (lj & 1) * 8) * 2
              : ((wm + lr + (lj & 1) * 8) * (HG_BK + HG_PAD) + (lj >> 1) * 8) * 2;
}

template <bool TB, int BN>
__device__ __forceinline__ u32 hg_lane_b(int wn, int lr, int lj) {
    return HG_SA * 2 + (TB ? ((wn + lr + (lj >> 1) * 8) * (HG_BK + HG_PAD) + (lj & 1) * 8) * 2
                           : ((lr + (lj & 1) * 8) * (BN + HG_PAD) + wn + (lj >> 1) * 8) * 2);
}

// Reads a warp's fragments for k step ks (0 or 16; a constant once unrolled) of the stage at shared
// address `st`: A for its 64 rows (four 16 x 16 tiles), B for its BN / 4 columns (BN / 64 pairs of
// 16 x 8 tiles).
template <bool TA, bool TB, int BN>
__device__ __forceinline__ void hg_frags(u32 (&af)[4][4], u32 (&bf)[BN / 64][4], u32 st, int ks, u32 laneA, u32 laneB) {
#pragma unroll
    for (int mt = 0; mt < 4; mt++) {
        u32 step = TA ? (ks * (HG_BM + HG_PAD) + mt * 16) * 2 : (mt * 16 * (HG_BK + HG_PAD) + ks) * 2;
        ldsm_x4<TA>(af[mt], st + laneA + step);
    }
#pragma unroll
    for (int np = 0; np < BN / 64; np++) {
        u32 step = TB ? (np * 16 * (HG_BK + HG_PAD) + ks) * 2 : (ks * (BN + HG_PAD) + np * 16) * 2;
        ldsm_x4<!TB>(bf[np], st + laneB + step);
    }
}

template <class T, bool BF, bool TA, bool TB, int BN, int STAGES, bool VEC>
__device__ void hgemm_impl(const GemmArgs& p) {
    constexpr int NT = BN / 32;  // mma tiles of 8 columns per warp
    constexpr int KS = HG_BK / 16;  // k steps per tile
    static_assert(KS % 2 == 0, "the fragment double buffer alternates per k step and must line up per tile");
    constexpr int SB = hg_sb(BN);
    constexpr u32 STAGE_BYTES = (HG_SA + SB) * 2;
    extern __shared__ __align__(16) u16 hg_smem[];
    // Stage s: A at hg_smem + s * (HG_SA + SB), B right after it.
    const u32 smem0 = smem_u32(hg_smem);
    const u16* a = (const u16*) p.a;
    const u16* b = (const u16*) p.b;
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int wm = (warp >> 2) * 64;
    int wn = (warp & 3) * (BN / 4);
    int grp = lane >> 2;
    int tig = lane & 3;
    int lj = lane >> 3;
    int lr = lane & 7;
    int m0 = blockIdx.y * HG_BM;
    int n0 = blockIdx.x * BN;
    int tiles = (p.K + HG_BK - 1) / HG_BK;
    const u32 laneA = hg_lane_a<TA>(wm, lr, lj);
    const u32 laneB = hg_lane_b<TB, BN>(wn, lr, lj);
    for (i64 z = blockIdx.z; z < p.batch; z += gridDim.z) {
        GemmOffsets o = gemm_offsets(p, z);
        int g = (int) z;
        float acc[4][NT][4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
#pragma unroll
            for (int j = 0; j < NT; j++) {
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    acc[i][j][c] = 0.f;
                }
            }
        }
        // With VEC, both operands are copied 16 bytes at a time by precomputed copies; otherwise
        // the loaders choose per operand between that and the element path (conv, unaligned).
        HgCopies<2> ca;
        HgCopies<BN / 64> cb;
        if (VEC) {
            ca = hg_copies_a<TA>(p, a, o, m0);
            cb = hg_copies_b<TB, BN>(p, b, o, n0);
        }
        // Prologue: tiles 0 .. STAGES - 2 in flight, one commit group each (empty past the end).
#pragma unroll
        for (int s = 0; s < STAGES - 1; s++) {
            if (s < tiles) {
                if (VEC) {
                    ca.issue(smem0 + s * STAGE_BYTES, s * HG_BK, p.K);
                    cb.issue(smem0 + s * STAGE_BYTES, s * HG_BK, p.K);
                } else {
                    u16* st = hg_smem + s * (HG_SA + SB);
                    hg_load_a<TA>(p, a, o, st, m0, s * HG_BK);
                    hg_load_b<TB, BN>(p, b, o, g, st + HG_SA, n0, s * HG_BK);
                }
            }
            cp_async_commit();
        }
        cp_async_wait<STAGES - 2>();
        __syncthreads();
        // Fragments are read one k step of 16 ahead of the mma that uses them, into two register
        // sets, so that shared-memory latency hides behind the previous step's mma; the step
        // after a tile's last is the next tile's first, read once the barrier says it landed.
        u32 af[2][4][4];
        u32 bf[2][NT / 2][4];
        if (tiles > 0) {
            hg_frags<TA, TB, BN>(af[0], bf[0], smem0, 0, laneA, laneB);
        }
        for (int t = 0; t < tiles; t++) {
            u32 as = smem0 + (t % STAGES) * STAGE_BYTES;
#pragma unroll
            for (int kk = 0; kk < KS; kk++) {
                if (kk == KS - 1) {
                    // Refill the stage of tile t - 1 (every warp finished reading it before the
                    // last barrier) with tile t + STAGES - 1; then wait for tile t + 1.
                    int next = t + STAGES - 1;
                    if (next < tiles) {
                        if (VEC) {
                            ca.issue(smem0 + (next % STAGES) * STAGE_BYTES, next * HG_BK, p.K);
                            cb.issue(smem0 + (next % STAGES) * STAGE_BYTES, next * HG_BK, p.K);
                        } else {
                            u16* st = hg_smem + (next % STAGES) * (HG_SA + SB);
                            hg_load_a<TA>(p, a, o, st, m0, next * HG_BK);
                            hg_load_b<TB, BN>(p, b, o, g, st + HG_SA, n0, next * HG_BK);
                        }
                    }
                    cp_async_commit();
                    cp_async_wait<STAGES - 2>();
                    __syncthreads();
                    if (t + 1 < tiles) {
                        hg_frags<TA, TB, BN>(af[(kk + 1) & 1], bf[(kk + 1) & 1], smem0 + ((t + 1) % STAGES) * STAGE_BYTES, 0,
                                             laneA, laneB);
                    }
                } else {
                    hg_frags<TA, TB, BN>(af[(kk + 1) & 1], bf[(kk + 1) & 1], as, (kk + 1) * 16, laneA, laneB);
                }
#pragma unroll
                for (int mt = 0; mt < 4; mt++) {
#pragma unroll
                    for (int nt = 0; nt < NT; nt++) {
                        const u32* bb = bf[kk & 1][nt >> 1] + (nt & 1) * 2;
                        mma16816<BF>(acc[mt][nt], af[kk & 1][mt], bb[0], bb[1]);
                    }
                }
            }
        }
        // Every copy group done (the trailing ones are empty) and every warp past its last tile
        // before the next batch's prologue overwrites the stages.
        cp_async_wait<0>();
        __syncthreads();
#pragma unroll
        for (int mt = 0; mt < 4; mt++) {
#pragma unroll
            for (int nt = 0; nt < NT; nt++) {
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

// The kernels, per dtype and layout: NAME for any operands, and NAME_v for operands copied 16 bytes
// at a time (vecA and vecB, not conv), which has no element path. Both use 128 x 128 tiles in four
// stages (80 KiB of shared memory: every GPU from 8.0 on allows it; 8.6 and 8.9 allow 99 KiB).
// NAME_v runs one block of 186 registers per thread per multiprocessor, NAME two blocks of 128.
// On an H100 at n = 4096 (src/build/hgemm_probe.cu) NAME_v ran 267 TFLOP/s, NAME 244, two blocks
// of NAME_v (spilling at 128 registers) 234, and 128 x 256 tiles in three or four stages 231-235.
#define HGEMM_KERNEL(NAME, T, BF, TA, TB)                                                               \
    extern "C" __global__ void __launch_bounds__(256, 2) NAME(const GemmArgs a) {                       \
        hgemm_impl<T, BF, TA, TB, 128, 4, false>(a);                                                   \
    }                                                                                                  \
    extern "C" __global__ void __launch_bounds__(256, 1) NAME##_v(const GemmArgs a) {                   \
        hgemm_impl<T, BF, TA, TB, 128, 4, true>(a);                                                    \
    }

HGEMM_KERNEL(hgemm_f16_nn, F16T, false, false, false)
HGEMM_KERNEL(hgemm_f16_nt, F16T, false, false, true)
HGEMM_KERNEL(hgemm_f16_tn, F16T, false, true, false)
HGEMM_KERNEL(hgemm_f16_tt, F16T, false, true, true)
HGEMM_KERNEL(hgemm_bf16_nn, BF16T, true, false, false)
HGEMM_KERNEL(hgemm_bf16_nt, BF16T, true, false, true)
HGEMM_KERNEL(hgemm_bf16_tn, BF16T, true, true, false)
HGEMM_KERNEL(hgemm_bf16_tt, BF16T, true, true, true)
