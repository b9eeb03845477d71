package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
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

/**
 * Dispatch latency: one one-element Add, dispatched on a CPU queue of the device found through
 * {@link Backends} and awaited, end to end as an application sees it; against ONNX Runtime running a
 * one-element Add model.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBenchmark {
    private Device device;
    private Queue queue;
    private Kernel kernel;
    private List<DeviceBuffer> inputs;
    private List<DeviceBuffer> outputs;
    private Arena arena;
    private OrtRunner ort;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        if (params.getBenchmark().endsWith(".accel")) {
            Backend cpu = Backends.discover(DispatchBenchmark.class.getClassLoader()).stream()
                    .filter(b -> b.id().equals("cpu")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no cpu backend on the class path"));
            device = cpu.open().getFirst();
            TensorType t = TensorType.of(DType.F32, 1);
            kernel = device.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), t, t));
            queue = device.newQueue();
            inputs = List.of(device.allocate(t), device.allocate(t));
            outputs = List.of(device.allocate(t));
        } else {
            arena = Arena.ofShared();
            byte[] model = new OnnxModel("Add").input("A", OnnxModel.FLOAT, 1).input("B", OnnxModel.FLOAT, 1)
                    .output("Y", OnnxModel.FLOAT, 1).toBytes();
            ort = new OrtRunner(model, CpuParallel.THREADS, OrtLevels.DEFAULT)
                    .input("A", Buffers.floats(arena, 1, 1), OrtRunner.Elem.F32, 1)
                    .input("B", Buffers.floats(arena, 1, 2), OrtRunner.Elem.F32, 1)
                    .output("Y", Buffers.zeros(arena, 4), OrtRunner.Elem.F32, 1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (device != null) {
            device.close();
            device = null;
        }
        if (ort != null) {
            ort.close();
            ort = null;
            arena.close();
        }
    }

    @Benchmark
    public void accel() {
        queue.dispatch(kernel, inputs, outputs).await();
    }

    @Benchmark
    public void ort() {
        ort.run();
    }
}
