package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The zero-padded float copy of one group's input planes that {@link Im2colSource} reads. Padded
 * element {@code (py, px)} is input element {@code (py - padTop, px - padLeft)} where that lies
 * inside the input, else 0; only the {@code rows() x cols()} window the convolution reads is kept.
 * 8-bit inputs are stored as the exact floats {@code x - zeroPoint}, so padding (0) is exactly the
 * zero point.
 *
 * <p>Layout: each padded row is split into {@code strideW} column phases, phase r holding columns
 * {@code r, r + sw, r + 2 sw, ...} ({@code phaseLen()} of them); padded row py of plane ci starts at
 * {@code ci * planeSize() + py * rowLen()}, and element {@code (py, px)} is at
 * {@code (px % sw) * phaseLen() + px / sw} from there. So output columns ox, ox + 1, ... of one
 * output row read consecutive floats for every tap and any horizontal stride: packing the lowered
 * input is vector loads, not gathers. With stride 1 there is one phase and this is the plain padded
 * image.
 *
 * <p>The array ends with {@link #slack} extra zeros, so that whole-vector loads that start at the
 * last positions, and whole register-tile panels past the last output position, stay inside it.
 */
final class PaddedImage {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Byte> B1 = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private PaddedImage() {
    }

    /** Padded rows the convolution reads. */
    static int rows(ConvGeom g) {
        return (g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1;
    }

    /** Padded columns the convolution reads. */
    static int cols(ConvGeom g) {
        return (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1;
    }

    /** Columns per phase. */
    static int phaseLen(ConvGeom g) {
        return (cols(g) + g.sw() - 1) / g.sw();
    }

    /** Floats per padded row: all its phases. */
    static int rowLen(ConvGeom g) {
        return g.sw() * phaseLen(g);
    }

    /** Floats per padded plane. */
    static int planeSize(ConvGeom g) {
        return rows(g) * rowLen(g);
    }

    /**
     * Floats after the last plane: a register-tile panel of positions past the last one plus a vector,
     * and a row's worth of taps.
     */
    static int slack(ConvGeom g) {
        return 2 * GemmCore.NR + L + (g.kw() - 1) * g.dw();
    }

    /** Floats of a padded copy of one group. */
    static int size(ConvGeom g) {
        return g.cg() * planeSize(g) + slack(g);
    }

    /** Offset of padded element (py, px) from the start of its plane. */
    static int offset(ConvGeom g, int py, int px) {
        return py * rowLen(g) + (px % g.sw()) * phaseLen(g) + px / g.sw();
    }

    /**
     * Writes planes {@code [c0, c1)} of the group whose channel 0 starts at element (or byte) index
     * {@code planeBase} of {@code x}. The slack is zeroed by whoever writes the last plane.
     * {@code row} is a scratch of at least {@link #rowScratch} floats (used for strides above 1).
     */
    static void fill(float[] dst, float[] row, ConvGeom g, MemorySegment x, long planeBase, boolean integer, boolean unsigned,
            int zp, int c0, int c1) {
        fillRows(dst, row, g, x, planeBase, integer, unsigned, zp, c0 * rows(g), c1 * rows(g));
    }

    /**
     * As {@link #fill} for padded rows {@code [r0, r1)} of the group, counted plane after plane
     * ({@code r = ci * rows() + py}): a first layer's three planes split evenly between cores.
     */
    static void fillRows(float[] dst, float[] row, ConvGeom g, MemorySegment x, long planeBase, boolean integer, boolean unsigned,
            int zp, int r0, int r1) {
        int hp = rows(g);
        int wp = cols(g);
        int rowLen = rowLen(g);
        int plane = planeSize(g);
        int w = g.w();
        // Columns of a padded row that hold input: px in [pl, pl + w), clipped to the window.
        int pxLo = Math.min(wp, g.pl());
        int pxHi = Math.min(wp, g.pl() + w);
        int copy = Math.max(0, pxHi - pxLo);
        if (g.sw() != 1) {
            // The row scratch's columns outside [pxLo, pxHi) stay zero: cleared once, not per row.
            Arrays.fill(row, 0, rowLen + 2 * L, 0f);
        }
        for (int r = r0; r < r1; r++) {
            int ci = r / hp;
            int py = r - ci * hp;
            int at = ci * plane + py * rowLen;
            int iy = py - g.pt();
            if (iy < 0 || iy >= g.h() || copy == 0) {
                Arrays.fill(dst, at, at + rowLen, 0f);
                continue;
            }
            long in = planeBase + ci * g.hw() + (long) iy * w;
            if (g.sw() == 1) {
                Arrays.fill(dst, at, at + pxLo, 0f);
                load(dst, at + pxLo, x, in, copy, integer, unsigned, zp);
                Arrays.fill(dst, at + pxHi, at + rowLen, 0f);
            } else {
                // The padded row in order (zeros past it for the vector de-interleave), then its phases.
                load(row, pxLo, x, in, copy, integer, unsigned, zp);
                split(dst, at, row, g);
            }
        }
        if (r1 == g.cg() * hp) {
            int end = g.cg() * plane;
            Arrays.fill(dst, end, end + slack(g), 0f);
        }
    }

    /** Floats of the row scratch {@link #fill} needs. */
    static int rowScratch(ConvGeom g) {
        return rowLen(g) + 2 * L;
    }

    /** Splits one padded row (in {@code row}, zero past its end) into its phases at {@code at}. */
    private static void split(float[] dst, int at, float[] row, ConvGeom g) {
        int sw = g.sw();
        int phaseLen = phaseLen(g);
        if (sw == 2) {
            int t = 0;
            FloatVector evens = Lanes.evens();
            FloatVector odds = Lanes.odds();
            // Whole vectors of each phase while they stay inside it, then one masked vector: the
            // even phase's last one must not spill into the odd phase after it. (The last elements
            // one by one cost ResNet-50's 3x3 stride-2 layer 0.44 ns per padded float, about as much
            // as packing its lowered input; LoweringCostMain in the test classes times this copy.)
            for (; t + L <= phaseLen; t += L) {
                FloatVector v0 = FloatVector.fromArray(F, row, 2 * t);
                FloatVector v1 = FloatVector.fromArray(F, row, 2 * t + L);
                evens.selectFrom(v0, v1).intoArray(dst, at + t);
                odds.selectFrom(v0, v1).intoArray(dst, at + phaseLen + t);
            }
            if (t < phaseLen) {
                VectorMask<Float> m = F.indexInRange(t, phaseLen);
                FloatVector v0 = FloatVector.fromArray(F, row, 2 * t);
                FloatVector v1 = FloatVector.fromArray(F, row, 2 * t + L);
                evens.selectFrom(v0, v1).intoArray(dst, at + t, m);
                odds.selectFrom(v0, v1).intoArray(dst, at + phaseLen + t, m);
            }
            return;
        }
        for (int r = 0; r < sw; r++) {
            int d = at + r * phaseLen;
            for (int t = 0; t < phaseLen; t++) {
                dst[d + t] = row[t * sw + r];
            }
        }
    }

    /**
     * Copies {@code count} floats from element index {@code at} of {@code x} to {@code dst[d..]}: vector
     * loads and a masked tail. For the short rows of small planes this costs a fraction of a
     * {@code MemorySegment.copy} call, whose fixed cost dominated depthwise layers of 14 x 14 planes.
     */
    static void copyRow(MemorySegment x, long at, float[] dst, int d, int count) {
        int t = 0;
        for (int end = F.loopBound(count); t < end; t += L) {
            FloatVector.fromMemorySegment(F, x, (at + t) * 4, LE).intoArray(dst, d + t);
        }
        if (t < count) {
            VectorMask<Float> m = F.indexInRange(t, count);
            FloatVector.fromMemorySegment(F, x, (at + t) * 4, LE, m).intoArray(dst, d + t, m);
        }
    }

    /** {@code count} input elements from {@code at} into {@code dst[d..]}: a vector copy, or widened bytes minus the zero point. */
    private static void load(float[] dst, int d, MemorySegment x, long at, int count, boolean integer, boolean unsigned, int zp) {
        if (!integer) {
            copyRow(x, at, dst, d, count);
            return;
        }
        FloatVector z = FloatVector.broadcast(F, zp);
        int t = 0;
        for (; t + B1.length() <= count; t += L) {
            ByteVector b = ByteVector.fromMemorySegment(B1, x, at + t, LE);
            FloatVector f = unsigned
                    ? (FloatVector) ((IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).convert(VectorOperators.I2F, 0)
                    : (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
            f.sub(z).intoArray(dst, d + t);
        }
        int mask = unsigned ? 0xFF : -1;
        for (; t < count; t++) {
            dst[d + t] = (x.get(ValueLayout.JAVA_BYTE, at + t) & mask) - zp;
        }
    }
}
