// Softmax along one axis: the tensor is [outer, L, inner]; one work group per row (outer * inner
// rows, grid-stride), with shared-memory max and sum reductions. For Attention the scores
// [B*H*Sq, Sk] come with an optional mask (MASK_ADD: added; MASK_BOOL: false removes the key) with
// strides ms over (b, h, i, j), and F_CAUSAL removes keys j > i. A row whose every key is removed
// is NaN, as ONNX's reference gives.

#define F_CAUSAL 1u

layout(push_constant) uniform PC {
    uint rows;
    uint L;
    uint inner;
    uint flags;
    uint heads;
    uint sq;
    uint ms[4];
} pc;

shared float red[gl_WorkGroupSize.x];

float score(uint base, uint r, uint k) {
    float v = ld_x(base + k * pc.inner);
#if defined(HAS_mask) || defined(CAUSAL)
    uint i = r % pc.sq;
    uint bh = r / pc.sq;
    uint h = bh % pc.heads;
    uint b = bh / pc.heads;
#endif
#ifdef HAS_mask
    uint mo = b * pc.ms[0] + h * pc.ms[1] + i * pc.ms[2] + k * pc.ms[3];
#ifdef MASK_BOOL
    if (ldi_mask(mo) == 0) {
        v = -ACC_INF;
    }
#else
    v += ld_mask(mo);
#endif
#endif
#ifdef CAUSAL
    if ((pc.flags & F_CAUSAL) != 0u && k > i) {
        v = -ACC_INF;
    }
#endif
    return v;
}

void main() {
    uint lid = gl_LocalInvocationID.x;
    uint WG = gl_WorkGroupSize.x;
    for (uint r = gl_WorkGroupID.x; r < pc.rows; r += gl_NumWorkGroups.x) {
        uint base = (r / pc.inner) * pc.L * pc.inner + (r % pc.inner);
        float m = -ACC_INF;
        for (uint k = lid; k < pc.L; k += WG) {
            m = nanmax(m, score(base, r, k));
        }
        red[lid] = m;
        barrier();
        for (uint w = WG / 2u; w > 0u; w /= 2u) {
            if (lid < w) {
                red[lid] = nanmax(red[lid], red[lid + w]);
            }
            barrier();
        }
        m = red[0];
        barrier();
        float s = 0.0;
        for (uint k = lid; k < pc.L; k += WG) {
            s += exp(score(base, r, k) - m);
        }
        red[lid] = s;
        barrier();
        for (uint w = WG / 2u; w > 0u; w /= 2u) {
            if (lid < w) {
                red[lid] += red[lid + w];
            }
            barrier();
        }
        s = red[0];
        barrier();
        for (uint k = lid; k < pc.L; k += WG) {
            float e = exp(score(base, r, k) - m);
            st_y(base + k * pc.inner, e / s);
        }
        barrier();
    }
}
