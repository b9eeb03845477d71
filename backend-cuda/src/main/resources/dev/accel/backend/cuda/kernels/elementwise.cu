// Elementwise kernels: unary and binary ops (with numpy broadcasting), the accumulation that
// implements variadic Sum, Cast between every pair of dtypes, QuantizeLinear / DequantizeLinear,
// inference BatchNormalization, LRN, and the empty kernel used to measure launch latency.
// Float dtypes are stored as F32, F16 or BF16 and computed in float; every kernel is a
// grid-stride loop over the output's elements.
#include "common.cuh"

// Unary kinds: the ordinals of dev.accel.hal.op.Unary.Kind.
#define U_RELU 0
#define U_LEAKY_RELU 1
#define U_SIGMOID 2
#define U_TANH 3
#define U_GELU 4
#define U_GELU_TANH 5
#define U_ERF 6
#define U_SQRT 7
#define U_EXP 8
#define U_CLIP 9
#define U_HARD_SIGMOID 10
#define U_HARD_SWISH 11

// Binary kinds: the ordinals of dev.accel.hal.op.Binary.Kind.
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAX 5
#define B_MIN 6
#define B_PRELU 7

struct UnaryArgs {
    const void* x;
    void* y;
    i64 n;
    int kind;
    float alpha;
    float beta;
    int pad0;
};
ACCEL_STRUCT_SIZE(UnaryArgs, 40);

__device__ __forceinline__ float unary_op(int kind, float v, float alpha, float beta) {
    switch (kind) {
        case U_RELU: return v > 0.f ? v : 0.f;
        case U_LEAKY_RELU: return v < 0.f ? alpha * v : v;
        case U_SIGMOID: return 1.f / (1.f + expf(-v));
        case U_TANH: return tanhf(v);
        case U_GELU: return 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
        case U_GELU_TANH: {
            float inner = 0.79788456080286536f * (v + 0.044715f * v * v * v);
            return 0.5f * v * (1.f + tanhf(inner));
        }
        case U_ERF: return erff(v);
        case U_SQRT: return sqrtf(v);
        case U_EXP: return expf(v);
        case U_CLIP: return v != v ? v : fmaxf(alpha, fminf(beta, v));
        case U_HARD_SIGMOID: return nan_max(0.f, nan_min(1.f, alpha * v + beta));
        case U_HARD_SWISH: return v * nan_max(0.f, nan_min(1.f, v / 6.f + 0.5f));
        default: return __int_as_float(0x7fffffff);
    }
}

template <class T>
__device__ void unary_impl(const UnaryArgs& a) {
    const typename T::S* x = (const typename T::S*) a.x;
    typename T::S* y = (typename T::S*) a.y;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        T::st(y, i, unary_op(a.kind, T::ld(x, i), a.alpha, a.beta));
    }
}
ACCEL_FLOAT_KERNELS(unary, UnaryArgs)

struct BinaryArgs {
    const void* a;
    const void* b;
    void* y;
    i64 n;
    int rank;
    int kind;
    int contiguous;
    int pad0;
    i64 dims[8];
    i64 sa[8];
    i64 sb[8];
};
ACCEL_STRUCT_SIZE(BinaryArgs, 240);

__device__ __forceinline__ float binary_op(int kind, float x1, float x2) {
    switch (kind) {
        case B_ADD: return x1 + x2;
        case B_SUB: return x1 - x2;
        case B_MUL: return x1 * x2;
        case B_DIV: return x1 / x2;
        case B_POW: return powf(x1, x2);
        case B_MAX: return nan_max(x1, x2);
        case B_MIN: return nan_min(x1, x2);
        case B_PRELU: return x1 < 0.f ? x2 * x1 : x1;
        default: return __int_as_float(0x7fffffff);
    }
}

template <class T>
__device__ void binary_impl(const BinaryArgs& a) {
    const typename T::S* x1 = (const typename T::S*) a.a;
    const typename T::S* x2 = (const typename T::S*) a.b;
    typename T::S* y = (typename T::S*) a.y;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        i64 oa = i;
        i64 ob = i;
        if (!a.contiguous) {
            strided_offset2(i, a.rank, a.dims, a.sa, a.sb, oa, ob);
        }
        T::st(y, i, binary_op(a.kind, T::ld(x1, oa), T::ld(x2, ob)));
    }
}
ACCEL_FLOAT_KERNELS(binary, BinaryArgs)

// acc[i] = (first ? 0 : acc[i]) + x[broadcast offset of i]: one input of variadic Sum, accumulated in float.
struct AccumulateArgs {
    const void* x;
    float* acc;
    i64 n;
    int rank;
    int first;
    i64 dims[8];
    i64 sx[8];
};
ACCEL_STRUCT_SIZE(AccumulateArgs, 160);

template <class T>
__device__ void accumulate_impl(const AccumulateArgs& a) {
    const typename T::S* x = (const typename T::S*) a.x;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        float v = T::ld(x, strided_offset(i, a.rank, a.dims, a.sx));
        a.acc[i] = a.first ? v : a.acc[i] + v;
    }
}
ACCEL_FLOAT_KERNELS(accumulate, AccumulateArgs)

// ---- Cast: float to float rounds to nearest even (through float, which holds every F16 and
// BF16 value); float to integer truncates and saturates, NaN giving 0; integer to float rounds
// once to nearest even; integer to integer saturates; anything to BOOL is x != 0. ----

struct CastArgs {
    const void* x;
    void* y;
    i64 n;
    int from;
    int to;
};
ACCEL_STRUCT_SIZE(CastArgs, 32);

__device__ __forceinline__ bool is_float_type(int t) {
    return t == DT_F32 || t == DT_F16 || t == DT_BF16;
}

__device__ __forceinline__ float load_float(const void* p, int t, i64 i) {
    switch (t) {
        case DT_F32: return ((const float*) p)[i];
        case DT_F16: return h2f(((const u16*) p)[i]);
        default: return bf2f(((const u16*) p)[i]);
    }
}

__device__ __forceinline__ i64 load_int(const void* p, int t, i64 i) {
    switch (t) {
        case DT_I8: return ((const i8*) p)[i];
        case DT_U8: return ((const u8*) p)[i];
        case DT_I32: return ((const int*) p)[i];
        case DT_I64: return ((const i64*) p)[i];
        default: return ((const u8*) p)[i] != 0 ? 1 : 0;
    }
}

__device__ __forceinline__ i64 clamp_i64(i64 v, i64 lo, i64 hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

// v rounded to nearest even at `bits` significant bits, as a float holding it exactly, so that
// the following half conversion rounds nothing more (one rounding in all).
__device__ __forceinline__ float round_to_bits(i64 v, int bits) {
    u64 mag = v < 0 ? (u64) 0 - (u64) v : (u64) v;
    int width = 64 - __clzll((i64) mag);
    if (width <= bits) {
        return (float) v;
    }
    int drop = width - bits;
    u64 q = mag >> drop;
    u64 rest = mag & ((1ull << drop) - 1);
    u64 half = 1ull << (drop - 1);
    if (rest > half || (rest == half && (q & 1ull))) {
        q++;
    }
    float r = ldexpf((float) q, drop);
    return v < 0 ? -r : r;
}

__device__ __forceinline__ void store_from_float(void* p, int t, i64 i, float v) {
    switch (t) {
        case DT_F32: ((float*) p)[i] = v; break;
        case DT_F16: ((u16*) p)[i] = f2h(v); break;
        case DT_BF16: ((u16*) p)[i] = f2bf(v); break;
        case DT_I8: ((i8*) p)[i] = (i8) clamp_i64(__float2int_rz(v), -128, 127); break;
        case DT_U8: ((u8*) p)[i] = (u8) clamp_i64(__float2int_rz(v), 0, 255); break;
        case DT_I32: ((int*) p)[i] = __float2int_rz(v); break;
        // NaN becomes 0, as it does for I32 (where __float2int_rz gives 0); __float2ll_rz gives INT64_MIN.
        case DT_I64: ((i64*) p)[i] = v != v ? 0 : __float2ll_rz(v); break;
        default: ((u8*) p)[i] = v != 0.f ? 1 : 0; break;
    }
}

__device__ __forceinline__ void store_from_int(void* p, int t, i64 i, i64 v) {
    switch (t) {
        case DT_F32: ((float*) p)[i] = __ll2float_rn(v); break;
        case DT_F16: ((u16*) p)[i] = f2h(round_to_bits(v, 11)); break;
        case DT_BF16: ((u16*) p)[i] = f2bf(round_to_bits(v, 8)); break;
        case DT_I8: ((i8*) p)[i] = (i8) clamp_i64(v, -128, 127); break;
        case DT_U8: ((u8*) p)[i] = (u8) clamp_i64(v, 0, 255); break;
        case DT_I32: ((int*) p)[i] = (int) clamp_i64(v, -2147483648ll, 2147483647ll); break;
        case DT_I64: ((i64*) p)[i] = v; break;
        default: ((u8*) p)[i] = v != 0 ? 1 : 0; break;
    }
}

extern "C" __global__ void cast_any(const CastArgs a) {
    bool from_float = is_float_type(a.from);
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        if (from_float) {
            store_from_float(a.y, a.to, i, load_float(a.x, a.from, i));
        } else {
            store_from_int(a.y, a.to, i, load_int(a.x, a.from, i));
        }
    }
}

// ---- QuantizeLinear / DequantizeLinear, per tensor or per axis; arithmetic in double, as the
// reference does, so that ties round the same way. ----

struct QuantizeArgs {
    const void* x;
    const float* scale;
    const void* zp;
    void* y;
    i64 n;
    i64 inner;
    i64 channels;
    int scaleStep;
    int zpStep;
    int zpType;
    int outType;
};
ACCEL_STRUCT_SIZE(QuantizeArgs, 72);

template <class T>
__device__ void quantize_impl(const QuantizeArgs& a) {
    const typename T::S* x = (const typename T::S*) a.x;
    double lo = a.outType == DT_I8 ? -128.0 : 0.0;
    double hi = a.outType == DT_I8 ? 127.0 : 255.0;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        i64 c = (i / a.inner) % a.channels;
        double z = a.zpType < 0 ? 0.0 : (double) load_int(a.zp, a.zpType, c * a.zpStep);
        double q = rint((double) T::ld(x, i) / (double) a.scale[c * a.scaleStep]) + z;
        int v = q != q ? 0 : (int) fmin(hi, fmax(lo, q));
        if (a.outType == DT_I8) {
            ((i8*) a.y)[i] = (i8) v;
        } else {
            ((u8*) a.y)[i] = (u8) v;
        }
    }
}
ACCEL_FLOAT_KERNELS(quantize, QuantizeArgs)

struct DequantizeArgs {
    const void* x;
    const float* scale;
    const void* zp;
    float* y;
    i64 n;
    i64 inner;
    i64 channels;
    int scaleStep;
    int zpStep;
    int xType;
    int hasZp;
};
ACCEL_STRUCT_SIZE(DequantizeArgs, 72);

extern "C" __global__ void dequantize(const DequantizeArgs a) {
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        i64 c = (i / a.inner) % a.channels;
        double z = a.hasZp ? (double) load_int(a.zp, a.xType, c * a.zpStep) : 0.0;
        double v = (double) load_int(a.x, a.xType, i);
        a.y[i] = (float) ((v - z) * (double) a.scale[c * a.scaleStep]);
    }
}

// ---- BatchNormalization (inference) over channel dimension 1 ----

struct BatchNormArgs {
    const void* x;
    const void* scale;
    const void* bias;
    const void* mean;
    const void* var;
    void* y;
    i64 n;
    i64 inner;
    i64 channels;
    float epsilon;
    int pad0;
};
ACCEL_STRUCT_SIZE(BatchNormArgs, 80);

template <class T>
__device__ void batchnorm_impl(const BatchNormArgs& a) {
    typedef typename T::S S;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        i64 c = (i / a.inner) % a.channels;
        float inv = 1.f / sqrtf(T::ld((const S*) a.var, c) + a.epsilon);
        float v = (T::ld((const S*) a.x, i) - T::ld((const S*) a.mean, c)) * inv;
        T::st((S*) a.y, i, v * T::ld((const S*) a.scale, c) + T::ld((const S*) a.bias, c));
    }
}
ACCEL_FLOAT_KERNELS(batchnorm, BatchNormArgs)

// ---- LRN across channels of NCHW ----

struct LrnArgs {
    const void* x;
    void* y;
    i64 n;
    i64 channels;
    i64 plane;
    int size;
    float alpha;
    float beta;
    float bias;
};
ACCEL_STRUCT_SIZE(LrnArgs, 56);

template <class T>
__device__ void lrn_impl(const LrnArgs& a) {
    typedef typename T::S S;
    const S* x = (const S*) a.x;
    int below = (a.size - 1) / 2;
    int above = a.size - 1 - below;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        i64 c = (i / a.plane) % a.channels;
        i64 base = i - c * a.plane;
        i64 c0 = c - below < 0 ? 0 : c - below;
        i64 c1 = c + above > a.channels - 1 ? a.channels - 1 : c + above;
        float sq = 0.f;
        for (i64 k = c0; k <= c1; k++) {
            float v = T::ld(x, base + k * a.plane);
            sq += v * v;
        }
        float d = powf(a.bias + a.alpha / (float) a.size * sq, a.beta);
        T::st((S*) a.y, i, T::ld(x, i) / d);
    }
}
ACCEL_FLOAT_KERNELS(lrn, LrnArgs)

// Does nothing: launch-to-completion latency is measured with it.
extern "C" __global__ void accel_empty() {
}
