// LayerNormalization over rows of L elements (the dimensions from axis on): one work group per
// row, two-pass mean and population variance with shared-memory sums, then
// y = (x - mean) / sqrt(var + eps) * scale + B, scale and B broadcast over the row through the
// coalesced dims with strides ss / sb.

#define MAXR 6
layout(push_constant) uniform PC {
    uint rows;
    uint L;
    float eps;
    uint rank;
    uint dims[MAXR];
    uint ss[MAXR];
    uint sb[MAXR];
} pc;

shared float red[gl_WorkGroupSize.x];

float rowSum(float v) {
    uint lid = gl_LocalInvocationID.x;
    red[lid] = v;
    barrier();
    for (uint w = gl_WorkGroupSize.x / 2u; w > 0u; w /= 2u) {
        if (lid < w) {
            red[lid] += red[lid + w];
        }
        barrier();
    }
    float s = red[0];
    barrier();
    return s;
}

void main() {
    uint lid = gl_LocalInvocationID.x;
    uint WG = gl_WorkGroupSize.x;
    for (uint r = gl_WorkGroupID.x; r < pc.rows; r += gl_NumWorkGroups.x) {
        uint base = r * pc.L;
        float s = 0.0;
        for (uint k = lid; k < pc.L; k += WG) {
            s += ld_x(base + k);
        }
        float mean = rowSum(s) / float(pc.L);
        float q = 0.0;
        for (uint k = lid; k < pc.L; k += WG) {
            float d = ld_x(base + k) - mean;
            q += d * d;
        }
        float inv = 1.0 / sqrt(rowSum(q) / float(pc.L) + pc.eps);
        for (uint k = lid; k < pc.L; k += WG) {
            uint rem = k;
            uint is = 0u;
            uint ib = 0u;
            for (int d = int(pc.rank) - 1; d >= 0; d--) {
                uint c = rem % pc.dims[d];
                rem /= pc.dims[d];
                is += c * pc.ss[d];
                ib += c * pc.sb[d];
            }
            float v = (ld_x(base + k) - mean) * inv * ld_scale(is);
#ifdef HAS_bias
            v += ld_bias(ib);
#endif
            st_y(base + k, v);
        }
    }
}
