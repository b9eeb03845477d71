// Batched matrix multiply, tiled through shared memory: each work group computes a BM x BN tile
// of Y (BM = local size y * TM, BN = local size x * TN), staging BK-deep slices of A and B in
// shared memory; each invocation accumulates a TM x TN block in registers. The slices are double
// buffered: an invocation reads its share of slice s + 1 from memory into registers before it
// multiplies slice s, and stores it to the other buffer afterwards, so memory latency overlaps
// the arithmetic and one barrier per slice suffices.
// Float mode: Y = alpha * op(A) op(B) [+ beta * C]. INT_MODE: int32 accumulation of
// (A - a_zero_point)(B - b_zero_point), stored as int32 or, with QLINEAR, requantized.
// Batches run along z; bdims / bsa / bsb map a batch index to A's and B's element offsets.
layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint BK = 16;

const uint WX = gl_WorkGroupSize.x;
const uint WY = gl_WorkGroupSize.y;
const uint BM = WY * TM;
const uint BN = WX * TN;

#define F_TRANS_A 1u
#define F_TRANS_B 2u
#define F_BZP_PER_COL 8u
#define F_BSCALE_PER_COL 16u

layout(push_constant) uniform PC {
    uint M;
    uint N;
    uint K;
    uint flags;
    float alpha;
    float beta;
    uint csM;
    uint csN;
    uint batches;
    uint brank;
    uint bdims[4];
    uint bsa[4];
    uint bsb[4];
} pc;

#ifdef INT_MODE
#define ACC int
#else
#define ACC float
#endif

shared ACC As[2 * BK * BM];
shared ACC Bs[2 * BK * BN];

ACC loadA(uint idx) {
#ifdef INT_MODE
#ifdef HAS_azp
    return ldi_a(idx) - ldi_azp(0u);
#else
    return ldi_a(idx);
#endif
#else
    return ld_a(idx);
#endif
}

ACC loadB(uint idx, uint n) {
#ifdef INT_MODE
#ifdef HAS_bzp
    return ldi_b(idx) - ldi_bzp((pc.flags & F_BZP_PER_COL) != 0u ? n : 0u);
#else
    return ldi_b(idx);
#endif
#else
    return ld_b(idx);
#endif
}

void main() {
    uint lx = gl_LocalInvocationID.x;
    uint ly = gl_LocalInvocationID.y;
    uint tid = ly * WX + lx;
    uint T = WX * WY;
    uint m0 = gl_WorkGroupID.y * BM;
    uint n0 = gl_WorkGroupID.x * BN;
    bool transA = (pc.flags & F_TRANS_A) != 0u;
    bool transB = (pc.flags & F_TRANS_B) != 0u;

    for (uint bz = gl_WorkGroupID.z; bz < pc.batches; bz += gl_NumWorkGroups.z) {
        uint rem = bz;
        uint abase = 0u;
        uint bbase = 0u;
        for (int d = int(pc.brank) - 1; d >= 0; d--) {
            uint c = rem % pc.bdims[d];
            rem /= pc.bdims[d];
            abase += c * pc.bsa[d];
            bbase += c * pc.bsb[d];
        }
        uint ybase = bz * pc.M * pc.N;

        ACC acc[TM * TN];
        for (uint q = 0u; q < TM * TN; q++) {
            acc[q] = ACC(0);
        }

        // This invocation's elements of a slice: A's e = tid, tid + T, ... below BM * BK, B's alike.
        const uint LA = (BM * BK + WX * WY - 1u) / (WX * WY);
        const uint LB = (BN * BK + WX * WY - 1u) / (WX * WY);
        ACC na[LA];
        ACC nb[LB];
        // Slice k0 into registers: element e of A is (mm, kk) of the tile, stored at As[kk * BM + mm].
        #define LOAD_SLICE(k0)                                                                  \
            for (uint r = 0u; r < LA; r++) {                                                    \
                uint e = tid + r * T;                                                           \
                uint mm = transA ? e % BM : e / BK;                                             \
                uint kk = transA ? e / BM : e % BK;                                             \
                uint m = m0 + mm;                                                               \
                uint k = (k0) + kk;                                                             \
                na[r] = ACC(0);                                                                 \
                if (e < BM * BK && m < pc.M && k < pc.K) {                                      \
                    na[r] = loadA(abase + (transA ? k * pc.M + m : m * pc.K + k));              \
                }                                                                               \
            }                                                                                   \
            for (uint r = 0u; r < LB; r++) {                                                    \
                uint e = tid + r * T;                                                           \
                uint nn = transB ? e / BK : e % BN;                                             \
                uint kk = transB ? e % BK : e / BN;                                             \
                uint n = n0 + nn;                                                               \
                uint k = (k0) + kk;                                                             \
                nb[r] = ACC(0);                                                                 \
                if (e < BN * BK && n < pc.N && k < pc.K) {                                      \
                    nb[r] = loadB(bbase + (transB ? n * pc.K + k : k * pc.N + n), n);           \
                }                                                                               \
            }
        #define STORE_SLICE(buf)                                                                \
            for (uint r = 0u; r < LA; r++) {                                                    \
                uint e = tid + r * T;                                                           \
                if (e < BM * BK) {                                                              \
                    uint mm = transA ? e % BM : e / BK;                                         \
                    uint kk = transA ? e / BM : e % BK;                                         \
                    As[(buf) * BK * BM + kk * BM + mm] = na[r];                                 \
                }                                                                               \
            }                                                                                   \
            for (uint r = 0u; r < LB; r++) {                                                    \
                uint e = tid + r * T;                                                           \
                if (e < BN * BK) {                                                              \
                    uint nn = transB ? e / BK : e % BN;                                         \
                    uint kk = transB ? e % BK : e / BN;                                         \
                    Bs[(buf) * BK * BN + kk * BN + nn] = nb[r];                                 \
                }                                                                               \
            }

        LOAD_SLICE(0u)
        STORE_SLICE(0u)
        barrier();
        uint cur = 0u;
        for (uint k0 = 0u; k0 < pc.K; k0 += BK) {
            bool more = k0 + BK < pc.K;
            if (more) {
                LOAD_SLICE(k0 + BK)
            }
            uint as0 = cur * BK * BM;
            uint bs0 = cur * BK * BN;
            for (uint kk = 0u; kk < BK; kk++) {
                ACC ra[TM];
                ACC rb[TN];
                for (uint i = 0u; i < TM; i++) {
                    ra[i] = As[as0 + kk * BM + ly + i * WY];
                }
                for (uint j = 0u; j < TN; j++) {
                    rb[j] = Bs[bs0 + kk * BN + lx + j * WX];
                }
                for (uint i = 0u; i < TM; i++) {
                    for (uint j = 0u; j < TN; j++) {
                        acc[i * TN + j] += ra[i] * rb[j];
                    }
                }
            }
            // The other buffer was last read in the previous slice, before the last barrier.
            if (more) {
                STORE_SLICE(1u - cur)
            }
            barrier();
            cur = 1u - cur;
        }
        #undef LOAD_SLICE
        #undef STORE_SLICE

        for (uint i = 0u; i < TM; i++) {
            uint m = m0 + ly + i * WY;
            for (uint j = 0u; j < TN; j++) {
                uint n = n0 + lx + j * WX;
                if (m < pc.M && n < pc.N) {
                    ACC r = acc[i * TN + j];
#ifdef INT_MODE
#ifdef QLINEAR
                    float mult = ld_as(0u) * ld_bs((pc.flags & F_BSCALE_PER_COL) != 0u ? n : 0u) / ld_ys(0u);
                    int zp = 0;
#ifdef HAS_yzp
                    zp = ldi_yzp(0u);
#endif
                    sti_y(ybase + m * pc.N + n, quantize_sat(float(r) * mult, zp, Y_LO, Y_HI));
#else
                    sti_y(ybase + m * pc.N + n, r);
#endif
#else
                    float v = pc.alpha * r;
#ifdef HAS_c
                    v += pc.beta * ld_c(m * pc.csM + n * pc.csN);
#endif
                    st_y(ybase + m * pc.N + n, v);
#endif
                }
            }
        }
    }
}
