// Scaled dot-product attention, softmax(scale * Q K^T + mask) V, one block per query row
// (grid: Sq x H x B). The row's scores live in a float scratch row in global memory (the
// Java side allocates B * H * Sq * Sk floats, stream-ordered), so Sk is not bounded by shared
// memory. Accumulation is in float; a row whose every key is masked gives NaN, as ONNX's
// reference does.
#include "common.cuh"

#define MASK_NONE 0
#define MASK_ADD 1
#define MASK_BOOL 2

struct AttentionArgs {
    const void* q;
    const void* k;
    const void* v;
    const void* mask;
    void* y;
    float* scores;
    int B;
    int H;
    int Sq;
    int Sk;
    int D;
    int Dv;
    float scale;
    int causal;
    int maskKind;
    int pad0;
    i64 ms[4];
};
ACCEL_STRUCT_SIZE(AttentionArgs, 120);

template <class T>
__device__ void attention_impl(const AttentionArgs& a) {
    typedef typename T::S S;
    __shared__ float scratch[32];
    int i = blockIdx.x;
    int h = blockIdx.y;
    int b = blockIdx.z;
    i64 bh = (i64) b * a.H + h;
    const S* q = (const S*) a.q + (bh * a.Sq + i) * a.D;
    const S* k = (const S*) a.k + bh * a.Sk * a.D;
    const S* v = (const S*) a.v + bh * a.Sk * a.Dv;
    float* s = a.scores + (bh * a.Sq + i) * a.Sk;
    i64 mrow = (i64) b * a.ms[0] + (i64) h * a.ms[1] + (i64) i * a.ms[2];
    float mx = -ACCEL_INF;
    for (int j = threadIdx.x; j < a.Sk; j += blockDim.x) {
        float dot = 0.f;
        for (int d = 0; d < a.D; d++) {
            dot = fmaf(T::ld(q, d), T::ld(k, (i64) j * a.D + d), dot);
        }
        float sc = dot * a.scale;
        if (a.maskKind == MASK_ADD) {
            sc += T::ld((const S*) a.mask, mrow + (i64) j * a.ms[3]);
        } else if (a.maskKind == MASK_BOOL && ((const u8*) a.mask)[mrow + (i64) j * a.ms[3]] == 0) {
            sc = -ACCEL_INF;
        }
        if (a.causal && j > i) {
            sc = -ACCEL_INF;
        }
        s[j] = sc;
        mx = fmaxf(mx, sc);
    }
    mx = block_max(mx, scratch);
    float sum = 0.f;
    for (int j = threadIdx.x; j < a.Sk; j += blockDim.x) {
        float e = expf(s[j] - mx);
        s[j] = e;
        sum += e;
    }
    sum = block_sum(sum, scratch);
    S* y = (S*) a.y + (bh * a.Sq + i) * a.Dv;
    for (int d = threadIdx.x; d < a.Dv; d += blockDim.x) {
        float o = 0.f;
        for (int j = 0; j < a.Sk; j++) {
            o = fmaf(s[j], T::ld(v, (i64) j * a.Dv + d), o);
        }
        T::st(y, d, o / sum);
    }
}
ACCEL_FLOAT_KERNELS(attention, AttentionArgs)
