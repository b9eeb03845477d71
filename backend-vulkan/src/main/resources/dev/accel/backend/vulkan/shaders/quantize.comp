// QuantizeLinear: y = saturate(round_half_even(x / scale[c]) + zero_point[c]); c is the channel
// along the quantization axis ((i / inner) % C) when the parameters are per axis, else 0.

#define F_PER_AXIS 1u

layout(push_constant) uniform PC {
    uint n;
    uint C;
    uint inner;
    uint flags;
} pc;

#if DT_y == DT_I8
#define Y_LO (-128)
#define Y_HI 127
#else
#define Y_LO 0
#define Y_HI 255
#endif

void main() {
    bool perAxis = (pc.flags & F_PER_AXIS) != 0u;
    for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += grid_stride()) {
        uint c = perAxis ? (i / pc.inner) % pc.C : 0u;
        int zp = 0;
#ifdef HAS_zp
        zp = ldi_zp(c);
#endif
        sti_y(i, quantize_sat(ld_x(i) / ld_scale(c), zp, Y_LO, Y_HI));
    }
}
