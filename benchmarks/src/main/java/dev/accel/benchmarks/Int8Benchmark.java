package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuOps;
import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * Square INT8 GEMM with int32 results, {@code n x n}: MatMulInteger of uint8 A and int8 B with
 * per-tensor zero points (the usual dynamic-quantization pairing), accel against ONNX Runtime's
 * MatMulInteger (zero points as initializers; accel's kernel gets them as constant inputs too, A and B
 * are inputs of both). The suite compares it with accel's own FP32 GEMM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Int8Benchmark {
    @Param({"1024"})
    public int n;

    private Arena arena;
    private MemorySegment y;
    private MemorySegment[] in;
    private MemorySegment[] out;
    private CpuOp accel;
    private OrtRunner ort;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        arena = Arena.ofShared();
        long nn = (long) n * n;
        MemorySegment a = Buffers.bytes(arena, nn, 1);
        MemorySegment b = Buffers.bytes(arena, nn, 2);
        MemorySegment za = Buffers.zeros(arena, 1).fill((byte) 128);
        MemorySegment zb = Buffers.zeros(arena, 1).fill((byte) 3);
        y = Buffers.zeros(arena, nn * 4);
        in = new MemorySegment[] {a, b, za, zb};
        out = new MemorySegment[] {y};
        if (params.getBenchmark().endsWith(".accel")) {
            accel = CpuOps.compile(OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, n, n), TensorType.of(DType.I8, n, n),
                    TensorType.of(DType.U8), TensorType.of(DType.I8)), Map.of(2, za, 3, zb), false);
        } else {
            byte[] model = new OnnxModel("MatMulInteger").input("A", OnnxModel.UINT8, n, n).input("B", OnnxModel.INT8, n, n)
                    .initializer("a_zero_point", OnnxModel.UINT8, new byte[] {(byte) 128})
                    .initializer("b_zero_point", OnnxModel.INT8, new byte[] {3})
                    .output("Y", OnnxModel.INT32, n, n).toBytes();
            ort = new OrtRunner(model, CpuParallel.THREADS, OrtLevels.DEFAULT)
                    .input("A", a, OrtRunner.Elem.U8, n, n).input("B", b, OrtRunner.Elem.I8, n, n)
                    .output("Y", y, OrtRunner.Elem.I32, n, n);
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
        return y;
    }

    @Benchmark
    public MemorySegment ort() {
        ort.run();
        return y;
    }
}
