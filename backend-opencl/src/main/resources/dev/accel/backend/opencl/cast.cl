/*
 * Cast between any two dtypes, chosen at run time by code (the host's DType ordinal:
 * 0 F32, 1 F16, 2 BF16, 3 I8, 4 U8, 5 I32, 6 I64, 7 BOOL). Float to float rounds to nearest even;
 * float to integer truncates toward zero and saturates (NaN becomes 0); integer to integer
 * saturates; integer to float rounds to nearest even; anything to BOOL is x != 0.
 */
__kernel void cast_any(__global const uchar *x, __global uchar *y, idx_t n, int from, int to) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float f = 0.0f;
    long l = 0;
    int isFloat = 1;
    switch (from) {
        case 0: f = ((__global const float *) x)[i]; break;
        case 1: f = vload_half(i, (__global const half *) x); break;
        case 2: f = bf16_to_float(((__global const ushort *) x)[i]); break;
        case 3: l = ((__global const char *) x)[i]; isFloat = 0; break;
        case 4: l = x[i]; isFloat = 0; break;
        case 5: l = ((__global const int *) x)[i]; isFloat = 0; break;
        case 6: l = ((__global const long *) x)[i]; isFloat = 0; break;
        default: l = x[i] != 0 ? 1 : 0; isFloat = 0; break;
    }
    if (!isFloat && to <= 2) {
        f = convert_float_rte(l);
    }
    switch (to) {
        case 0: ((__global float *) y)[i] = f; break;
        case 1: vstore_half_rte(f, i, (__global half *) y); break;
        case 2: ((__global ushort *) y)[i] = float_to_bf16(f); break;
        case 3: ((__global char *) y)[i] = isFloat ? convert_char_sat_rtz(f) : convert_char_sat(l); break;
        case 4: y[i] = isFloat ? convert_uchar_sat_rtz(f) : convert_uchar_sat(l); break;
        case 5: ((__global int *) y)[i] = isFloat ? convert_int_sat_rtz(f) : convert_int_sat(l); break;
        case 6: ((__global long *) y)[i] = isFloat ? convert_long_sat_rtz(f) : l; break;
        default: y[i] = (isFloat ? (f != 0.0f) : (l != 0)) ? 1 : 0; break;
    }
}
