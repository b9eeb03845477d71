// Shared definitions of accel's CUDA kernels. Self-contained on purpose: no CUDA header is
// included, so the same sources compile with nvcc at build time and with NVRTC at run time
// (which ships no cuda_fp16.h). Half conversions, tensor-core and dp4a instructions are
// written as inline PTX.
//
// Every kernel takes one argument: a struct passed by value, whose layout the Java side
// (CudaStructs) packs byte for byte. Structs here are written one field per line, in the
// form the Java test CudaStructLayoutTest parses, and each ends with ACCEL_STRUCT_SIZE, which
// makes the compiler check the size the Java side computes.
#pragma once

typedef unsigned char u8;
typedef signed char i8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef long long i64;
typedef unsigned long long u64;

#define ACCEL_STRUCT_SIZE(T, N) static_assert(sizeof(T) == N, #T " must have the size the Java side packs")

// Largest rank the strided kernels index; the Java side merges dimensions to fit.
#define MAXR 8

// Element type codes: the ordinal of dev.accel.hal.DType (checked by CudaStructLayoutTest).
#define DT_F32 0
#define DT_F16 1
#define DT_BF16 2
#define DT_I8 3
#define DT_U8 4
#define DT_I32 5
#define DT_I64 6
#define DT_BOOL 7

#define ACCEL_INF __int_as_float(0x7f800000)

// ---- 16-bit float conversions (round to nearest even) ----

__device__ __forceinline__ float h2f(u16 h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ u16 f2h(float f) {
    u16 h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}

__device__ __forceinline__ float bf2f(u16 h) {
    return __uint_as_float(((u32) h) << 16);
}

__device__ __forceinline__ u16 f2bf(float f) {
    u32 b = __float_as_uint(f);
    if ((b & 0x7fffffffu) > 0x7f800000u) {
        return (u16) ((b >> 16) | 0x40u);  // quiet NaN, sign kept
    }
    return (u16) ((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}

// ---- float element types: storage type and conversion to and from float ----

struct F32T {
    typedef float S;
    static constexpr bool S_IS_F32 = true;
    static __device__ __forceinline__ float ld(const S* p, i64 i) { return p[i]; }
    static __device__ __forceinline__ void st(S* p, i64 i, float v) { p[i] = v; }
};

struct F16T {
    typedef u16 S;
    static constexpr bool S_IS_F32 = false;
    static __device__ __forceinline__ float ld(const S* p, i64 i) { return h2f(p[i]); }
    static __device__ __forceinline__ void st(S* p, i64 i, float v) { p[i] = f2h(v); }
};

struct BF16T {
    typedef u16 S;
    static constexpr bool S_IS_F32 = false;
    static __device__ __forceinline__ float ld(const S* p, i64 i) { return bf2f(p[i]); }
    static __device__ __forceinline__ void st(S* p, i64 i, float v) { p[i] = f2bf(v); }
};

// Defines NAME_f32, NAME_f16 and NAME_bf16 entry points that run NAME_impl<T>(args).
#define ACCEL_FLOAT_KERNELS(NAME, ARGS)                                                       \
    extern "C" __global__ void NAME##_f32(const ARGS a) { NAME##_impl<F32T>(a); }            \
    extern "C" __global__ void NAME##_f16(const ARGS a) { NAME##_impl<F16T>(a); }            \
    extern "C" __global__ void NAME##_bf16(const ARGS a) { NAME##_impl<BF16T>(a); }

// ---- indexing ----

__device__ __forceinline__ i64 global_thread() {
    return (i64) blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ i64 grid_threads() {
    return (i64) gridDim.x * blockDim.x;
}

// Offset of flat row-major index i of a tensor of `dims` read through `strides` (elements).
__device__ __forceinline__ i64 strided_offset(i64 i, int rank, const i64* dims, const i64* strides) {
    i64 off = 0;
#pragma unroll
    for (int d = MAXR - 1; d >= 0; d--) {
        if (d < rank) {
            i64 q = i / dims[d];
            off += (i - q * dims[d]) * strides[d];
            i = q;
        }
    }
    return off;
}

// Two offsets of flat index i through two stride sets over the same dims.
__device__ __forceinline__ void strided_offset2(i64 i, int rank, const i64* dims, const i64* sa, const i64* sb,
                                                i64& oa, i64& ob) {
    oa = 0;
    ob = 0;
#pragma unroll
    for (int d = MAXR - 1; d >= 0; d--) {
        if (d < rank) {
            i64 q = i / dims[d];
            i64 c = i - q * dims[d];
            oa += c * sa[d];
            ob += c * sb[d];
            i = q;
        }
    }
}

// ---- reductions within a block (blockDim.x a multiple of 32, at most 1024) ----

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    }
    return v;
}

// Sum over the block; every thread gets the result. `scratch` holds 32 floats.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = lane < warps ? scratch[lane] : 0.f;
    return warp_sum(v);
}

// Maximum over the block (NaN-propagating through fmaxf is not needed: callers check NaN).
__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = lane < warps ? scratch[lane] : -ACCEL_INF;
    return warp_max(v);
}

// max and min that return NaN when either argument is NaN, as Java's Math.max and Math.min do.
__device__ __forceinline__ float nan_max(float a, float b) {
    return (a != a || b != b) ? a + b : fmaxf(a, b);
}

__device__ __forceinline__ float nan_min(float a, float b) {
    return (a != a || b != b) ? a + b : fminf(a, b);
}
