package dev.accel.benchmarks;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One ONNX Runtime (CPU execution provider) session over a one-node model, with its input and output
 * tensors bound once to native segments the benchmark owns: {@link #run()} moves no data in or out
 * of Java, so what is timed is ONNX Runtime's own work (graph execution, kernel, threads). The
 * session uses {@code threads} intra-op threads (the caller counts as one, as ONNX Runtime's pool
 * does), one inter-op thread, sequential execution and the given graph optimization level.
 *
 * <p>The segments must outlive the runner. Not thread-safe. {@link #close()} is idempotent.
 */
final class OrtRunner implements AutoCloseable {
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> outputs = new LinkedHashMap<>();
    private boolean closed;

    /** Element type of a bound tensor. */
    enum Elem {
        F32, U8, I8, I32
    }

    OrtRunner(byte[] model, int threads, OrtSession.SessionOptions.OptLevel level) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try {
            options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(level);
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load the benchmark model: " + e.getMessage(), e);
        }
    }

    /** Binds graph input {@code name} to {@code seg}, read as {@code elem} of the given shape. */
    OrtRunner input(String name, MemorySegment seg, Elem elem, long... shape) {
        inputs.put(name, tensor(seg, elem, shape));
        return this;
    }

    /** Binds graph output {@code name} to {@code seg}: ONNX Runtime writes the result there. */
    OrtRunner output(String name, MemorySegment seg, Elem elem, long... shape) {
        outputs.put(name, tensor(seg, elem, shape));
        return this;
    }

    /** Runs the model once. */
    void run() {
        try (OrtSession.Result r = session.run(inputs, outputs)) {
            if (r.size() != outputs.size()) {
                throw new IllegalStateException("ONNX Runtime returned " + r.size() + " outputs, expected " + outputs.size());
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
        }
    }

    private static OnnxTensor tensor(MemorySegment seg, Elem elem, long[] shape) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        var bb = seg.asByteBuffer().order(ByteOrder.nativeOrder());
        if (!bb.isDirect()) {
            throw new IllegalArgumentException("ONNX Runtime binding needs a native segment, got a heap segment");
        }
        try {
            return switch (elem) {
                case F32 -> OnnxTensor.createTensor(env, bb.asFloatBuffer(), shape);
                case I32 -> OnnxTensor.createTensor(env, bb.asIntBuffer(), shape);
                case U8 -> OnnxTensor.createTensor(env, bb, shape, OnnxJavaType.UINT8);
                case I8 -> OnnxTensor.createTensor(env, bb, shape, OnnxJavaType.INT8);
            };
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not wrap a " + elem + " tensor: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inputs.values().forEach(OnnxTensor::close);
        outputs.values().forEach(OnnxTensor::close);
        try {
            session.close();
            options.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }
}
