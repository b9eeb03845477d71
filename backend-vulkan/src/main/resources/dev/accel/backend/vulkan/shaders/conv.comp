// Direct 2-D convolution over NCHW, one output element per invocation (grid-stride), with groups,
// dilation and asymmetric padding. Float mode adds an optional bias. INT_MODE accumulates
// (x - x_zero_point)(w - w_zero_point) in int32 (padding contributes nothing) and stores int32
// (ConvInteger) or, with QLINEAR, adds the int32 bias and requantizes (QLinearConv).

#define F_WZP_PER_CH 2u
#define F_WSCALE_PER_CH 4u

layout(push_constant) uniform PC {
    uint N; uint C; uint H; uint W;
    uint M; uint OH; uint OW;
    uint KH; uint KW;
    uint SH; uint SW;
    uint PT; uint PL;
    uint DH; uint DW;
    uint G;
    uint flags;
    uint total;
} pc;

#ifdef INT_MODE
#define ACC int
#else
#define ACC float
#endif

void main() {
    uint cpg = pc.C / pc.G;
    uint mpg = pc.M / pc.G;
    for (uint i = gl_GlobalInvocationID.x; i < pc.total; i += grid_stride()) {
        uint ow = i % pc.OW;
        uint t = i / pc.OW;
        uint oh = t % pc.OH;
        t /= pc.OH;
        uint m = t % pc.M;
        uint n = t / pc.M;
        uint g = m / mpg;
#ifdef INT_MODE
        int xzp = 0;
        int wzp = 0;
#ifdef HAS_xzp
        xzp = ldi_xzp(0u);
#endif
#ifdef HAS_wzp
        wzp = ldi_wzp((pc.flags & F_WZP_PER_CH) != 0u ? m : 0u);
#endif
#endif
        ACC acc = ACC(0);
        int ih0 = int(oh * pc.SH) - int(pc.PT);
        int iw0 = int(ow * pc.SW) - int(pc.PL);
        for (uint c = 0u; c < cpg; c++) {
            uint ci = g * cpg + c;
            uint xplane = (n * pc.C + ci) * pc.H;
            uint wbase = (m * cpg + c) * pc.KH;
            for (uint kh = 0u; kh < pc.KH; kh++) {
                int ih = ih0 + int(kh * pc.DH);
                if (ih < 0 || ih >= int(pc.H)) {
                    continue;
                }
                uint xrow = (xplane + uint(ih)) * pc.W;
                uint wrow = (wbase + kh) * pc.KW;
                for (uint kw = 0u; kw < pc.KW; kw++) {
                    int iw = iw0 + int(kw * pc.DW);
                    if (iw < 0 || iw >= int(pc.W)) {
                        continue;
                    }
#ifdef INT_MODE
                    acc += (ldi_x(xrow + uint(iw)) - xzp) * (ldi_w(wrow + kw) - wzp);
#else
                    acc += ld_x(xrow + uint(iw)) * ld_w(wrow + kw);
#endif
                }
            }
        }
#ifdef INT_MODE
#ifdef QLINEAR
#ifdef HAS_bias
        acc += ldi_bias(m);
#endif
        float mult = ld_xs(0u) * ld_ws((pc.flags & F_WSCALE_PER_CH) != 0u ? m : 0u) / ld_ys(0u);
        int zp = 0;
#ifdef HAS_yzp
        zp = ldi_yzp(0u);
#endif
        sti_y(i, quantize_sat(float(acc) * mult, zp, Y_LO, Y_HI));
#else
        sti_y(i, acc);
#endif
#else
#ifdef HAS_bias
        acc += ld_bias(m);
#endif
        st_y(i, acc);
#endif
    }
}
