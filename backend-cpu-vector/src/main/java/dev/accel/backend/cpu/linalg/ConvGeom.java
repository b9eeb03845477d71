package dev.accel.backend.cpu.linalg;

import dev.accel.hal.Shape;
import dev.accel.hal.op.Conv2d;

/**
 * The resolved geometry of one 2-D convolution: X {@code [n, c, h, w]}, W {@code [m, c / groups,
 * kh, kw]}, Y {@code [n, m, oh, ow]}, strides, the top and left pads (bottom and right only bound
 * the output size, already in oh and ow) and dilations.
 */
record ConvGeom(int n, int c, int h, int w, int m, int kh, int kw, int oh, int ow, int groups,
                int sh, int sw, int pt, int pl, int dh, int dw) {

    static ConvGeom of(Conv2d g, Shape x, Shape wt, Shape y) {
        return new ConvGeom(x.dim(0), x.dim(1), x.dim(2), x.dim(3), wt.dim(0), wt.dim(2), wt.dim(3), y.dim(2), y.dim(3),
                g.groups(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW());
    }

    /** Input channels per group. */
    int cg() {
        return c / groups;
    }

    /** Output channels per group. */
    int mg() {
        return m / groups;
    }

    /** The GEMM's K: one group's weights per output channel. */
    int kg() {
        return cg() * kh * kw;
    }

    /** Output positions per plane. */
    int ohw() {
        return oh * ow;
    }

    /** Input positions per plane. */
    long hw() {
        return (long) h * w;
    }

    /** A 1x1, stride-1, unpadded convolution: a plain GEMM over the NCHW plane. */
    boolean pointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
    }

    /** One input and one output channel per group. */
    boolean depthwise() {
        return groups == c && groups == m;
    }
}
