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
 * A read-only view of a 2-D matrix held in a native segment (never a heap one: see
 * {@link NativeScratch}), with arbitrary element strides, so that transposes and sub-matrices cost
 * nothing. Elements are float32,
 * or int8 / uint8 read as the exact float {@code value - zeroPoint}, the zero point being per tensor
 * or per row of the view. The view's main job is packing (see {@link PanelSource}): copying a panel
 * into the contiguous, zero-padded layouts the GEMM micro-kernel streams through, with vector copies
 * and conversions wherever the panel's rows or columns are contiguous in memory.
 *
 * <p>Immutable; safe to share between threads. Bounds are the caller's contract (the segment
 * accessors still check them).
 */
final class MatrixView implements PanelSource {
    /** Element type of the underlying storage. */
    enum Kind {
        F32, I8, U8
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Two float vectors' worth of bytes (a micro-kernel panel row): 8, 16 or 32 bytes, all valid shapes. */
    private static final VectorSpecies<Byte> B2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(2 * L * 8));
    /**
     * At least one float vector's worth of bytes: 8 or 16 bytes (64 bits is the smallest shape, so at
     * 128-bit vectors a load covers two float vectors' bytes and only the first part is converted).
     */
    private static final VectorSpecies<Byte> B1 = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final Kind kind;
    private final MemorySegment seg;
    private final long base;
    private final long rs;
    private final long cs;
    private final int zp;
    private final int[] rowZp;

    private MatrixView(Kind kind, MemorySegment seg, long base, long rs, long cs, int zp, int[] rowZp) {
        this.kind = kind;
        this.seg = NativeScratch.requireNative(seg);
        this.base = base;
        this.rs = rs;
        this.cs = cs;
        this.zp = zp;
        this.rowZp = rowZp;
    }

    /** Float32 elements: element (r, c) at float index {@code base + r * rs + c * cs}. */
    static MatrixView f32(MemorySegment seg, long base, long rs, long cs) {
        return new MatrixView(Kind.F32, seg, base, rs, cs, 0, null);
    }

    /**
     * 8-bit elements: element (r, c) is the byte at {@code base + r * rs + c * cs}, minus
     * {@code rowZp[r]} when {@code rowZp} is not null, else minus {@code zp}.
     */
    static MatrixView int8(MemorySegment seg, boolean unsigned, long base, long rs, long cs, int zp, int[] rowZp) {
        return new MatrixView(unsigned ? Kind.U8 : Kind.I8, seg, base, rs, cs, zp, rowZp);
    }

    Kind kind() {
        return kind;
    }

    MemorySegment segment() {
        return seg;
    }

    /** Element index (float32) or byte offset (8-bit) of element (0, 0). */
    long base() {
        return base;
    }

    long rowStride() {
        return rs;
    }

    long columnStride() {
        return cs;
    }

    /** The per-tensor zero point (8-bit views). */
    int zeroPoint() {
        return zp;
    }

    /** Zero points per row, or null. */
    int[] rowZeroPoints() {
        return rowZp;
    }

    /** Element (r, c), zero point subtracted. */
    float get(int r, int c) {
        long i = base + r * rs + c * cs;
        return switch (kind) {
            case F32 -> seg.getAtIndex(FLOAT, i);
            case I8 -> seg.get(ValueLayout.JAVA_BYTE, i) - zeroPoint(r);
            case U8 -> (seg.get(ValueLayout.JAVA_BYTE, i) & 0xFF) - zeroPoint(r);
        };
    }

    /** Element (r, c) of an 8-bit view as an exact int, zero point subtracted. */
    int getInt(int r, int c) {
        long i = base + r * rs + c * cs;
        int v = seg.get(ValueLayout.JAVA_BYTE, i);
        return (kind == Kind.U8 ? v & 0xFF : v) - zeroPoint(r);
    }

    private int zeroPoint(int r) {
        return rowZp == null ? zp : rowZp[r];
    }

    @Override
    public void packRows(float[] dst, int off, int r0, int rows, int height, int c0, int kc) {
        long origin = base + r0 * rs + c0 * cs;
        if (cs == 1) {
            // Each row is contiguous along K: a bulk copy, or a vector widening of bytes, per row.
            for (int i = 0; i < rows; i++) {
                long src = origin + i * rs;
                int d = off + i * kc;
                if (kind == Kind.F32) {
                    MemorySegment.copy(seg, FLOAT, src * 4, dst, d, kc);
                } else {
                    widenRow(dst, d, src, kc, zeroPoint(r0 + i));
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < rows; i++) {
                    dst[off + i * kc + p] = get(r0 + i, c0 + p);
                }
            }
        }
        if (rows < height) {
            Arrays.fill(dst, off + rows * kc, off + height * kc, 0f);
        }
    }

    /** {@code dst[d + p] = byte(src + p) - z} for {@code p < kc}, widened a vector at a time. */
    private void widenRow(float[] dst, int d, long src, int kc, int z) {
        FloatVector zv = FloatVector.broadcast(F, z);
        int p = 0;
        if (kind == Kind.U8) {
            for (; p + B1.length() <= kc; p += L) {
                ByteVector b = ByteVector.fromMemorySegment(B1, seg, src + p, LE);
                ((FloatVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0).convert(VectorOperators.I2F, 0))
                        .sub(zv).intoArray(dst, d + p);
            }
            for (; p < kc; p++) {
                dst[d + p] = (seg.get(ValueLayout.JAVA_BYTE, src + p) & 0xFF) - z;
            }
        } else {
            for (; p + B1.length() <= kc; p += L) {
                ByteVector b = ByteVector.fromMemorySegment(B1, seg, src + p, LE);
                ((FloatVector) b.convertShape(VectorOperators.B2F, F, 0)).sub(zv).intoArray(dst, d + p);
            }
            for (; p < kc; p++) {
                dst[d + p] = seg.get(ValueLayout.JAVA_BYTE, src + p) - z;
            }
        }
    }

    @Override
    public void packColumns(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
        if (kind == Kind.F32) {
            packF32(dst, off, r0, rows, width, c0, kc);
        } else {
            packInt8(dst, off, r0, rows, width, c0, kc);
        }
        if (rows < width) {
            for (int p = 0; p < kc; p++) {
                int o = off + p * width;
                Arrays.fill(dst, o + rows, o + width, 0f);
            }
        }
    }

    @Override
    public void packColumnBlock(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
        if (rs != 1 || width != 2 * L || cs == 1) {
            PanelSource.super.packColumnBlock(dst, off, r0, rows, width, c0, kc);
            return;
        }
        // B's rows (this view's columns) are contiguous: stream each one across all the panels.
        int full = rows / width;
        int tail = rows - full * width;
        long origin = base + r0 * rs + c0 * cs;
        int panel = width * kc;
        if (kind == Kind.F32) {
            for (int p = 0; p < kc; p++) {
                long src = (origin + p * cs) * 4;
                int d = off + p * width;
                for (int t = 0; t < full; t++) {
                    long at = src + t * (long) width * 4;
                    int o = d + t * panel;
                    FloatVector.fromMemorySegment(F, seg, at, LE).intoArray(dst, o);
                    FloatVector.fromMemorySegment(F, seg, at + 4L * L, LE).intoArray(dst, o + L);
                }
            }
        } else {
            float[] zps = new float[full * width];
            for (int i = 0; i < zps.length; i++) {
                zps[i] = zeroPoint(r0 + i);
            }
            VectorOperators.Conversion<Byte, Integer> widen = kind == Kind.U8 ? VectorOperators.ZERO_EXTEND_B2I : VectorOperators.B2I;
            for (int p = 0; p < kc; p++) {
                long src = origin + p * cs;
                int d = off + p * width;
                for (int t = 0; t < full; t++) {
                    ByteVector b = ByteVector.fromMemorySegment(B2, seg, src + (long) t * width, LE);
                    int o = d + t * panel;
                    int z = t * width;
                    FloatVector lo = (FloatVector) b.convertShape(widen, I, 0).convert(VectorOperators.I2F, 0);
                    FloatVector hi = (FloatVector) b.convertShape(widen, I, 1).convert(VectorOperators.I2F, 0);
                    lo.sub(FloatVector.fromArray(F, zps, z)).intoArray(dst, o);
                    hi.sub(FloatVector.fromArray(F, zps, z + L)).intoArray(dst, o + L);
                }
            }
        }
        if (tail > 0) {
            packColumns(dst, off + full * panel, r0 + full * width, tail, width, c0, kc);
        }
    }

    private void packF32(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
        long origin = base + r0 * rs + c0 * cs;
        if (rs == 1 && (rows > 1 || cs != 1)) {
            // The panel's rows are adjacent in memory: one contiguous run per column p.
            boolean vec = rows == width && width % L == 0;
            if (!vec && rows <= L && width <= L) {
                // An A panel of adjacent rows (a 1x1 convolution's input, pixel-major): one masked
                // copy per column instead of a bulk copy call for a few floats.
                packShortColumns(seg, origin * 4, cs * 4, rows, dst, off, width, kc);
                return;
            }
            for (int p = 0; p < kc; p++) {
                long src = origin + p * cs;
                int d = off + p * width;
                if (vec) {
                    for (int v = 0; v < width; v += L) {
                        FloatVector.fromMemorySegment(F, seg, (src + v) * 4, LE).intoArray(dst, d + v);
                    }
                } else {
                    MemorySegment.copy(seg, FLOAT, src * 4, dst, d, rows);
                }
            }
        } else if (cs == 1) {
            // Each row is contiguous along K. A full A panel of the GEMM: transposed in registers.
            if (rows == PanelTranspose.ROWS && width == PanelTranspose.ROWS) {
                PanelTranspose.sixRows(seg, origin, rs, dst, off, kc);
                return;
            }
            if (rows == width && width == 2 * L && Transpose16.APPLIES) {
                // A full B panel (32 rows of weights along K): 16 x 16 blocks transposed in registers.
                int end = kc - kc % L;
                for (int p = 0; p < end; p += L) {
                    for (int h = 0; h < width; h += L) {
                        Transpose16.blockToArray(seg, (origin + h * rs + p) * 4, rs * 4, dst, off + p * width + h, width);
                    }
                }
                for (int i = 0; i < rows; i++) {
                    long src = origin + i * rs;
                    for (int p = end; p < kc; p++) {
                        dst[off + i + p * width] = seg.getAtIndex(FLOAT, src + p);
                    }
                }
                return;
            }
            // Else read each row forward, written strided into the panel.
            for (int i = 0; i < rows; i++) {
                long src = origin + i * rs;
                int d = off + i;
                for (int p = 0; p < kc; p++) {
                    dst[d + p * width] = seg.getAtIndex(FLOAT, src + p);
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < rows; i++) {
                    dst[off + p * width + i] = seg.getAtIndex(FLOAT, origin + i * rs + p * cs);
                }
            }
        }
    }

    /**
     * {@code kc} runs of {@code rows <= L} adjacent floats, {@code stride} bytes apart from byte
     * {@code at} of {@code seg}, into {@code dst} {@code width} apart: a whole-vector load where it
     * stays inside the segment (a masked one only at its end) and a store masked to the run.
     * ({@code PixelMajorMain} times this packing.)
     */
    private static void packShortColumns(MemorySegment seg, long at, long stride, int rows, float[] dst, int off, int width, int kc) {
        VectorMask<Float> m = VectorMask.fromLong(F, (1L << rows) - 1);
        long limit = seg.byteSize() - 4L * L;
        int p = 0;
        long src = at;
        for (; p < kc && src <= limit; p++, src += stride) {
            FloatVector.fromMemorySegment(F, seg, src, LE).intoArray(dst, off + p * width, m);
        }
        for (; p < kc; p++, src += stride) {
            FloatVector.fromMemorySegment(F, seg, src, LE, m).intoArray(dst, off + p * width, m);
        }
    }

    private void packInt8(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
        long origin = base + r0 * rs + c0 * cs;
        int mask = kind == Kind.U8 ? 0xFF : -1;
        if (rs == 1 && rows == 2 * L && width == rows) {
            packInt8Vector(dst, off, r0, origin, kc);
        } else if (cs == 1 && rows == PanelTranspose.ROWS && width == rows) {
            // A full A panel of the GEMM from rows contiguous along K: widened and transposed in registers.
            int[] zps = new int[rows];
            for (int i = 0; i < rows; i++) {
                zps[i] = zeroPoint(r0 + i);
            }
            PanelTranspose.sixRowsInt8(seg, origin, rs, kind == Kind.U8, zps, dst, off, kc);
        } else if (rs == 1 && (rows > 1 || cs != 1)) {
            for (int p = 0; p < kc; p++) {
                long src = origin + p * cs;
                int d = off + p * width;
                for (int i = 0; i < rows; i++) {
                    dst[d + i] = (seg.get(ValueLayout.JAVA_BYTE, src + i) & mask) - zeroPoint(r0 + i);
                }
            }
        } else {
            for (int i = 0; i < rows; i++) {
                long src = origin + i * rs;
                int d = off + i;
                int z = zeroPoint(r0 + i);
                for (int p = 0; p < kc; p++) {
                    dst[d + p * width] = (seg.get(ValueLayout.JAVA_BYTE, src + p * cs) & mask) - z;
                }
            }
        }
    }

    /**
     * A full B panel of 8-bit columns: per step of K, one load of {@code 2 L} adjacent bytes, widened
     * (sign or zero) to two int vectors, converted to float and the per-column zero points
     * subtracted.
     */
    private void packInt8Vector(float[] dst, int off, int r0, long origin, int kc) {
        FloatVector z0;
        FloatVector z1;
        if (rowZp == null) {
            z0 = FloatVector.broadcast(F, zp);
            z1 = z0;
        } else {
            z0 = (FloatVector) IntVector.fromArray(I, rowZp, r0).convert(VectorOperators.I2F, 0);
            z1 = (FloatVector) IntVector.fromArray(I, rowZp, r0 + L).convert(VectorOperators.I2F, 0);
        }
        VectorOperators.Conversion<Byte, Integer> widen = kind == Kind.U8 ? VectorOperators.ZERO_EXTEND_B2I : VectorOperators.B2I;
        for (int p = 0; p < kc; p++) {
            ByteVector b = ByteVector.fromMemorySegment(B2, seg, origin + p * cs, LE);
            int d = off + p * 2 * L;
            ((FloatVector) b.convertShape(widen, I, 0).convert(VectorOperators.I2F, 0)).sub(z0).intoArray(dst, d);
            ((FloatVector) b.convertShape(widen, I, 1).convert(VectorOperators.I2F, 0)).sub(z1).intoArray(dst, d + L);
        }
    }
}
