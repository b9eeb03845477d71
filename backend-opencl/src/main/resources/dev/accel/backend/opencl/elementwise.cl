/*
 * Elementwise float ops over storage kind T (F32, F16 or BF16), computed in float.
 * Broadcast metadata (meta) is read by bcast_offset (common.cl).
 */

/* Unary kinds, in the order UnaryCode lists them on the host. */
__kernel void unary(__global const TYPE(T) *x, __global TYPE(T) *y, idx_t n, int kind, float alpha, float beta) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float v = LOAD(T, x, i);
    float r;
    switch (kind) {
        case 0: r = v < 0.0f ? 0.0f : v; break;                               /* Relu, NaN passes */
        case 1: r = v < 0.0f ? alpha * v : v; break;                          /* LeakyRelu */
        case 2: r = 1.0f / (1.0f + exp(-v)); break;                           /* Sigmoid */
        case 3: r = tanh(v); break;                                           /* Tanh */
        case 4: r = 0.5f * v * (1.0f + erf(v * 0.70710678118654752f)); break; /* Gelu */
        case 5: r = 0.5f * v * (1.0f + tanh(0.79788456080286536f * (v + 0.044715f * v * v * v))); break;
        case 6: r = erf(v); break;
        case 7: r = sqrt(v); break;
        case 8: r = exp(v); break;
        case 9: r = v < alpha ? alpha : (v > beta ? beta : v); break;         /* Clip, NaN passes */
        case 10: {                                                            /* HardSigmoid */
            float t = alpha * v + beta;
            r = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
            break;
        }
        case 11: {                                                            /* HardSwish */
            float t = v / 6.0f + 0.5f;
            r = v * (t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t));
            break;
        }
        default: r = NAN;
    }
    STORE(T, y, i, r);
}

/* Binary kinds: 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 max, 6 min, 7 prelu. Max and Min propagate NaN. */
__kernel void binary(__global const TYPE(T) *a, __global const TYPE(T) *b, __global TYPE(T) *y,
                     __global const idx_t *meta, idx_t n, int kind) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float x = LOAD(T, a, bcast_offset(meta, i, 0));
    float z = LOAD(T, b, bcast_offset(meta, i, 1));
    float r;
    switch (kind) {
        case 0: r = x + z; break;
        case 1: r = x - z; break;
        case 2: r = x * z; break;
        case 3: r = x / z; break;
        case 4: r = pow(x, z); break;
        case 5: r = (isnan(x) || isnan(z)) ? NAN : fmax(x, z); break;
        case 6: r = (isnan(x) || isnan(z)) ? NAN : fmin(x, z); break;
        case 7: r = x < 0.0f ? z * x : x; break;
        default: r = NAN;
    }
    STORE(T, y, i, r);
}

/* One input of a variadic Sum, accumulated in float: acc = (first ? x : acc + x). */
__kernel void sum_step(__global float *acc, __global const TYPE(T) *x, __global const idx_t *meta, idx_t n, int first) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float v = LOAD(T, x, bcast_offset(meta, i, 0));
    acc[i] = first ? v : acc[i] + v;
}

/* float32 scratch to storage kind T. */
__kernel void narrow(__global const float *x, __global TYPE(T) *y, idx_t n) {
    idx_t i = get_global_id(0);
    if (i < n) {
        STORE(T, y, i, x[i]);
    }
}

/* BatchNormalization (inference) over channel c = (i / inner) % C. */
__kernel void batchnorm(__global const TYPE(T) *x, __global const TYPE(T) *scale, __global const TYPE(T) *bias,
                        __global const TYPE(T) *mean, __global const TYPE(T) *var, __global TYPE(T) *y,
                        idx_t n, idx_t C, idx_t inner, float eps) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    idx_t c = (i / inner) % C;
    float v = (LOAD(T, x, i) - LOAD(T, mean, c)) / sqrt(LOAD(T, var, c) + eps);
    STORE(T, y, i, v * LOAD(T, scale, c) + LOAD(T, bias, c));
}

/* LRN across channels of NCHW: c spans [c - (size - 1) / 2, c + size / 2] (ceil of (size - 1) / 2). */
__kernel void lrn(__global const TYPE(T) *x, __global TYPE(T) *y, idx_t n, idx_t C, idx_t hw, int size,
                  float alpha, float beta, float bias) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    idx_t c = (i / hw) % C;
    idx_t lo = c - (size - 1) / 2;
    idx_t hi = c + size / 2;
    lo = lo < 0 ? 0 : lo;
    hi = hi > C - 1 ? C - 1 : hi;
    float s = 0.0f;
    for (idx_t k = lo; k <= hi; k++) {
        float v = LOAD(T, x, i + (k - c) * hw);
        s = fma(v, v, s);
    }
    STORE(T, y, i, LOAD(T, x, i) / pow(bias + alpha / size * s, beta));
}
