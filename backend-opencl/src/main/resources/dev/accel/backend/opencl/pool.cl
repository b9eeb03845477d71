/*
 * MaxPool / AveragePool over NCHW planes, one work item per output element. Max ignores padded
 * positions and propagates NaN. Average divides by the count of real elements, or with
 * countIncludePad by the count of window positions inside the explicitly padded input.
 */
__kernel void pool(__global const TYPE(T) *x, __global TYPE(T) *y, idx_t n, int H, int W, int oH, int oW,
                   int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw,
                   int isMax, int countIncludePad) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    int ow = (int) (i % oW);
    int oh = (int) ((i / oW) % oH);
    idx_t plane = i / ((idx_t) oW * oH);
    __global const TYPE(T) *xp = x;
    idx_t base = plane * (idx_t) H * W;
    int h0 = oh * sh - pt;
    int w0 = ow * sw - pl;
    float m = -INFINITY;
    float s = 0.0f;
    int real = 0;
    int padded = 0;
    for (int a = 0; a < kh; a++) {
        int h = h0 + a * dh;
        for (int b = 0; b < kw; b++) {
            int w = w0 + b * dw;
            if (h >= 0 && h < H && w >= 0 && w < W) {
                float v = LOAD(T, xp, base + (idx_t) h * W + w);
                m = (isnan(v) || v > m) ? v : m;
                s += v;
                real++;
            }
            if (h >= -pt && h < H + pb && w >= -pl && w < W + pr) {
                padded++;
            }
        }
    }
    float r = isMax ? m : s / (float) (countIncludePad ? padded : real);
    STORE(T, y, i, r);
}
