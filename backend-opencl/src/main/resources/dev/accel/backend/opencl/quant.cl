/*
 * QuantizeLinear (float kind T to 8-bit kind TQ) and DequantizeLinear (integer kind TX to float32).
 * The channel of element i is (i / inner) % C when per axis; per tensor, scale and zero point
 * strides are 0. A missing zero point is a buffer of zeros read with stride 0.
 */
#ifdef TQ
__kernel void quantize(__global const TYPE(T) *x, __global const float *scale, __global const TYPE(TQ) *zp,
                       __global TYPE(TQ) *y, idx_t n, idx_t C, idx_t inner, int perAxis) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    idx_t c = perAxis ? (i / inner) % C : 0;
    float q = rint(LOAD(T, x, i) / scale[c]) + (float) zp[c];
    y[i] = SAT(TQ, q);
}
#endif

#ifdef TX
__kernel void dequantize(__global const TYPE(TX) *x, __global const float *scale, __global const TYPE(TX) *zp,
                         __global float *y, idx_t n, idx_t C, idx_t inner, int perAxis) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    idx_t c = perAxis ? (i / inner) % C : 0;
    y[i] = (float) ((long) x[i] - (long) zp[c]) * scale[c];
}
#endif
