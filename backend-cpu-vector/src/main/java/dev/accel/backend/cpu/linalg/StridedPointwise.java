package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 1x1 convolution with a stride above 1 and no padding (ResNet-50 v1's downsampling layers: the
 * first 1x1 of a stage's first block and its shortcut) is the stride-1 1x1 convolution of the input
 * subsampled: every {@code sh}-th row, every {@code sw}-th column. Subsampling copies only the
 * output-sized planes and leaves the pointwise GEMM, which reads its input in place; lowered, the
 * padded copy covered the whole input and the GEMM packed every position. {@code
 * StridedPointwiseMain} (test classes, two cores, microseconds), lowered (before this class) and
 * subsampled: 256 -> 128 at 56 -> 28 220.6 / 152.6, 256 -> 512 566.0 / 506.5, 512 -> 256 at 28 -> 14
 * 201.3 / 145.7, 512 -> 1024 551.0 / 485.8, 1024 -> 512 at 14 -> 7 185.3 / 151.1, 1024 -> 2048
 * 528.5 / 500.7; the subsampling itself 23-36 us of that (the 56x56 planes' at memory speed, the
 * small planes' at a few nanoseconds per output row).
 */
final class StridedPointwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane k holds 2k: compacts the even lanes of two vectors into one ({@code selectFrom}; {@link PlanarConv}'s copy too). */
    static final FloatVector EVEN;

    static {
        float[] even = new float[L];
        for (int k = 0; k < L; k++) {
            even[k] = 2 * k;
        }
        EVEN = FloatVector.fromArray(F, even, 0);
    }

    private StridedPointwise() {
    }

    /** Whether {@code g} is a 1x1 convolution with a stride above 1, no padding, whose output is exactly the subsampled input. */
    static boolean applies(ConvGeom g) {
        return g.kh() == 1 && g.kw() == 1 && (g.sh() > 1 || g.sw() > 1) && g.pt() == 0 && g.pl() == 0 && g.ohw() > 0
                && g.oh() == (g.h() - 1) / g.sh() + 1 && g.ow() == (g.w() - 1) / g.sw() + 1;
    }

    /** The stride-1 1x1 convolution over the subsampled input that computes {@code g}. */
    static ConvGeom pointwise(ConvGeom g) {
        return new ConvGeom(g.n(), g.c(), g.oh(), g.ow(), g.m(), 1, 1, g.oh(), g.ow(), g.groups(), 1, 1, 0, 0, 1, 1);
    }

    /**
     * Every plane of {@code x} (float32 NCHW, {@code g}'s input) subsampled into {@code dst}
     * ({@code n x c x oh x ow}), planes split across cores.
     */
    static void subsample(ConvGeom g, MemorySegment x, MemorySegment dst) {
        int planes = g.n() * g.c();
        int grain = Math.max(1, (1 << 14) / Math.max(1, g.ohw()));
        CpuParallel.forRange(planes, grain, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    long from = (long) p * g.hw() + (long) oy * g.sh() * g.w();
                    long to = ((long) p * g.oh() + oy) * g.ow();
                    row(x, from, g.sw(), g.w(), dst, to, g.ow());
                }
            }
        });
    }

    /**
     * {@code dst[to + ox] = x[from + ox * sw]} for {@code ox < ow}. Stride 2 compacts the even lanes
     * of two whole-vector loads (which may read past the row, not past the segment: the lanes taken
     * are the row's), storing the row's last vector masked; element by element for other strides and
     * where the loads would leave the segment. (Masked loads at the row's end instead made the 14x14
     * planes' copy several times slower.)
     */
    private static void row(MemorySegment x, long from, int sw, int w, MemorySegment dst, long to, int ow) {
        int ox = 0;
        if (sw == 2) {
            long end = x.byteSize();
            for (; ox < ow; ox += L) {
                long at = (from + 2L * ox) * 4;
                if (at + 8L * L > end) {
                    break;
                }
                FloatVector v = EVEN.selectFrom(FloatVector.fromMemorySegment(F, x, at, LE),
                        FloatVector.fromMemorySegment(F, x, at + 4L * L, LE));
                int live = ow - ox;
                if (live >= L) {
                    v.intoMemorySegment(dst, (to + ox) * 4, LE);
                } else {
                    v.intoMemorySegment(dst, (to + ox) * 4, LE, F.indexInRange(0, live));
                }
            }
        }
        for (; ox < ow; ox++) {
            dst.setAtIndex(FLOAT, to + ox, x.getAtIndex(FLOAT, from + (long) ox * sw));
        }
    }
}
