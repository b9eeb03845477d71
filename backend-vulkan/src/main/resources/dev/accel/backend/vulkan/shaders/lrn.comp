// LRN across channels of NCHW: y = x / (bias + alpha / size * sum(x^2))^beta, the sum over
// channels [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] clipped to [0, C).

layout(push_constant) uniform PC {
    uint n;
    uint C;
    uint HW;
    uint size;
    float alpha;
    float beta;
    float bias;
} pc;

void main() {
    int before = int(pc.size - 1u) / 2;
    int after = int(pc.size) - 1 - before;
    for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += grid_stride()) {
        uint hw = i % pc.HW;
        uint c = (i / pc.HW) % pc.C;
        uint plane0 = i - hw - c * pc.HW;
        int lo = max(int(c) - before, 0);
        int hi = min(int(c) + after, int(pc.C) - 1);
        float s = 0.0;
        for (int k = lo; k <= hi; k++) {
            float v = ld_x(plane0 + uint(k) * pc.HW + hw);
            s += v * v;
        }
        float d = pc.bias + pc.alpha / float(pc.size) * s;
        st_y(i, ld_x(i) / pow_c(d, pc.beta));
    }
}
