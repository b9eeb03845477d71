/*
 * Shared definitions for every accel OpenCL program. Build options select storage kinds by name
 * (for example -DT=F16): TYPE(k) is the C type a buffer of kind k is declared with, LOAD(k, p, i)
 * reads element i as float (or as an integer for integer kinds) and STORE(k, p, i, v) writes it,
 * rounding to nearest even. F16 uses vload_half / vstore_half_rte, which need no cl_khr_fp16, so
 * half tensors are stored as half and computed in float. BF16 is the top half of a float, handled
 * with bit shifts. IDX selects int or long element indexing.
 */
#ifndef IDX
#define IDX int
#endif
typedef IDX idx_t;

#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)

#define TY_F32 float
#define TY_F16 half
#define TY_BF16 ushort
#define TY_I8 char
#define TY_U8 uchar
#define TY_I32 int
#define TY_I64 long
#define TY_BOOL uchar

#define TYPE(k) XCAT(TY_, k)
#define LOAD(k, p, i) XCAT(LD_, k)(p, i)
#define STORE(k, p, i, v) XCAT(ST_, k)(p, i, v)
/* Round to nearest even and saturate a float (already integral or not) to an integer kind. */
#define SAT(k, v) XCAT(SAT_, k)(v)

inline float bf16_to_float(ushort h) {
    return as_float(((uint) h) << 16);
}

inline ushort float_to_bf16(float f) {
    uint b = as_uint(f);
    if ((b & 0x7fffffffu) > 0x7f800000u) {
        return (ushort) ((b >> 16) | 0x40u);
    }
    return (ushort) ((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}

#define LD_F32(p, i) ((p)[i])
#define ST_F32(p, i, v) ((p)[i] = (v))
#define LD_F16(p, i) vload_half((i), (p))
#define ST_F16(p, i, v) vstore_half_rte((v), (i), (p))
#define LD_BF16(p, i) bf16_to_float((p)[i])
#define ST_BF16(p, i, v) ((p)[i] = float_to_bf16(v))
#define LD_I8(p, i) ((int) (p)[i])
#define LD_U8(p, i) ((int) (p)[i])
#define LD_I32(p, i) ((p)[i])
#define ST_I32(p, i, v) ((p)[i] = (v))

#define SAT_I8(v) convert_char_sat_rte(v)
#define SAT_U8(v) convert_uchar_sat_rte(v)

/*
 * Broadcast metadata: rank r, then the r dimensions of the iteration shape, then r strides for
 * each operand (0 where it is broadcast). The host collapses dimensions, so r is usually 1 or 2.
 * Returns the offset of operand `which` for flat index i.
 */
inline idx_t bcast_offset(__global const idx_t *meta, idx_t i, int which) {
    int r = (int) meta[0];
    idx_t off = 0;
    for (int d = r - 1; d >= 0; d--) {
        idx_t dim = meta[1 + d];
        idx_t c = i % dim;
        i /= dim;
        off += c * meta[1 + (which + 1) * r + d];
    }
    return off;
}
