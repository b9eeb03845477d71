/*
 * Softmax of attention scores in place: s is float32 [B * H * Sq, Sk], already scaled. The mask
 * (kind MK: a float kind added to the scores, or BOOL where 0 removes the key) is read through
 * strides over [B, H, Sq, Sk] (0 where broadcast); HAS_MASK says whether there is one. With causal,
 * key j is removed for query i when j > i. A row whose every key is removed becomes NaN.
 */
__kernel void attn_softmax(__global float *s, __global const TYPE(MK) *mask, idx_t Sq, idx_t Sk, idx_t H,
                           idx_t msb, idx_t msh, idx_t msi, idx_t msj, int causal, __local float *tmp) {
    idx_t row = get_group_id(0);
    idx_t i = row % Sq;
    idx_t bh = row / Sq;
    idx_t mo = (bh / H) * msb + (bh % H) * msh + i * msi;
    __global float *p = s + row * Sk;
    int lid = get_local_id(0);
    int ls = get_local_size(0);
    float m = -INFINITY;
    for (idx_t j = lid; j < Sk; j += ls) {
        float v = p[j];
        if (causal && j > i) {
            v = -INFINITY;
        }
#if HAS_MASK
#ifdef MASK_BOOL
        if (mask[mo + j * msj] == 0) {
            v = -INFINITY;
        }
#else
        v += LOAD(MK, mask, mo + j * msj);
#endif
#endif
        p[j] = v;
        m = fmax(m, v);
    }
    m = wg_max(m, tmp);
    float sum = 0.0f;
    for (idx_t j = lid; j < Sk; j += ls) {
        float e = exp(p[j] - m);
        p[j] = e;
        sum += e;
    }
    sum = wg_sum(sum, tmp);
    for (idx_t j = lid; j < Sk; j += ls) {
        p[j] = m == -INFINITY ? NAN : p[j] / sum;
    }
}
