package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;

/**
 * ONNX Runtime (CPU execution provider, every graph optimization, NCHWc layouts included) running a
 * whole float32 model: the peer of {@code accel bench models}. As for the single-operator peers,
 * inputs and outputs are bound once to native segments the caller owns, so {@link #run()} times
 * ONNX Runtime's own work. Not thread-safe; the segments must outlive it.
 */
public final class ModelPeer implements AutoCloseable {
    private final OrtRunner runner;

    /**
     * A session over {@code model} (ONNX bytes) with as many intra-op threads as accel's CPU backend
     * uses ({@link #threads()}), the caller counted as one.
     */
    public ModelPeer(byte[] model) {
        runner = new OrtRunner(model, threads(), OrtLevels.DEFAULT);
    }

    /** The thread count of both sides: the property {@code accel.cpu.threads}, else every core. */
    public static int threads() {
        return CpuParallel.THREADS;
    }

    /** Binds float32 graph input {@code name} of the given shape to {@code seg}. */
    public ModelPeer input(String name, MemorySegment seg, long... shape) {
        runner.input(name, seg, OrtRunner.Elem.F32, shape);
        return this;
    }

    /** Binds float32 graph output {@code name} of the given shape to {@code seg}: ONNX Runtime writes it there. */
    public ModelPeer output(String name, MemorySegment seg, long... shape) {
        runner.output(name, seg, OrtRunner.Elem.F32, shape);
        return this;
    }

    /** Runs the model once. */
    public void run() {
        runner.run();
    }

    @Override
    public void close() {
        runner.close();
    }
}
