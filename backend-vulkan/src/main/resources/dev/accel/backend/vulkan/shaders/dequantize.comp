// DequantizeLinear: y = (x - zero_point[c]) * scale[c], c as in quantize.comp.

#define F_PER_AXIS 1u

layout(push_constant) uniform PC {
    uint n;
    uint C;
    uint inner;
    uint flags;
} pc;

void main() {
    bool perAxis = (pc.flags & F_PER_AXIS) != 0u;
    for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += grid_stride()) {
        uint c = perAxis ? (i / pc.inner) % pc.C : 0u;
        int zp = 0;
#ifdef HAS_zp
        zp = ldi_zp(c);
#endif
        st_y(i, float(ldi_x(i) - zp) * ld_scale(c));
    }
}
