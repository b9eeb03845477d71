// Reductions and normalisations: Softmax (along a contiguous last axis, or a strided one),
// LayerNormalization, ReduceMean over any set of axes (GlobalAveragePool is ReduceMean over
// H and W), and MaxPool / AveragePool. Accumulation is in float.
#include "common.cuh"

// Softmax over `len` elements at stride `inner`, for every (outer, inner) pair.
struct SoftmaxArgs {
    const void* x;
    void* y;
    i64 outer;
    i64 len;
    i64 inner;
};
ACCEL_STRUCT_SIZE(SoftmaxArgs, 40);

// inner == 1: one block per row.
template <class T>
__device__ void softmax_rows_impl(const SoftmaxArgs& a) {
    typedef typename T::S S;
    __shared__ float scratch[32];
    for (i64 row = blockIdx.x; row < a.outer; row += gridDim.x) {
        const S* x = (const S*) a.x + row * a.len;
        S* y = (S*) a.y + row * a.len;
        float m = -ACCEL_INF;
        for (i64 j = threadIdx.x; j < a.len; j += blockDim.x) {
            m = fmaxf(m, T::ld(x, j));
        }
        m = block_max(m, scratch);
        float s = 0.f;
        for (i64 j = threadIdx.x; j < a.len; j += blockDim.x) {
            s += expf(T::ld(x, j) - m);
        }
        s = block_sum(s, scratch);
        for (i64 j = threadIdx.x; j < a.len; j += blockDim.x) {
            T::st(y, j, expf(T::ld(x, j) - m) / s);
        }
    }
}
ACCEL_FLOAT_KERNELS(softmax_rows, SoftmaxArgs)

// inner > 1: one thread per (outer, inner) column; neighbouring threads read neighbouring columns.
template <class T>
__device__ void softmax_cols_impl(const SoftmaxArgs& a) {
    typedef typename T::S S;
    i64 columns = a.outer * a.inner;
    for (i64 t = global_thread(); t < columns; t += grid_threads()) {
        i64 o = t / a.inner;
        i64 base = o * a.len * a.inner + (t - o * a.inner);
        const S* x = (const S*) a.x + base;
        S* y = (S*) a.y + base;
        float m = -ACCEL_INF;
        for (i64 j = 0; j < a.len; j++) {
            m = fmaxf(m, T::ld(x, j * a.inner));
        }
        float s = 0.f;
        for (i64 j = 0; j < a.len; j++) {
            s += expf(T::ld(x, j * a.inner) - m);
        }
        for (i64 j = 0; j < a.len; j++) {
            T::st(y, j * a.inner, expf(T::ld(x, j * a.inner) - m) / s);
        }
    }
}
ACCEL_FLOAT_KERNELS(softmax_cols, SoftmaxArgs)

// LayerNormalization: one block per row of `cols` elements. Scale and bias are read at
// offsets of the row position through their broadcast strides over the normalised dims.
struct LayerNormArgs {
    const void* x;
    const void* scale;
    const void* bias;
    void* y;
    i64 rows;
    i64 cols;
    int hasBias;
    int scaleDense;
    int biasDense;
    int rank;
    float epsilon;
    int pad0;
    i64 dims[8];
    i64 scaleStrides[8];
    i64 biasStrides[8];
};
ACCEL_STRUCT_SIZE(LayerNormArgs, 264);

template <class T>
__device__ void layernorm_impl(const LayerNormArgs& a) {
    typedef typename T::S S;
    __shared__ float scratch[32];
    for (i64 row = blockIdx.x; row < a.rows; row += gridDim.x) {
        const S* x = (const S*) a.x + row * a.cols;
        S* y = (S*) a.y + row * a.cols;
        float s = 0.f;
        for (i64 j = threadIdx.x; j < a.cols; j += blockDim.x) {
            s += T::ld(x, j);
        }
        float mean = block_sum(s, scratch) / (float) a.cols;
        float q = 0.f;
        for (i64 j = threadIdx.x; j < a.cols; j += blockDim.x) {
            float d = T::ld(x, j) - mean;
            q += d * d;
        }
        float var = block_sum(q, scratch) / (float) a.cols;
        float inv = 1.f / sqrtf(var + a.epsilon);
        for (i64 j = threadIdx.x; j < a.cols; j += blockDim.x) {
            i64 si = a.scaleDense ? j : strided_offset(j, a.rank, a.dims, a.scaleStrides);
            float v = (T::ld(x, j) - mean) * inv * T::ld((const S*) a.scale, si);
            if (a.hasBias) {
                i64 bi = a.biasDense ? j : strided_offset(j, a.rank, a.dims, a.biasStrides);
                v += T::ld((const S*) a.bias, bi);
            }
            T::st(y, j, v);
        }
    }
}
ACCEL_FLOAT_KERNELS(layernorm, LayerNormArgs)

// Mean over the reduced dims: one block per output element. The output's index decomposes over
// outDims (the kept dims, strides into the input); the block's threads walk the reduced index
// space, which decomposes over redDims / redStrides.
struct ReduceArgs {
    const void* x;
    void* y;
    i64 nOut;
    i64 nRed;
    int outRank;
    int redRank;
    i64 outDims[8];
    i64 outStrides[8];
    i64 redDims[8];
    i64 redStrides[8];
};
ACCEL_STRUCT_SIZE(ReduceArgs, 296);

template <class T>
__device__ void reduce_mean_impl(const ReduceArgs& a) {
    typedef typename T::S S;
    __shared__ float scratch[32];
    const S* x = (const S*) a.x;
    for (i64 o = blockIdx.x; o < a.nOut; o += gridDim.x) {
        i64 base = strided_offset(o, a.outRank, a.outDims, a.outStrides);
        float s = 0.f;
        for (i64 r = threadIdx.x; r < a.nRed; r += blockDim.x) {
            s += T::ld(x, base + strided_offset(r, a.redRank, a.redDims, a.redStrides));
        }
        s = block_sum(s, scratch);
        if (threadIdx.x == 0) {
            T::st((S*) a.y, o, s / (float) a.nRed);
        }
    }
}
ACCEL_FLOAT_KERNELS(reduce_mean, ReduceArgs)

// MaxPool (kind 0) and AveragePool (kind 1) over NCHW: one thread per output element.
struct PoolArgs {
    const void* x;
    void* y;
    i64 n;
    int H;
    int W;
    int OH;
    int OW;
    int kH;
    int kW;
    int sH;
    int sW;
    int pT;
    int pL;
    int pB;
    int pR;
    int dH;
    int dW;
    int kind;
    int countIncludePad;
};
ACCEL_STRUCT_SIZE(PoolArgs, 88);

template <class T>
__device__ void pool_impl(const PoolArgs& a) {
    typedef typename T::S S;
    for (i64 i = global_thread(); i < a.n; i += grid_threads()) {
        int ow = (int) (i % a.OW);
        i64 t = i / a.OW;
        int oh = (int) (t % a.OH);
        i64 plane = t / a.OH;
        const S* x = (const S*) a.x + plane * a.H * a.W;
        int h0 = oh * a.sH - a.pT;
        int w0 = ow * a.sW - a.pL;
        float best = -ACCEL_INF;
        bool nan = false;
        float sum = 0.f;
        int real = 0;
        int padded = 0;
        for (int kh = 0; kh < a.kH; kh++) {
            int h = h0 + kh * a.dH;
            bool hin = h >= 0 && h < a.H;
            bool hpad = h >= -a.pT && h < a.H + a.pB;
            for (int kw = 0; kw < a.kW; kw++) {
                int w = w0 + kw * a.dW;
                bool win = w >= 0 && w < a.W;
                if (hpad && w >= -a.pL && w < a.W + a.pR) {
                    padded++;
                }
                if (hin && win) {
                    float v = T::ld(x, (i64) h * a.W + w);
                    nan |= v != v;
                    best = fmaxf(best, v);
                    sum += v;
                    real++;
                }
            }
        }
        float out;
        if (a.kind == 0) {
            out = nan ? __int_as_float(0x7fffffff) : best;
        } else {
            out = sum / (float) (a.countIncludePad ? padded : real);
        }
        T::st((S*) a.y, i, out);
    }
}
ACCEL_FLOAT_KERNELS(pool, PoolArgs)
