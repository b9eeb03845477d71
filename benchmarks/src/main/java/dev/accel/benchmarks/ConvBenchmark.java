package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuOps;
import dev.accel.backend.cpu.CpuParallel;
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
 * One convolution layer ({@link ConvLayer}, batch 1, FP32, with bias): accel's Conv kernel against
 * ONNX Runtime's Conv on a one-node model whose weights and bias are initializers (as in a real
 * model, so ONNX Runtime may pre-pack them). accel's kernel is likewise compiled with the weights
 * and bias as constant inputs (what {@code Device.prepare(spec, constants)} does), so it packs them
 * once; each call still takes X in NCHW and writes Y in NCHW. {@code ortLayout} runs ONNX Runtime at its default
 * optimization level (all, which may move the node into its blocked NCHWc layout with reorders
 * around it); {@code ort} at the extended level (plain NCHW kernels). The suite takes the faster of
 * the two as the peer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConvBenchmark {
    private static final String CONV3X3 = "accel.cpu.conv3x3";

    @Param({"resnet50.res2.3x3.64"})
    public String layer;

    /** Whether accel's kernel gets W and B as constants (packed once); false measures packing them per call. */
    @Param({"true"})
    public boolean prepared;

    /**
     * How accel computes a 3x3 stride-1 convolution: {@code auto} (its own rule), {@code im2col} or
     * {@code winograd} (F(2x2, 3x3) wherever it applies), through the system property
     * {@code accel.cpu.conv3x3}, which the kernel reads when it is compiled (set around the compile
     * only, then restored).
     */
    @Param({"auto"})
    public String conv3x3;

    private Arena arena;
    private MemorySegment y;
    private MemorySegment[] in;
    private MemorySegment[] out;
    private CpuOp accel;
    private OrtRunner ort;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        ConvLayer l = ConvLayer.named(layer);
        arena = Arena.ofShared();
        MemorySegment x = Buffers.floats(arena, l.c() * (long) l.h() * l.w(), 1);
        MemorySegment w = Buffers.floats(arena, l.m() * (long) (l.c() / l.groups()) * l.k() * l.k(), 2);
        MemorySegment b = Buffers.floats(arena, l.m(), 3);
        y = Buffers.zeros(arena, 4L * l.m() * l.oh() * l.ow());
        in = new MemorySegment[] {x, w, b};
        out = new MemorySegment[] {y};
        String method = params.getBenchmark();
        if (method.endsWith(".accel")) {
            String before = System.getProperty(CONV3X3);
            System.setProperty(CONV3X3, conv3x3);
            try {
                accel = CpuOps.compile(l.spec(), prepared ? Map.of(1, w, 2, b) : Map.of(), false);
            } finally {
                if (before == null) {
                    System.clearProperty(CONV3X3);
                } else {
                    System.setProperty(CONV3X3, before);
                }
            }
        } else {
            var level = method.endsWith(".ortLayout") ? OrtLevels.DEFAULT : OrtLevels.NCHW;
            ort = new OrtRunner(l.onnx(Buffers.toFloats(w), Buffers.toFloats(b)), CpuParallel.THREADS, level)
                    .input("X", x, OrtRunner.Elem.F32, l.xShape())
                    .output("Y", y, OrtRunner.Elem.F32, l.yShape());
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

    @Benchmark
    public MemorySegment ortLayout() {
        ort.run();
        return y;
    }
}
