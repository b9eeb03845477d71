package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuOps;
import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Skinny GEMM, the decoder case: {@code [m, K] x [K, N]} with K = N = 4096 and m from 1 to 8,
 * bound by streaming the weights B. FP32 (B is 64 MiB) by accel and by OpenBLAS (sgemv for one
 * row, as a BLAS user would call it, sgemm otherwise); INT8
 * (MatMulInteger, uint8 activations, int8 weights, 16 MiB) by accel.
 *
 * <p>Each call uses the next of several copies of B, together at least {@link #ROTATION_BYTES}, so
 * that every call streams its weights from memory as a model larger than the caches does, not from
 * the 32 MiB L3 where a single 16 MiB INT8 matrix would stay.
 *
 * <p>{@code prepared} (default true): accel gets B as a constant, as a model's weights are, and
 * packs it once per copy when the kernel is compiled ({@code Device.prepare(spec, constants)}), into
 * strips that a core streams in memory order; {@code -p prepared=false} reads B as it lies in
 * memory, row-major, at run time. OpenBLAS always reads the row-major B.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SkinnyBenchmark {
    static final int K = 4096;
    static final int N = 4096;
    static final long ROTATION_BYTES = 128L << 20;

    @Param({"1"})
    public int m;

    @Param({"true"})
    public boolean prepared;

    private Arena arena;
    private MemorySegment[][] ins;
    private MemorySegment[] out;
    private FloatBuffer fa;
    private FloatBuffer[] fbs;
    private FloatBuffer fc;
    private CpuOp[] accel;
    private int next;

    /**
     * The operands a skinny product rotates through: A, copies of B that together span at least
     * {@link #ROTATION_BYTES} ({@code ins[i] = {A, B_i}}), and the output.
     */
    static final class Operands {
        final int m;
        final boolean int8;
        final MemorySegment[][] ins;
        final MemorySegment[] out;

        Operands(Arena arena, int m, boolean int8) {
            this.m = m;
            this.int8 = int8;
            long bBytes = bytesOfB(int8);
            int copies = (int) Math.max(2, (ROTATION_BYTES + bBytes - 1) / bBytes);
            MemorySegment a = int8 ? Buffers.bytes(arena, (long) m * K, 1) : Buffers.floats(arena, (long) m * K, 1);
            out = new MemorySegment[] {Buffers.zeros(arena, 4L * m * N)};
            ins = new MemorySegment[copies][];
            for (int i = 0; i < copies; i++) {
                MemorySegment b = int8 ? Buffers.bytes(arena, (long) K * N, 2 + i) : Buffers.floats(arena, (long) K * N, 2 + i);
                ins[i] = new MemorySegment[] {a, b};
            }
        }

        /** Bytes of one B. */
        static long bytesOfB(boolean int8) {
            return (long) K * N * (int8 ? 1 : 4);
        }

        /** accel's kernel for each copy of B (FP32 MatMul or uint8 x int8 MatMulInteger), B a constant when {@code prepared}. */
        CpuOp[] compile(boolean prepared) {
            OpSpec spec = int8 ? OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, m, K), TensorType.of(DType.I8, K, N))
                    : OpSpec.of(new MatMul(), TensorType.of(DType.F32, m, K), TensorType.of(DType.F32, K, N));
            CpuOp[] ops = new CpuOp[ins.length];
            for (int i = 0; i < ins.length; i++) {
                ops[i] = CpuOps.compile(spec, prepared ? Map.of(1, ins[i][1]) : Map.of(), false);
            }
            return ops;
        }
    }

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        arena = Arena.ofShared();
        String method = params.getBenchmark();
        Operands ops = new Operands(arena, m, method.endsWith(".accelInt8"));
        ins = ops.ins;
        out = ops.out;
        if (method.endsWith(".openblas")) {
            OpenBlas.threads(CpuParallel.THREADS);
            fbs = new FloatBuffer[ins.length];
            for (int i = 0; i < ins.length; i++) {
                fbs[i] = OpenBlas.floats(ins[i][1]);
            }
            fa = OpenBlas.floats(ins[0][0]);
            fc = OpenBlas.floats(out[0]);
        } else {
            accel = ops.compile(prepared);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment accelF32() {
        int i = next;
        next = (next + 1) % ins.length;
        accel[i].run(ins[i], out);
        return out[0];
    }

    @Benchmark
    public MemorySegment accelInt8() {
        int i = next;
        next = (next + 1) % ins.length;
        accel[i].run(ins[i], out);
        return out[0];
    }

    @Benchmark
    public MemorySegment openblas() {
        FloatBuffer b = fbs[next];
        next = (next + 1) % fbs.length;
        if (m == 1) {
            OpenBlas.sgemvRow(N, K, fa, b, fc);
        } else {
            OpenBlas.sgemm(m, N, K, fa, b, fc);
        }
        return out[0];
    }
}
