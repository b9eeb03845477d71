package dev.accel.cli;

import dev.accel.benchmarks.BenchRecord;
import dev.accel.benchmarks.ModelPeer;
import dev.accel.graph.Graph;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import dev.accel.runtime.RunResult;
import dev.accel.runtime.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code accel bench models}: whole networks on accel's CPU device against ONNX Runtime's CPU
 * execution provider in the same JVM, same thread count, same seeded inputs. Both are warmed up,
 * one after the other (accel's JIT, ONNX Runtime's arena), and then timed in alternating blocks
 * of {@link #BLOCK} runs, so that a noisy stretch of the machine falls on both; the result per
 * model is each side's median and their speed ratio. (The outputs are not compared here: the light networks of the shared corpus
 * carry constant weights, so that their logits are equal up to rounding and their softmax says
 * nothing; {@code LightModelsTest} in onnx-import checks accel's logits against ONNX Runtime's with
 * random weights.)
 */
final class ModelBench {
    /** The light model-zoo networks of the shared corpus, run when no model is named. */
    static final List<String> LIGHT = List.of("light_resnet50", "light_vgg19", "light_squeezenet", "light_shufflenet",
            "light_bvlc_alexnet");
    /**
     * Least time accel is warmed up for, alone, before the timed rounds: the JIT compiles the
     * kernels of a whole network for seconds (SqueezeNet ran 6-8 ms a run after the 100 runs that
     * accel run's settling rule gave it, 2.5-2.7 ms after 500), and its compiler threads share the
     * cores meanwhile.
     */
    private static final long WARM_ACCEL_NANOS = 8_000_000_000L;
    /** Least time ONNX Runtime is warmed up for, alone, after accel (native code: its arena and threads only). */
    private static final long WARM_PEER_NANOS = 3_000_000_000L;
    /** Fewest warm-up runs of each side. */
    private static final int WARM_RUNS = 20;
    /** Runs of one side in a row per round, the first of them not counted. */
    static final int BLOCK = 4;
    /** Pause before each block, in ms. */
    static final int PAUSE_MS = 50;

    /** One model's result. */
    record Row(String model, double accelMs, double peerMs) {
        /** ONNX Runtime's time over accel's: above 1 when accel is faster. */
        double ratio() {
            return peerMs / accelMs;
        }

        BenchRecord record() {
            return new BenchRecord("model." + model, "ONNX Runtime", accelMs, peerMs, "ms", ratio(), Double.NaN,
                    ">= 1.0x ONNX Runtime", ratio() >= 1.0);
        }
    }

    private ModelBench() {
    }

    /**
     * Measures {@code model} ({@link PlanCommand#load}, free dimensions bound to 1) on {@code cpu}
     * and on ONNX Runtime ({@link ModelPeer}, as many threads): warm-up, then {@code rounds}
     * alternating runs of each.
     *
     * @throws UsageException when the model has an input or output that is not float32 (the peer
     *     binds float32 tensors only)
     */
    static Row measure(Path model, Device cpu, int rounds, Consumer<String> progress) {
        Graph g = PlanCommand.load(model, "");
        for (String name : concat(g.inputs(), g.outputs())) {
            DType t = g.type(name).toTensorType().dtype();
            if (t != DType.F32) {
                throw new UsageException(model.getFileName() + ": tensor '" + name + "' is " + t
                        + "; accel bench models compares float32 models only");
            }
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + model + ": " + e.getMessage(), e);
        }
        Map<String, HostTensor> inputs = RunCommand.inputs(g, 42);
        List<HostTensor> peerOut = new ArrayList<>();
        try (Session s = Session.builder(g).devices(List.of(cpu)).build(); ModelPeer peer = new ModelPeer(bytes)) {
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                peer.input(e.getKey(), e.getValue().segment(), dims(e.getValue().type()));
            }
            for (String o : g.outputs()) {
                TensorType t = g.type(o).toTensorType();
                HostTensor h = HostTensor.allocate(t);
                peerOut.add(h);
                peer.output(o, h.segment(), dims(t));
            }
            Runnable ours = () -> {
                try (RunResult r = s.run(inputs)) {
                    if (r.fellBack()) {
                        throw new IllegalStateException(model.getFileName() + ": the CPU run fell back: " + r.fallbacks());
                    }
                }
            };
            progress.accept(model.getFileName() + ": warming up");
            warm(ours, WARM_ACCEL_NANOS);
            warm(peer::run, WARM_PEER_NANOS);
            progress.accept(model.getFileName() + ": " + rounds + " rounds of " + BLOCK + " runs each, alternating");
            double[] a = new double[rounds * (BLOCK - 1)];
            double[] b = new double[rounds * (BLOCK - 1)];
            for (int i = 0; i < rounds; i++) {
                // Alternate which side goes first, so that neither always runs right after the other.
                if (i % 2 == 0) {
                    block(ours, a, i);
                    block(peer::run, b, i);
                } else {
                    block(peer::run, b, i);
                    block(ours, a, i);
                }
            }
            return new Row(stem(model), median(a), median(b));
        } finally {
            inputs.values().forEach(HostTensor::close);
            peerOut.forEach(HostTensor::close);
        }
    }

    private static void warm(Runnable r, long nanos) {
        long start = System.nanoTime();
        for (int i = 0; i < WARM_RUNS || System.nanoTime() - start < nanos; i++) {
            r.run();
        }
    }

    /**
     * A pause of {@link #PAUSE_MS}, then {@link #BLOCK} runs of {@code r}, the times of all but the
     * first kept at {@code times[round * (BLOCK - 1) ...]}. The pause lets the other side's threads,
     * which spin for a while after their last run (accel's pool for 200 us, ONNX Runtime's for
     * longer), go to sleep: without it accel's SqueezeNet ran 7.1 ms a run here against 2.5-2.7 in
     * accel run.
     */
    private static void block(Runnable r, double[] times, int round) {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between benchmark runs", e);
        }
        for (int i = 0; i < BLOCK; i++) {
            long t0 = System.nanoTime();
            r.run();
            if (i > 0) {
                times[round * (BLOCK - 1) + i - 1] = (System.nanoTime() - t0) / 1e6;
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static long[] dims(TensorType t) {
        return Arrays.stream(t.shape().dims()).asLongStream().toArray();
    }

    private static String stem(Path model) {
        String f = model.getFileName().toString();
        return f.endsWith(".onnx") ? f.substring(0, f.length() - 5) : f;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
