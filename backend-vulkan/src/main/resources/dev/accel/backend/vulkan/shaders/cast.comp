// Cast between any two dtypes: float to float rounds to nearest even; float to integer truncates
// toward zero and saturates (NaN becomes 0); integer to float rounds to nearest; integer to
// integer saturates; anything to BOOL is x != 0.

layout(push_constant) uniform PC {
    uint n;
} pc;

#if DT_y == DT_I8
#define Y_LO (-128)
#define Y_HI 127
#elif DT_y == DT_U8
#define Y_LO 0
#define Y_HI 255
#endif

void main() {
    for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += grid_stride()) {
#if IS_FLOAT_x
        float v = ld_x(i);
#if IS_FLOAT_y
        st_y(i, v);
#elif DT_y == DT_BOOL
        sti_y(i, v != 0.0 ? 1 : 0);
#elif DT_y == DT_I32
        sti_y(i, f2i32_sat(v));
#elif DT_y == DT_I64
        int64_t r;
        if (isnan(v)) {
            r = int64_t(0);
        } else if (v >= 9223372036854775807.0) {
            r = int64_t(9223372036854775807l);
        } else if (v <= -9223372036854775808.0) {
            r = int64_t(-9223372036854775807l) - int64_t(1);
        } else {
            r = int64_t(v);
        }
        stl_y(i, r);
#else
        sti_y(i, f2i_sat(v, float(Y_LO), float(Y_HI)));
#endif
#elif DT_x == DT_I64
        int64_t v = ldl_x(i);
#if IS_FLOAT_y
        st_y(i, float(v));
#elif DT_y == DT_BOOL
        sti_y(i, v != int64_t(0) ? 1 : 0);
#elif DT_y == DT_I64
        stl_y(i, v);
#elif DT_y == DT_I32
        sti_y(i, int(clamp(v, int64_t(-2147483648l), int64_t(2147483647l))));
#else
        sti_y(i, int(clamp(v, int64_t(Y_LO), int64_t(Y_HI))));
#endif
#else
        int v = ldi_x(i);
#if IS_FLOAT_y
        st_y(i, float(v));
#elif DT_y == DT_BOOL
        sti_y(i, v != 0 ? 1 : 0);
#elif DT_y == DT_I64
        stl_y(i, int64_t(v));
#elif DT_y == DT_I32
        sti_y(i, v);
#else
        sti_y(i, clamp(v, Y_LO, Y_HI));
#endif
#endif
    }
}
