package dev.accel.backend.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A compiled CPU kernel body: reads the input segments and writes the output segments, laid out as
 * the kernel's spec says (dense, row-major, little-endian). Called on a queue's worker thread; may
 * split work across cores with {@link CpuParallel}. Must be safe to call repeatedly and from
 * different threads one at a time (no mutable state shared between calls, or state guarded).
 */
@FunctionalInterface
public interface CpuOp {
    void run(MemorySegment[] inputs, MemorySegment[] outputs);
}
