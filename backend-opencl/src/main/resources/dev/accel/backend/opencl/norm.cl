/*
 * Row reductions, one work-group per row (or per output element); the local size is a power of
 * two and tmp holds one float per work item. Storage kind T, computed in float.
 */

/*
 * LayerNormalization over rows of length L; scale and bias are read through broadcast metadata
 * over the normalised dimensions (operand 0 scale, operand 1 bias).
 */
__kernel void layernorm(__global const TYPE(T) *x, __global const TYPE(T) *scale, __global const TYPE(T) *bias,
                        __global TYPE(T) *y, __global const idx_t *meta, idx_t L, float eps, int hasBias,
                        __local float *tmp) {
    idx_t base = (idx_t) get_group_id(0) * L;
    int lid = get_local_id(0);
    int ls = get_local_size(0);
    float s = 0.0f;
    for (idx_t j = lid; j < L; j += ls) {
        s += LOAD(T, x, base + j);
    }
    float mean = wg_sum(s, tmp) / (float) L;
    float q = 0.0f;
    for (idx_t j = lid; j < L; j += ls) {
        float d = LOAD(T, x, base + j) - mean;
        q = fma(d, d, q);
    }
    float den = sqrt(wg_sum(q, tmp) / (float) L + eps);
    for (idx_t j = lid; j < L; j += ls) {
        float v = (LOAD(T, x, base + j) - mean) / den * LOAD(T, scale, bcast_offset(meta, j, 0));
        if (hasBias) {
            v += LOAD(T, bias, bcast_offset(meta, j, 1));
        }
        STORE(T, y, base + j, v);
    }
}

/* Softmax along an axis of length A whose elements are inner apart; row = outer * inner + in. */
__kernel void softmax(__global const TYPE(T) *x, __global TYPE(T) *y, idx_t A, idx_t inner, __local float *tmp) {
    idx_t row = get_group_id(0);
    idx_t base = (row / inner) * A * inner + row % inner;
    int lid = get_local_id(0);
    int ls = get_local_size(0);
    float m = -INFINITY;
    for (idx_t a = lid; a < A; a += ls) {
        m = fmax(m, LOAD(T, x, base + a * inner));
    }
    m = wg_max(m, tmp);
    float s = 0.0f;
    for (idx_t a = lid; a < A; a += ls) {
        s += exp(LOAD(T, x, base + a * inner) - m);
    }
    s = wg_sum(s, tmp);
    for (idx_t a = lid; a < A; a += ls) {
        STORE(T, y, base + a * inner, exp(LOAD(T, x, base + a * inner) - m) / s);
    }
}

/*
 * Mean over reduced axes, one work-group per output element. meta: kr, the kr kept dimensions,
 * their kr input strides, then rr, the rr reduced dimensions, their rr input strides.
 */
__kernel void reduce_mean(__global const TYPE(T) *x, __global TYPE(T) *y, __global const idx_t *meta, idx_t R,
                          __local float *tmp) {
    idx_t o = get_group_id(0);
    int kr = (int) meta[0];
    idx_t base = 0;
    idx_t rem = o;
    for (int d = kr - 1; d >= 0; d--) {
        idx_t dim = meta[1 + d];
        base += (rem % dim) * meta[1 + kr + d];
        rem /= dim;
    }
    __global const idx_t *rm = meta + 1 + 2 * kr;
    int rr = (int) rm[0];
    int lid = get_local_id(0);
    int ls = get_local_size(0);
    float s = 0.0f;
    for (idx_t r = lid; r < R; r += ls) {
        idx_t off = base;
        idx_t q = r;
        for (int d = rr - 1; d >= 0; d--) {
            idx_t dim = rm[1 + d];
            off += (q % dim) * rm[1 + rr + d];
            q /= dim;
        }
        s += LOAD(T, x, off);
    }
    s = wg_sum(s, tmp);
    if (lid == 0) {
        STORE(T, y, o, s / (float) R);
    }
}
