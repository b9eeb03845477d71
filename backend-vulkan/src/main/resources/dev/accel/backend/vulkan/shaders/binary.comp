// Binary elementwise ops with numpy broadcasting: y[i] = f(a[ia], b[ib]). The output is dense;
// dims are the (coalesced) output dimensions and sa / sb the inputs' element strides along them,
// 0 where an input is broadcast. KIND selects f (see VulkanElementwise.binaryKind).
layout(constant_id = 3) const uint KIND = 0;

#define MAXR 8
layout(push_constant) uniform PC {
    uint rank;
    uint total;
    uint dims[MAXR];
    uint sa[MAXR];
    uint sb[MAXR];
} pc;

float apply(float a, float b) {
    switch (KIND) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return pow_c(a, b);
        case 5: return nanmax(a, b);
        case 6: return nanmin(a, b);
        case 7: return a < 0.0 ? b * a : a;   // PRelu: b is the slope
        default: return ACC_NAN;
    }
}

void main() {
    for (uint i = gl_GlobalInvocationID.x; i < pc.total; i += grid_stride()) {
        uint rem = i;
        uint ia = 0u;
        uint ib = 0u;
        for (int d = int(pc.rank) - 1; d >= 0; d--) {
            uint c = rem % pc.dims[d];
            rem /= pc.dims[d];
            ia += c * pc.sa[d];
            ib += c * pc.sb[d];
        }
        st_y(i, apply(ld_a(ia), ld_b(ib)));
    }
}
