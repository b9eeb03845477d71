/*
 * npu_half.c: IEEE 754 binary16 conversions, rounding to nearest even, as the NPU's load and
 * store units do.
 */
#include "npu_internal.h"

#include <pthread.h>
#include <string.h>

float npu_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {
            /* Subnormal: mant * 2^-24, exact in single precision. */
            float f = (float)mant * 0x1p-24f;
            memcpy(&bits, &f, sizeof bits);
            bits |= sign;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112u) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

uint16_t npu_float_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) {
        /* NaN: keep it quiet and keep the top payload bits. */
        return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
    }
    if (a >= 0x477ff000u) {
        /* 65520 and above round to infinity (65520 is the tie between 65504 and 65536). */
        return (uint16_t)(sign | 0x7c00u);
    }
    if (a < 0x38800000u) {
        /* Below the smallest normal half, 2^-14: a subnormal multiple of 2^-24, or zero. */
        if (a <= 0x33000000u) {
            return sign; /* at most 2^-25: the tie at 2^-25 goes to the even 0 */
        }
        uint32_t e = a >> 23;
        uint32_t m = (a & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - e; /* value / 2^-24 = m * 2^(e - 126) */
        uint32_t q = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1u);
        if (rem > half || (rem == half && (q & 1u))) {
            q++;
        }
        return (uint16_t)(sign | q);
    }
    uint32_t h = ((a >> 23) - 112u) << 10 | ((a & 0x7fffffu) >> 13);
    uint32_t rem = a & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) {
        h++; /* a carry into the exponent is the correct result */
    }
    return (uint16_t)(sign | h);
}

float npu_half_lut[65536];
static pthread_once_t g_table_once = PTHREAD_ONCE_INIT;

static void fill_table(void) {
    for (uint32_t h = 0; h < 65536u; h++) {
        npu_half_lut[h] = npu_half_to_float((uint16_t)h);
    }
}

void npu_half_init(void) {
    pthread_once(&g_table_once, fill_table);
}
