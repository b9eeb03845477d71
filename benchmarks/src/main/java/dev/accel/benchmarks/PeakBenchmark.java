package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/** The peak probes of {@link PeakProbe} on {@link CpuParallel#THREADS} threads, as JMH benchmarks. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeakBenchmark {
    /** FMA steps per thread and call: about 16 ms at this machine's rate, so that thread start-up skew is noise. */
    static final int FMA_STEPS = 1 << 22;
    /** Bytes streamed per read call, and copied per copy call. */
    static final long STREAM_BYTES = 256L << 20;

    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        String method = params.getBenchmark();
        if (method.endsWith(".fma")) {
            return;
        }
        arena = Arena.ofShared();
        long bytes = method.endsWith(".copy") ? STREAM_BYTES / 2 : STREAM_BYTES;
        src = Buffers.zeros(arena, bytes);
        PeakProbe.fill(src);
        if (method.endsWith(".copy")) {
            dst = Buffers.zeros(arena, bytes);
            dst.fill((byte) 1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }

    @Benchmark
    public float fma() {
        return PeakProbe.fma(FMA_STEPS, CpuParallel.THREADS);
    }

    @Benchmark
    public float read() {
        return PeakProbe.read(src, CpuParallel.THREADS);
    }

    @Benchmark
    public MemorySegment copy() {
        PeakProbe.copy(src, dst, CpuParallel.THREADS);
        return dst;
    }
}
