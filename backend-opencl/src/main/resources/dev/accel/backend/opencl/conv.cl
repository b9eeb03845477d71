/*
 * Convolution helpers over NCHW. im2col writes, for `imgs` images starting at image n0, the
 * column matrix [C * kh * kw, oH * oW] of each image one after another (image stride
 * C * kh * kw * P). Padded positions are 0: for the quantized im2col, which stores x - x_zero_point
 * as int, that is the zero point itself. conv_direct computes one output element per work item
 * and serves depthwise convolution, where a column matrix would be mostly waste.
 */
#ifdef T
__kernel void im2col(__global const TYPE(T) *x, __global float *col, idx_t n, idx_t n0, int C, int H, int W,
                     int oH, int oW, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    idx_t P = (idx_t) oH * oW;
    idx_t p = i % P;
    idx_t row = (i / P) % ((idx_t) C * kh * kw);
    idx_t img = i / (P * C * kh * kw);
    int b = (int) (row % kw);
    int a = (int) ((row / kw) % kh);
    int c = (int) (row / ((idx_t) kw * kh));
    int h = (int) (p / oW) * sh - pt + a * dh;
    int w = (int) (p % oW) * sw - pl + b * dw;
    float v = 0.0f;
    if (h >= 0 && h < H && w >= 0 && w < W) {
        v = LOAD(T, x, (((n0 + img) * C + c) * H + h) * (idx_t) W + w);
    }
    col[i] = v;
}

__kernel void conv_direct(__global const TYPE(T) *x, __global const TYPE(T) *wt, __global const TYPE(T) *bias,
                          __global TYPE(T) *y, idx_t n, int C, int H, int W, int M, int oH, int oW, int kh, int kw,
                          int sh, int sw, int pt, int pl, int dh, int dw, int groups, int hasBias) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    int ow = (int) (i % oW);
    int oh = (int) ((i / oW) % oH);
    int m = (int) ((i / ((idx_t) oW * oH)) % M);
    idx_t img = i / ((idx_t) oW * oH * M);
    int cg = C / groups;
    int g = m / (M / groups);
    float s = hasBias ? LOAD(T, bias, m) : 0.0f;
    for (int cc = 0; cc < cg; cc++) {
        int c = g * cg + cc;
        idx_t xb = (img * C + c) * (idx_t) H * W;
        idx_t wb = ((idx_t) m * cg + cc) * kh * kw;
        for (int a = 0; a < kh; a++) {
            int h = oh * sh - pt + a * dh;
            if (h < 0 || h >= H) {
                continue;
            }
            for (int b = 0; b < kw; b++) {
                int w = ow * sw - pl + b * dw;
                if (w >= 0 && w < W) {
                    s = fma(LOAD(T, x, xb + (idx_t) h * W + w), LOAD(T, wt, wb + a * kw + b), s);
                }
            }
        }
    }
    STORE(T, y, i, s);
}
#endif

#ifdef TX
__kernel void im2col_q(__global const TYPE(TX) *x, __global const TYPE(TX) *xzp, __global int *col, idx_t n,
                       idx_t n0, int C, int H, int W, int oH, int oW, int kh, int kw, int sh, int sw, int pt, int pl,
                       int dh, int dw) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    idx_t P = (idx_t) oH * oW;
    idx_t p = i % P;
    idx_t row = (i / P) % ((idx_t) C * kh * kw);
    idx_t img = i / (P * C * kh * kw);
    int b = (int) (row % kw);
    int a = (int) ((row / kw) % kh);
    int c = (int) (row / ((idx_t) kw * kh));
    int h = (int) (p / oW) * sh - pt + a * dh;
    int w = (int) (p % oW) * sw - pl + b * dw;
    int v = 0;
    if (h >= 0 && h < H && w >= 0 && w < W) {
        v = (int) x[(((n0 + img) * C + c) * H + h) * (idx_t) W + w] - (int) xzp[0];
    }
    col[i] = v;
}
#endif
