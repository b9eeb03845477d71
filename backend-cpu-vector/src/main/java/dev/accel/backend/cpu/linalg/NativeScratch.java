package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Native memory for the kernels' intermediate results, per thread and reused across calls, so that
 * every segment the CPU kernels read or write with vector loads and stores is native.
 *
 * <p>Why it matters: C2 compiles a vector load or store on a segment from a type profile that lives
 * in the JDK's shared access methods, one profile for every caller in the process. Once any vector
 * load has read a heap segment ({@code MemorySegment.ofArray}), every kernel compiled after that
 * handles both kinds of segment in its inner loops, and the streaming kernels slow down: the skinny
 * FP32 GEMM (1 x 4096 times 4096 x 4096) took 1.3-1.4 ms per call in a fresh JVM and 1.9-2.0 ms
 * after one 3x3 convolution had run its Winograd stages through heap segments, or after a single
 * loop of FloatVector loads from a heap segment anywhere. (It happened again with the 8-bit A panels'
 * transpose, which read a heap segment: in {@code accel bench cpu}, which runs the INT8 GEMM before
 * the convolutions, the depthwise and the few-row 1x1 rows lost 20-40%.) Kernels therefore keep intermediate
 * results here, never in heap segments; {@link MatrixView} and {@link GemmCore.Target} check it.
 */
final class NativeScratch {
    /** What a scratch segment holds; each slot is one growing segment per thread. */
    enum Slot {
        /** Winograd's transformed input. */
        WINOGRAD_INPUT,
        /** Winograd's products. */
        WINOGRAD_PRODUCTS,
        /** Winograd's transformed filter, when the weights were not constants. */
        WINOGRAD_FILTER,
        /** Convolution output rows computed wider than the output. */
        WIDE_ROWS,
        /** A pixel-major convolution's product, positions by channels, before it is transposed into NCHW. */
        PIXEL_MAJOR,
        /** int32 accumulators of an 8-bit product before requantization. */
        INT_ACCUMULATORS,
        /** A depthwise input plane at either end of its tensor, with a vector of slack either side. */
        DEPTHWISE_PLANE,
        /** The input of a strided 1x1 convolution, subsampled ({@link StridedPointwise}). */
        SUBSAMPLED
    }

    private static final int ALIGNMENT = 64;
    private static final ThreadLocal<MemorySegment[]> SLOTS = ThreadLocal.withInitial(() -> new MemorySegment[Slot.values().length]);

    private NativeScratch() {
    }

    /**
     * The calling thread's segment for {@code slot}, at least {@code bytes} long (exactly that long
     * as returned), its contents left from the last use. Grows by allocating anew; the old segment
     * is freed by the garbage collector ({@link Arena#ofAuto}), as is the last one when its thread
     * ends.
     */
    static MemorySegment get(Slot slot, long bytes) {
        MemorySegment[] slots = SLOTS.get();
        MemorySegment s = slots[slot.ordinal()];
        if (s == null || s.byteSize() < bytes) {
            s = Arena.ofAuto().allocate(Math.max(ALIGNMENT, bytes), ALIGNMENT);
            slots[slot.ordinal()] = s;
        }
        return s.asSlice(0, bytes);
    }

    /** As {@link #get}, zero-filled. */
    static MemorySegment zeroed(Slot slot, long bytes) {
        MemorySegment s = get(slot, bytes);
        s.fill((byte) 0);
        return s;
    }

    /** A native copy of {@code values}, owned by the garbage collector (for data kept with a compiled kernel). */
    static MemorySegment copyOf(float[] values) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(ALIGNMENT, 4L * values.length), ALIGNMENT);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s.asSlice(0, 4L * values.length);
    }

    /** Throws unless {@code seg} is native: the kernels' rule above. */
    static MemorySegment requireNative(MemorySegment seg) {
        if (!seg.isNative()) {
            throw new IllegalArgumentException("CPU kernels take native segments only (a heap segment's vector accesses slow "
                    + "every kernel in the process, see NativeScratch); copy the data into native memory first");
        }
        return seg;
    }
}
