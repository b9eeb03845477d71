// Helpers shared by every accel compute shader. Half and bfloat16 tensors are stored as 16-bit
// integers and converted here, rounding to nearest even, so results do not depend on the driver's
// float-conversion rounding mode. All arithmetic is float32 (int32 for the integer ops).

#define ACC_INF uintBitsToFloat(0x7f800000u)
#define ACC_NAN uintBitsToFloat(0x7fc00000u)

float f16_to_f32(uint h) {
    uint s = (h & 0x8000u) << 16;
    uint e = (h >> 10) & 0x1fu;
    uint m = h & 0x3ffu;
    if (e == 0u) {
        float v = float(m) * 5.9604644775390625e-8; // m * 2^-24, exact
        return s != 0u ? -v : v;
    }
    if (e == 31u) {
        return uintBitsToFloat(s | 0x7f800000u | (m << 13));
    }
    return uintBitsToFloat(s | ((e + 112u) << 23) | (m << 13));
}

uint f32_to_f16(float f) {
    uint x = floatBitsToUint(f);
    uint s = (x >> 16) & 0x8000u;
    uint a = x & 0x7fffffffu;
    if (a >= 0x7f800000u) {
        return s | (a > 0x7f800000u ? 0x7e00u : 0x7c00u);
    }
    if (a >= 0x477ff000u) { // 65520 and above round to infinity
        return s | 0x7c00u;
    }
    if (a < 0x38800000u) { // below 2^-14: a half subnormal (or zero); |f| * 2^24 is exact
        return s | uint(roundEven(uintBitsToFloat(a) * 16777216.0));
    }
    uint h = (a - 0x38000000u) >> 13;
    uint rest = a & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0u)) {
        h += 1u;
    }
    return s | h;
}

float bf16_to_f32(uint h) {
    return uintBitsToFloat(h << 16);
}

uint f32_to_bf16(float f) {
    uint x = floatBitsToUint(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) {
        return (x >> 16) | 0x40u;
    }
    return (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
}

// NaN-propagating max and min (GLSL's are undefined for NaN).
float nanmax(float a, float b) {
    return (isnan(a) || isnan(b)) ? ACC_NAN : max(a, b);
}

float nanmin(float a, float b) {
    return (isnan(a) || isnan(b)) ? ACC_NAN : min(a, b);
}

// erfc for x >= 0 with relative error below 1.2e-7 (Chebyshev fit, Numerical Recipes 6.2).
float erfc_pos(float z) {
    float t = 1.0 / (1.0 + 0.5 * z);
    float p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    return t * exp(-z * z + p);
}

float erf_acc(float x) {
    float a = abs(x);
    if (a < 0.5) {
        // Maclaurin series; the first omitted term is below 1e-9 for |x| < 0.5.
        float x2 = x * x;
        float s = 1.0 + x2 * (-1.0 / 3.0 + x2 * (1.0 / 10.0 + x2 * (-1.0 / 42.0 + x2 * (1.0 / 216.0
                + x2 * (-1.0 / 1320.0 + x2 * (1.0 / 9360.0 + x2 * (-1.0 / 75600.0)))))));
        return 1.1283791670955126 * x * s;
    }
    if (isinf(a)) {
        return sign(x);
    }
    float r = 1.0 - erfc_pos(a);
    return x < 0.0 ? -r : r;
}

// erfc(x) for any x, without cancellation for large positive x.
float erfc_acc(float x) {
    if (abs(x) < 0.5) {
        return 1.0 - erf_acc(x);
    }
    return x > 0.0 ? erfc_pos(x) : 2.0 - erfc_pos(-x);
}

float tanh_acc(float x) {
    float a = abs(x);
    float t;
    if (a < 0.0625) {
        float x2 = a * a;
        t = a * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0))));
    } else if (a > 20.0) {
        t = 1.0;
    } else {
        float e = exp(-2.0 * a);
        t = (1.0 - e) / (1.0 + e);
    }
    return x < 0.0 ? -t : (isnan(x) ? x : t);
}

float sigmoid_acc(float x) {
    return 1.0 / (1.0 + exp(-x));
}

// C's pow: a negative base with a non-integer exponent is NaN; signs of odd integer powers kept.
float pow_c(float x, float y) {
    if (y == 0.0 || x == 1.0) {
        return 1.0;
    }
    if (isnan(x) || isnan(y)) {
        return ACC_NAN;
    }
    if (y == 1.0) {
        return x;
    }
    if (y == 2.0) {
        return x * x;
    }
    bool yint = floor(y) == y;
    if (x < 0.0 && !yint) {
        return ACC_NAN;
    }
    float ax = abs(x);
    float r;
    if (isinf(y)) {
        r = ax == 1.0 ? 1.0 : ((ax > 1.0) == (y > 0.0) ? ACC_INF : 0.0);
    } else if (ax == 0.0) {
        r = y < 0.0 ? ACC_INF : 0.0;
    } else if (isinf(ax)) {
        r = y < 0.0 ? 0.0 : ACC_INF;
    } else if (y == 0.5) {
        r = sqrt(ax);
    } else {
        r = exp2(y * log2(ax));
    }
    bool odd = yint && abs(y) < 16777216.0 && mod(y, 2.0) == 1.0;
    bool negBase = x < 0.0 || (x == 0.0 && (floatBitsToUint(x) & 0x80000000u) != 0u);
    return (odd && negBase) ? -r : r;
}

// Float to integer as ONNX Cast does here: truncate toward zero, saturate, NaN to 0.
int f2i_sat(float v, float lo, float hi) {
    if (isnan(v)) {
        return 0;
    }
    return int(clamp(trunc(v), lo, hi));
}

int f2i32_sat(float v) {
    if (isnan(v)) {
        return 0;
    }
    if (v >= 2147483648.0) {
        return 2147483647;
    }
    if (v <= -2147483648.0) {
        return int(0x80000000u);
    }
    return int(v);
}

// Round half to even, add the zero point, saturate: QuantizeLinear and the requantizing ops.
int quantize_sat(float v, int zp, int lo, int hi) {
    if (isnan(v)) {
        return clamp(zp, lo, hi);
    }
    float q = roundEven(v) + float(zp);
    return int(clamp(q, float(lo), float(hi)));
}

// Grid-stride loops: the dispatch is capped at 65535 groups in x, so each invocation may take several elements.
uint grid_stride() {
    return gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}
