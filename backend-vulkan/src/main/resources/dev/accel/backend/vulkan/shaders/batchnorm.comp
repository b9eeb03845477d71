// BatchNormalization (inference): y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + B[c], with
// c = (i / inner) % C.

layout(push_constant) uniform PC {
    uint n;
    uint C;
    uint inner;
    float eps;
} pc;

void main() {
    for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += grid_stride()) {
        uint c = (i / pc.inner) % pc.C;
        float v = (ld_x(i) - ld_mean(c)) / sqrt(ld_var(c) + pc.eps);
        st_y(i, v * ld_scale(c) + ld_bias(c));
    }
}
