package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuOps;
import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
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
 * Square FP32 GEMM {@code C = A B}, {@code n x n}: accel's MatMul kernel against OpenBLAS sgemm,
 * ONNX Runtime MatMul (both operands graph inputs, as for sgemm) and a plain Java loop (i-k-j order,
 * rows split across the same threads), all on the same operands and thread count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark {
    @Param({"512", "1024", "2048"})
    public int n;

    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;
    private MemorySegment[] in;
    private MemorySegment[] out;
    private CpuOp accel;
    private FloatBuffer fa;
    private FloatBuffer fb;
    private FloatBuffer fc;
    private OrtRunner ort;
    private float[] ja;
    private float[] jb;
    private float[] jc;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        arena = Arena.ofShared();
        long nn = (long) n * n;
        a = Buffers.floats(arena, nn, 1);
        b = Buffers.floats(arena, nn, 2);
        c = Buffers.zeros(arena, nn * 4);
        in = new MemorySegment[] {a, b};
        out = new MemorySegment[] {c};
        String method = params.getBenchmark();
        if (method.endsWith(".accel")) {
            accel = CpuOps.compile(OpSpec.of(new MatMul(), TensorType.of(DType.F32, n, n), TensorType.of(DType.F32, n, n)), false);
        } else if (method.endsWith(".openblas")) {
            OpenBlas.threads(CpuParallel.THREADS);
            fa = OpenBlas.floats(a);
            fb = OpenBlas.floats(b);
            fc = OpenBlas.floats(c);
        } else if (method.endsWith(".ort")) {
            byte[] model = new OnnxModel("MatMul").input("A", OnnxModel.FLOAT, n, n).input("B", OnnxModel.FLOAT, n, n)
                    .output("Y", OnnxModel.FLOAT, n, n).toBytes();
            ort = new OrtRunner(model, CpuParallel.THREADS, OrtLevels.DEFAULT)
                    .input("A", a, OrtRunner.Elem.F32, n, n).input("B", b, OrtRunner.Elem.F32, n, n)
                    .output("Y", c, OrtRunner.Elem.F32, n, n);
        } else if (method.endsWith(".javaLoop")) {
            ja = Buffers.toFloats(a);
            jb = Buffers.toFloats(b);
            jc = new float[(int) nn];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (ort != null) {
            ort.close();
            ort = null;
        }
        arena.close();
    }

    @Benchmark
    public MemorySegment accel() {
        accel.run(in, out);
        return c;
    }

    @Benchmark
    public MemorySegment openblas() {
        OpenBlas.sgemm(n, n, n, fa, fb, fc);
        return c;
    }

    @Benchmark
    public MemorySegment ort() {
        ort.run();
        return c;
    }

    @Benchmark
    public float[] javaLoop() {
        JavaLoops.sgemm(n, n, n, ja, jb, jc);
        return jc;
    }

    /** Floating-point operations of one call. */
    static double flops(int n) {
        return 2.0 * n * n * n;
    }
}
