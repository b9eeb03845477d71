// GEMM on Hopper's warpgroup tensor-core instructions (wgmma, sm_90a only) for F16 and BF16 with
// float accumulation: row-major A [M, K] and B [K, N] (the "nn" layout), rows 16-byte aligned,
// no convolution. Other GPUs and layouts run hgemm.cu (mma.sync).
//
// A 256-thread block (two warpgroups) computes a 128 x 128 tile of Y; warpgroup w owns rows
// 64w .. 64w + 63 and issues wgmma.m64n128k16 with both operands in shared memory. K advances 64
// per tile through a ring of STAGES shared-memory buffers filled by cp.async STAGES - 2 tiles
// ahead, while each tile's wgmmas run on during the next tile's barrier and copies (one group in
// flight). Operands sit in the 128-byte-swizzled layouts wgmma reads without bank conflicts:
//   A (k contiguous, "K-major"): row r of the tile at byte r * 128, its 16-byte chunk c at
//     ((c ^ (r % 8)) * 16); 8-row groups 1024 bytes apart (the descriptor's stride offset).
//   B (n contiguous, "MN-major", read transposed): for each 64-column block j, k-row r at byte
//     j * 8192 + r * 128, chunk c of the block at ((c ^ (r % 8)) * 16); the descriptor's leading
//     offset (8192) steps between column blocks, its stride offset (1024) between 8-row groups.
// Each stage's buffers start 1024-byte aligned, as the swizzle pattern repeats every 1024 bytes.
//
// Accumulator layout of wgmma.m64nNk16 (f32), thread t of the warpgroup, warp w = t / 32, lane l:
//   d[4i + 0..1] = Y[16w + l/4][8i + 2(l%4) + 0..1], d[4i + 2..3] = the same columns, row + 8.
#include "gemm.cuh"

#define H9_BM 128
#define H9_BK 64
#define H9_A_BYTES (H9_BM * H9_BK * 2)  // 16 KiB

// Bytes of one stage for a tile width of BN (A, then B), and of the whole dynamic window: the
// stages plus 1024 bytes of slack to align them (CudaGemmPlans computes the same).
__host__ __device__ constexpr int h9_stage_bytes(int bn) {
    return H9_A_BYTES + H9_BK * bn * 2;
}

__host__ __device__ constexpr int h9_shared_bytes(int bn, int stages) {
    return stages * h9_stage_bytes(bn) + 1024;
}

#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define H9_WGMMA 1
#endif

__device__ __forceinline__ u32 h9_smem(const void* p) {
    u32 r;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(r) : "l"(p));
    return r;
}

__device__ __forceinline__ void h9_cp16(u32 dst, const void* src, bool valid) {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(valid ? 16 : 0));
#endif
}

__device__ __forceinline__ void h9_commit() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;");
#endif
}

template <int N>
__device__ __forceinline__ void h9_wait() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group %0;" ::"n"(N));
#endif
}

// A shared-memory matrix descriptor: start address, leading and stride byte offsets (all in
// 16-byte units), 128-byte swizzle.
__device__ __forceinline__ u64 h9_desc(u32 addr, u32 leading, u32 stride) {
    return (u64) ((addr & 0x3FFFF) >> 4) | ((u64) (leading >> 4) << 16) | ((u64) (stride >> 4) << 32) | (1ull << 62);
}

#ifdef H9_WGMMA
// wgmma.m64n128k16 of element type TYPE ("f16" or "bf16") with float accumulation into d (scale-d
// 1), A K-major, B MN-major (transposed): one asm statement, 64 accumulator registers.
#define H9_MMA(TYPE)                                                                                  \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, 1, 0;\n"                                          \
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32." TYPE "." TYPE " {" \
    "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63" \
                 "}, %64, %65, p, 1, 1, 0, 1;\n}"                                                      \
                 : \
      "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), \
      "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), \
      "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), \
      "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), \
      "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), \
      "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), \
      "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), \
      "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]) \
                 : "l"(da), "l"(db))

template <bool BF>
__device__ __forceinline__ void h9_mma(float (&d)[64], u64 da, u64 db) {
    if (BF) {
        H9_MMA("bf16");
    } else {
        H9_MMA("f16");
    }
}
#undef H9_MMA
#endif

// One thread's copies of tile k0 into the stage at `stage`: four 16-byte chunks of A and BN / 32 of
// B, zero-filled outside the problem.
template <int BN>
__device__ __forceinline__ void h9_load(const GemmArgs& p, const u16* a, const u16* b, const GemmOffsets& o, u32 stage,
                                        int m0, int n0, int k0) {
    int tid = threadIdx.x;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int ch = tid + i * 256;  // A: 128 rows x 8 chunks
        int r = ch >> 3;
        int c = ch & 7;
        int m = m0 + r;
        int k = k0 + c * 8;
        bool ok = m < p.M && k < p.K;
        h9_cp16(stage + r * 128 + ((c ^ (r & 7)) << 4), ok ? a + o.a + (i64) m * p.sam + k : a, ok);
    }
#pragma unroll
    for (int i = 0; i < BN / 32; i++) {
        int ch = tid + i * 256;  // B: 64 k-rows x BN / 8 chunks
        int r = ch / (BN / 8);
        int c = ch % (BN / 8);
        int k = k0 + r;
        int n = n0 + c * 8;
        bool ok = k < p.K && n < p.N;
        h9_cp16(stage + H9_A_BYTES + (c >> 3) * 8192 + r * 128 + (((c & 7) ^ (r & 7)) << 4),
                ok ? b + o.b + (i64) k * p.sbk + n : b, ok);
    }
}

template <class T, bool BF, int BN, int STAGES>
__device__ void hgemm90_impl(const GemmArgs& p) {
#ifdef H9_WGMMA
    static_assert(BN == 128, "the accumulators and h9_mma are those of wgmma.m64n128k16");
    static_assert(STAGES >= 4, "tile kt - 1's wgmmas stay in flight while tile kt + STAGES - 2 is copied");
    constexpr int STAGE = h9_stage_bytes(BN);
    extern __shared__ __align__(1024) unsigned char h9_raw[];
    // The dynamic window's start is only 16-byte aligned by contract: round up to 1024.
    u32 base = (h9_smem(h9_raw) + 1023) & ~1023u;
    const u16* a = (const u16*) p.a;
    const u16* b = (const u16*) p.b;
    int wg = threadIdx.x >> 7;
    int t = threadIdx.x & 127;
    int m0 = blockIdx.y * H9_BM;
    int n0 = blockIdx.x * BN;
    int tiles = (p.K + H9_BK - 1) / H9_BK;
    for (i64 z = blockIdx.z; z < p.batch; z += gridDim.z) {
        GemmOffsets o = gemm_offsets(p, z);
        float d[BN / 2];
#pragma unroll
        for (int i = 0; i < BN / 2; i++) {
            d[i] = 0.f;
        }
        // Copies run STAGES - 2 tiles ahead: the stages hold tile kt - 1 (its wgmmas may still
        // run), kt (being multiplied) and kt + 1 .. kt + STAGES - 2 (landing).
#pragma unroll
        for (int s = 0; s < STAGES - 2; s++) {
            if (s < tiles) {
                h9_load<BN>(p, a, b, o, base + s * STAGE, m0, n0, s * H9_BK);
            }
            h9_commit();
        }
        for (int kt = 0; kt < tiles; kt++) {
            h9_wait<STAGES - 3>();  // tile kt has landed (this thread's copies)
            // cp.async wrote through the generic proxy; wgmma reads through the async proxy.
            asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
            // Every thread's copies of tile kt landed, and every warpgroup finished tile kt - 2's
            // wgmmas (it waited for them before arriving here), so that stage may be refilled.
            __syncthreads();
            int next = kt + STAGES - 2;
            if (next < tiles) {
                h9_load<BN>(p, a, b, o, base + (next % STAGES) * STAGE, m0, n0, next * H9_BK);
            }
            h9_commit();
            u32 stage = base + (kt % STAGES) * STAGE;
            u32 sa = stage + wg * 64 * 128;
            u32 sb = stage + H9_A_BYTES;
            asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
#pragma unroll
            for (int ks = 0; ks < H9_BK / 16; ks++) {
                // k step ks: 32 bytes along A's swizzled rows, 16 rows (2048 bytes) down B's.
                h9_mma<BF>(d, h9_desc(sa + ks * 32, 16, 1024), h9_desc(sb + ks * 2048, 8192, 1024));
            }
            asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
            // Tile kt - 1's wgmmas are done; tile kt's run on while the next copies are issued.
            asm volatile("wgmma.wait_group.sync.aligned 1;" ::: "memory");
        }
        asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
        h9_wait<0>();
        __syncthreads();
        int w = t >> 5;
        int l = t & 31;
#pragma unroll
        for (int i = 0; i < BN / 8; i++) {
#pragma unroll
            for (int h = 0; h < 2; h++) {
                int m = m0 + wg * 64 + 16 * w + (l >> 2) + 8 * h;
                int n = n0 + 8 * i + 2 * (l & 3);
                if (m < p.M) {
                    if (n < p.N) {
                        gemm_store<T>(p, o, (int) z, m, n, d[4 * i + 2 * h]);
                    }
                    if (n + 1 < p.N) {
                        gemm_store<T>(p, o, (int) z, m, n + 1, d[4 * i + 2 * h + 1]);
                    }
                }
            }
        }
    }
#else
    __trap();  // built for a GPU without wgmma: the planner never names these kernels there
#endif
}

// 128 x 128 tiles in five stages (161 KiB of shared memory with the alignment slack; 9.0 allows 227).
// On an H100 (src/build/hgemm_probe.cu) at n = 4096: 391 TFLOP/s against cuBLAS's 741; four stages
// 382, 128 x 256 tiles (m64n256k16) in four stages 260, wgmma waited for at each tile (no group in
// flight) 334.
extern "C" __global__ void __launch_bounds__(256, 1) hgemm90_f16_nn(const GemmArgs a) { hgemm90_impl<F16T, false, 128, 5>(a); }
extern "C" __global__ void __launch_bounds__(256, 1) hgemm90_bf16_nn(const GemmArgs a) { hgemm90_impl<BF16T, true, 128, 5>(a); }
