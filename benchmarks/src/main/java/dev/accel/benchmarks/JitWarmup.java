package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuOps;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Brings every accel kernel path the suite measures to C2-compiled code before anything is timed.
 * The suite runs JMH in-process (forks 0), so compiled code carries over from one benchmark to the
 * next; but a path first met inside a short benchmark (the INT8 GEMM's epilogue, the wide-row
 * convolution) can spend its whole warm-up in C1 on a busy two-core machine, where the compiler
 * threads compete with the benchmark, and Vector API code in C1 runs tens of times slower. Each
 * path here runs on a small shape, in a loop, for a fixed time.
 */
final class JitWarmup {
    private JitWarmup() {
    }

    /** The specs, one per kernel path: GEMM, INT8 GEMM, skinny FP32 and INT8, every convolution path. */
    static List<OpSpec> specs() {
        return List.of(
                OpSpec.of(new MatMul(), TensorType.of(DType.F32, 192, 256), TensorType.of(DType.F32, 256, 192)),
                OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, 192, 256), TensorType.of(DType.I8, 256, 192),
                        TensorType.of(DType.U8), TensorType.of(DType.I8)),
                OpSpec.of(new MatMul(), TensorType.of(DType.F32, 1, 512), TensorType.of(DType.F32, 512, 512)),
                OpSpec.of(new MatMul(), TensorType.of(DType.F32, 2, 512), TensorType.of(DType.F32, 512, 512)),
                OpSpec.of(new MatMul(), TensorType.of(DType.F32, 8, 512), TensorType.of(DType.F32, 512, 512)),
                OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, 1, 512), TensorType.of(DType.I8, 512, 512)),
                OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, 2, 512), TensorType.of(DType.I8, 512, 512)),
                OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, 8, 512), TensorType.of(DType.I8, 512, 512)),
                conv(new int[] {1, 32, 28, 28}, new int[] {32, 32, 3, 3}, Conv2d.of(1, 1, 1)),
                conv(new int[] {1, 32, 28, 28}, new int[] {32, 32, 3, 3}, Conv2d.of(2, 1, 1)),
                conv(new int[] {1, 64, 7, 7}, new int[] {64, 64, 3, 3}, Conv2d.of(1, 1, 1)),
                conv(new int[] {1, 64, 28, 28}, new int[] {32, 64, 1, 1}, Conv2d.simple()),
                conv(new int[] {1, 3, 56, 56}, new int[] {16, 3, 7, 7}, Conv2d.of(2, 3, 1)),
                conv(new int[] {1, 16, 56, 56}, new int[] {16, 1, 3, 3}, Conv2d.of(1, 1, 16)),
                conv(new int[] {1, 16, 56, 56}, new int[] {16, 1, 3, 3}, Conv2d.of(2, 1, 16)));
    }

    private static OpSpec conv(int[] x, int[] w, Conv2d g) {
        return OpSpec.of(g, TensorType.of(DType.F32, x), TensorType.of(DType.F32, w), TensorType.of(DType.F32, w[0]));
    }

    /** Runs every spec for {@code millisEach} milliseconds. */
    static void run(long millisEach) {
        try (Arena arena = Arena.ofShared()) {
            long seed = 1;
            for (OpSpec spec : specs()) {
                MemorySegment[] in = new MemorySegment[spec.inputs().size()];
                for (int i = 0; i < in.length; i++) {
                    TensorType t = spec.inputs().get(i);
                    in[i] = t.dtype() == DType.F32 ? Buffers.floats(arena, t.numel(), seed++) : Buffers.bytes(arena, t.byteSize(), seed++);
                }
                MemorySegment[] out = {Buffers.zeros(arena, spec.outputs().getFirst().byteSize())};
                CpuOp op = CpuOps.compile(spec, false);
                long end = System.nanoTime() + millisEach * 1_000_000;
                while (System.nanoTime() < end) {
                    op.run(in, out);
                }
            }
        }
    }
}
