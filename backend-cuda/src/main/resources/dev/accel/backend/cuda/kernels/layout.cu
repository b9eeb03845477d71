// Layout kernels for every dtype, by element size (1, 2, 4 or 8 bytes): a strided copy, which
// the Java side turns into Transpose, Slice, Concat (one launch per input) and Split (one per
// output), and Pad in its three modes.
#include "common.cuh"

// dst[dstOff + sum(idx_d * ds_d)] = src[srcOff + sum(idx_d * ss_d)] for every index of `dims`.
struct CopyArgs {
    const void* src;
    void* dst;
    i64 n;
    i64 srcOff;
    i64 dstOff;
    int rank;
    int pad0;
    i64 dims[8];
    i64 ss[8];
    i64 ds[8];
};
ACCEL_STRUCT_SIZE(CopyArgs, 240);

template <class E>
__device__ void copy_impl(const CopyArgs& a) {
    const E* src = (const E*) a.src;
    E* dst = (E*) a.dst;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        i64 os;
        i64 od;
        strided_offset2(i, a.rank, a.dims, a.ss, a.ds, os, od);
        dst[a.dstOff + od] = src[a.srcOff + os];
    }
}

extern "C" __global__ void copy_1(const CopyArgs a) { copy_impl<u8>(a); }
extern "C" __global__ void copy_2(const CopyArgs a) { copy_impl<u16>(a); }
extern "C" __global__ void copy_4(const CopyArgs a) { copy_impl<u32>(a); }
extern "C" __global__ void copy_8(const CopyArgs a) { copy_impl<u64>(a); }

// Pad modes: the ordinals of dev.accel.hal.op.Pad.Mode.
#define PAD_CONSTANT 0
#define PAD_EDGE 1
#define PAD_REFLECT 2

// Output element i (row-major over outDims) reads input coordinates c_d = o_d - begin_d,
// mapped into [0, inDims_d) by the mode, or is `value` (its raw bits) for CONSTANT.
struct PadArgs {
    const void* src;
    void* dst;
    i64 n;
    u64 value;
    int rank;
    int mode;
    i64 outDims[8];
    i64 inDims[8];
    i64 inStrides[8];
    i64 begin[8];
};
ACCEL_STRUCT_SIZE(PadArgs, 296);

template <class E>
__device__ void pad_impl(const PadArgs& a) {
    const E* src = (const E*) a.src;
    E* dst = (E*) a.dst;
    E fill = (E) a.value;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        i64 rest = i;
        i64 off = 0;
        bool outside = false;
#pragma unroll
        for (int d = MAXR - 1; d >= 0; d--) {
            if (d < a.rank) {
                i64 q = rest / a.outDims[d];
                i64 c = rest - q * a.outDims[d] - a.begin[d];
                rest = q;
                i64 len = a.inDims[d];
                if (c < 0 || c >= len) {
                    if (a.mode == PAD_CONSTANT) {
                        outside = true;
                    } else if (a.mode == PAD_EDGE) {
                        c = c < 0 ? 0 : len - 1;
                    } else {
                        c = c < 0 ? -c : 2 * (len - 1) - c;
                    }
                }
                off += c * a.inStrides[d];
            }
        }
        dst[i] = outside ? fill : src[off];
    }
}

extern "C" __global__ void pad_1(const PadArgs a) { pad_impl<u8>(a); }
extern "C" __global__ void pad_2(const PadArgs a) { pad_impl<u16>(a); }
extern "C" __global__ void pad_4(const PadArgs a) { pad_impl<u32>(a); }
extern "C" __global__ void pad_8(const PadArgs a) { pad_impl<u64>(a); }
