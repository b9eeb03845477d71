// MaxPool and AveragePool over NCHW, one output element per invocation. Max ignores padded
// positions; average divides by the window's real elements, or with F_COUNT_PAD by its elements
// inside the explicitly padded input.

#define F_MAX 1u
#define F_COUNT_PAD 2u

layout(push_constant) uniform PC {
    uint H; uint W; uint OH; uint OW;
    uint KH; uint KW; uint SH; uint SW;
    uint PT; uint PL; uint PB; uint PR;
    uint DH; uint DW;
    uint flags;
    uint total;
} pc;

void main() {
    bool isMax = (pc.flags & F_MAX) != 0u;
    for (uint i = gl_GlobalInvocationID.x; i < pc.total; i += grid_stride()) {
        uint ow = i % pc.OW;
        uint t = i / pc.OW;
        uint oh = t % pc.OH;
        uint nc = t / pc.OH;
        int h0 = int(oh * pc.SH) - int(pc.PT);
        int w0 = int(ow * pc.SW) - int(pc.PL);
        uint plane = nc * pc.H * pc.W;
        float best = -ACC_INF;
        float sum = 0.0;
        uint real = 0u;
        uint padded = 0u;
        for (uint kh = 0u; kh < pc.KH; kh++) {
            int ih = h0 + int(kh * pc.DH);
            bool hin = ih >= 0 && ih < int(pc.H);
            bool hpad = ih >= -int(pc.PT) && ih < int(pc.H + pc.PB);
            for (uint kw = 0u; kw < pc.KW; kw++) {
                int iw = w0 + int(kw * pc.DW);
                bool win = iw >= 0 && iw < int(pc.W);
                bool wpad = iw >= -int(pc.PL) && iw < int(pc.W + pc.PR);
                if (hpad && wpad) {
                    padded++;
                }
                if (hin && win) {
                    float v = ld_x(plane + uint(ih) * pc.W + uint(iw));
                    if (v > best || isnan(v)) {
                        best = isnan(best) ? best : v;
                    }
                    sum += v;
                    real++;
                }
            }
        }
        if (isMax) {
            st_y(i, best);
        } else {
            st_y(i, sum / float((pc.flags & F_COUNT_PAD) != 0u ? padded : real));
        }
    }
}
