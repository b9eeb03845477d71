package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared pieces of the kernels: the vector species, little-endian element access on segments, and
 * the split of flat element ranges across cores. Indices are in elements unless a name says bytes.
 */
final class Vec {
    /** The preferred float species of this processor. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Float lanes per vector. */
    static final int L = F.length();
    /** Int lanes of the float species' shape (as many as {@link #L}). */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** A byte species with at least {@link #L} lanes (64 bits at least, as the API requires). */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /** The first {@link #L} lanes of {@link #B}: the lanes that hold one float vector's worth of bytes. */
    static final VectorMask<Byte> B_LANES = B.indexInRange(0, L);
    /** Whether {@link #B} has exactly {@link #L} lanes, so byte loads and stores need no mask. */
    static final boolean B_EXACT = B.length() == L;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    /** Elements per parallel block; a chunk of work is a whole number of blocks (so vector tails stay at the end). */
    static final int BLOCK = 8192;
    /** Blocks a core takes at least: below this much work the loop runs on the calling thread. */
    static final int GRAIN_BLOCKS = 8;

    private Vec() {
    }

    static float get(MemorySegment s, long i) {
        return s.getAtIndex(FLOAT, i);
    }

    static void set(MemorySegment s, long i, float v) {
        s.setAtIndex(FLOAT, i, v);
    }

    static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(F, s, i * 4, LE);
    }

    static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, i * 4, LE);
    }

    static FloatVector load(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(F, s, i * 4, LE, m);
    }

    static void store(FloatVector v, MemorySegment s, long i, VectorMask<Float> m) {
        v.intoMemorySegment(s, i * 4, LE, m);
    }

    /** {@link #L} bytes at byte index {@code i}, as the first lanes of a {@link #B} vector. */
    static ByteVector loadBytes(MemorySegment s, long i) {
        return B_EXACT ? ByteVector.fromMemorySegment(B, s, i, LE) : ByteVector.fromMemorySegment(B, s, i, LE, B_LANES);
    }

    /** Stores the first {@link #L} lanes of {@code v} at byte index {@code i}. */
    static void storeBytes(ByteVector v, MemorySegment s, long i) {
        if (B_EXACT) {
            v.intoMemorySegment(s, i, LE);
        } else {
            v.intoMemorySegment(s, i, LE, B_LANES);
        }
    }

    /** Sum of {@code n} floats from {@code off}, vector lanes then a scalar tail. */
    static float sum(MemorySegment s, long off, long n) {
        FloatVector acc = FloatVector.zero(F);
        long i = 0;
        for (long ub = F.loopBound(n); i < ub; i += L) {
            acc = acc.add(load(s, off + i));
        }
        float r = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            r += get(s, off + i);
        }
        return r;
    }

    /** Sum of {@code n} floats from {@code off}, in order, one at a time. */
    static float sumScalar(MemorySegment s, long off, long n) {
        float r = 0;
        for (long i = 0; i < n; i++) {
            r += get(s, off + i);
        }
        return r;
    }

    /** A loop body over element range {@code [from, to)}. */
    @FunctionalInterface
    interface LongRange {
        void run(long from, long to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split across cores in whole blocks of {@link #BLOCK}
     * elements; small ranges run on the calling thread.
     */
    static void forBlocks(long n, LongRange body) {
        forBlocks(n, GRAIN_BLOCKS, body);
    }

    /** As {@link #forBlocks(long, LongRange)}, with a given minimum number of blocks per core. */
    static void forBlocks(long n, int grainBlocks, LongRange body) {
        if (n <= 0) {
            return;
        }
        long blocks = (n + BLOCK - 1) / BLOCK;
        if (blocks > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("tensor of " + n + " elements is larger than the cpu kernels allow ("
                    + ((long) Integer.MAX_VALUE * BLOCK) + ")");
        }
        CpuParallel.forRange((int) blocks, grainBlocks,
                (f, t) -> body.run((long) f * BLOCK, Math.min(n, (long) t * BLOCK)));
    }

    /** Runs {@code body} over {@code [0, n)} items of roughly {@code itemCost} elements each, split across cores. */
    static void forItems(long n, long itemCost, LongRange body) {
        if (n <= 0) {
            return;
        }
        if (n > Integer.MAX_VALUE) {
            throw new InvalidArgumentException(n + " work items exceed what the cpu kernels allow (" + Integer.MAX_VALUE + ")");
        }
        int grain = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (long) BLOCK * GRAIN_BLOCKS / Math.max(1, itemCost)));
        CpuParallel.forRange((int) n, grain, (f, t) -> body.run(f, t));
    }

    /** A body over a run of {@code len} elements from {@code off} that share channel {@code c}. */
    @FunctionalInterface
    interface ChannelRun {
        void run(long off, int c, long len);
    }

    /**
     * Walks elements {@code [from, to)} of a tensor viewed as {@code [outer, channels, inner]} in runs
     * that stay within one channel.
     */
    static void forChannelRuns(long inner, long channels, long from, long to, ChannelRun body) {
        long pos = from;
        while (pos < to) {
            long len = Math.min(inner - pos % inner, to - pos);
            body.run(pos, (int) ((pos / inner) % channels), len);
            pos += len;
        }
    }

    /** Checks that an arithmetic kernel sees float32 (CpuOps widens half types before calling it). */
    static void requireF32(OpSpec spec, TensorType t, String what) {
        if (t.dtype() != DType.F32) {
            throw new UnsupportedOpException("cpu kernel " + spec.op().name() + ": " + what + " is " + t
                    + ", the kernel takes float32 (half types are widened by CpuOps before this kernel runs)");
        }
    }
}
