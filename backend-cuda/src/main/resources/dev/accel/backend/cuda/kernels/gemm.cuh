// What the float GEMM kernels (sgemm.cu on CUDA cores, hgemm.cu on tensor cores) share: the
// argument struct, batch offsets, implicit im2col for convolution, and the epilogue.
//
// Problem: Y(m, n) = alpha * sum_k A(m, k) B(k, n) (+ beta * C(m, n)) for every batch index z,
// with A(m, k) = a[offA(z) + m * sam + k * sak] and, in dense mode, B(k, n) = b[offB(z) + k * sbk
// + n * sbn] and Y(m, n) = y[offY(z) + m * sym + n]. In conv mode (implicit GEMM), z is the group
// g, A is the group's weights [Mg, Cg * kH * kW], B(k, n) is the input element that output pixel
// n (over N * oH * oW) reads at filter position k, zero in the padding, and Y(m, n) is output
// channel g * Mg + m of that pixel, plus the bias.
#pragma once
#include "common.cuh"

#define MAXB 6

struct GemmArgs {
    const void* a;
    const void* b;
    const void* c;
    const void* bias;
    void* y;
    i64 sam;
    i64 sak;
    i64 sbk;
    i64 sbn;
    i64 scm;
    i64 scn;
    i64 sym;
    i64 batch;
    int M;
    int N;
    int K;
    int batchRank;
    float alpha;
    float beta;
    int hasC;
    int hasBias;
    int vecA;
    int vecB;
    int conv;
    int pad0;
    i64 bdims[6];
    i64 bsa[6];
    i64 bsb[6];
    i64 bsc[6];
    i64 bsy[6];
    int cC;
    int cH;
    int cW;
    int cKH;
    int cKW;
    int cSH;
    int cSW;
    int cPT;
    int cPL;
    int cDH;
    int cDW;
    int cOH;
    int cOW;
    int cCg;
    int cMg;
    int cM;
};
ACCEL_STRUCT_SIZE(GemmArgs, 456);

struct GemmOffsets {
    i64 a;
    i64 b;
    i64 c;
    i64 y;
};

// Element offsets of batch z: z decomposes row-major over bdims.
__device__ __forceinline__ GemmOffsets gemm_offsets(const GemmArgs& p, i64 z) {
    GemmOffsets o = {0, 0, 0, 0};
#pragma unroll
    for (int d = MAXB - 1; d >= 0; d--) {
        if (d < p.batchRank) {
            i64 q = z / p.bdims[d];
            i64 i = z - q * p.bdims[d];
            o.a += i * p.bsa[d];
            o.b += i * p.bsb[d];
            o.c += i * p.bsc[d];
            o.y += i * p.bsy[d];
            z = q;
        }
    }
    return o;
}

// Conv mode: element offset into x of B(k, n) for group g, or -1 in the padding or past the ends.
__device__ __forceinline__ i64 conv_b_offset(const GemmArgs& p, int g, int k, int n) {
    if (k >= p.K || n >= p.N) {
        return -1;
    }
    int taps = p.cKH * p.cKW;
    int c = k / taps;
    int r = k - c * taps;
    int kh = r / p.cKW;
    int kw = r - kh * p.cKW;
    int plane = p.cOH * p.cOW;
    int img = n / plane;
    int pix = n - img * plane;
    int oh = pix / p.cOW;
    int ow = pix - oh * p.cOW;
    int h = oh * p.cSH - p.cPT + kh * p.cDH;
    int w = ow * p.cSW - p.cPL + kw * p.cDW;
    if (h < 0 || h >= p.cH || w < 0 || w >= p.cW) {
        return -1;
    }
    return (((i64) img * p.cC + (i64) g * p.cCg + c) * p.cH + h) * p.cW + w;
}

// B(k, n) as float, for the slow (element by element) loaders; 0 outside the problem.
template <class T>
__device__ __forceinline__ float gemm_load_b(const GemmArgs& p, const typename T::S* b, const GemmOffsets& o,
                                             int g, int k, int n) {
    if (p.conv) {
        i64 off = conv_b_offset(p, g, k, n);
        return off < 0 ? 0.f : T::ld(b, off);
    }
    return (k < p.K && n < p.N) ? T::ld(b, o.b + (i64) k * p.sbk + (i64) n * p.sbn) : 0.f;
}

template <class T>
__device__ __forceinline__ float gemm_load_a(const GemmArgs& p, const typename T::S* a, const GemmOffsets& o,
                                             int m, int k) {
    return (m < p.M && k < p.K) ? T::ld(a, o.a + (i64) m * p.sam + (i64) k * p.sak) : 0.f;
}

// Writes one result; (m, n) must lie inside the problem.
template <class T>
__device__ __forceinline__ void gemm_store(const GemmArgs& p, const GemmOffsets& o, int g, int m, int n, float v) {
    typedef typename T::S S;
    if (!p.conv) {
        v *= p.alpha;
        if (p.hasC) {
            v += p.beta * T::ld((const S*) p.c, o.c + (i64) m * p.scm + (i64) n * p.scn);
        }
        T::st((S*) p.y, o.y + (i64) m * p.sym + n, v);
    } else {
        int channel = g * p.cMg + m;
        if (p.hasBias) {
            v += T::ld((const S*) p.bias, channel);
        }
        int plane = p.cOH * p.cOW;
        int img = n / plane;
        int pix = n - img * plane;
        T::st((S*) p.y, ((i64) img * p.cM + channel) * plane + pix, v);
    }
}
