package dev.accel.benchmarks;

import ai.onnxruntime.OrtEnvironment;
import dev.accel.backend.cpu.CpuParallel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import jdk.incubator.vector.FloatVector;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The CPU suite behind {@code accel bench cpu}: runs the JMH benchmarks of this module in-process
 * (JMH's Runner API with forks 0, so that the command needs no second JVM and its class path) and
 * pairs each accel result with its peer measured right after it in the same JVM at the same thread
 * count ({@link CpuParallel#THREADS}; OpenBLAS and ONNX Runtime are set to it).
 *
 * <p>Each benchmark runs warm-up iterations and then measurement iterations of a fixed duration;
 * the result of a benchmark is the median of its measurement iterations' average time per call,
 * which a few iterations disturbed by other processes on a shared machine do not move. Rates are
 * derived from the median time and the case's operation or byte count. The peak probes run at the
 * start and again at the end, and take the fastest iteration of either: a physical limit is the best
 * the machine showed. Before anything is timed, {@link JitWarmup} brings every accel kernel path to
 * compiled code.
 *
 * <p>{@code quick} measures a representative subset with short iterations (about a minute); the
 * full run measures every size and layer (a few minutes).
 */
public final class CpuSuite {
    private final boolean quick;
    private final Consumer<String> progress;
    private final int threads = CpuParallel.THREADS;
    private final List<Row> rows = new ArrayList<>();
    private double fmaPeak = Double.NaN;
    private double readBandwidth = Double.NaN;
    private double copyBandwidth = Double.NaN;
    private int step;
    private int steps;

    /**
     * A suite run.
     *
     * @param quick the subset with short iterations
     * @param progress receives one line per benchmark group as it starts
     */
    public CpuSuite(boolean quick, Consumer<String> progress) {
        this.quick = quick;
        this.progress = progress;
    }

    private List<Integer> gemmSizes() {
        return List.of(512, 1024, 2048);
    }

    private List<Integer> int8Sizes() {
        return quick ? List.of(1024) : List.of(512, 1024, 2048);
    }

    private List<Integer> skinnyRows() {
        return quick ? List.of(1, 8) : List.of(1, 2, 4, 8);
    }

    private List<ConvLayer> layers() {
        return ConvLayer.ALL.stream().filter(l -> !quick || l.quick()).toList();
    }

    /** Runs the suite and returns its report. */
    public CpuReport run() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("cpu", cpuName());
        facts.put("processors", String.valueOf(Runtime.getRuntime().availableProcessors()));
        facts.put("threads", String.valueOf(threads));
        facts.put("vector", "FloatVector " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
        facts.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        facts.put("mode", quick ? "quick" : "full");
        facts.put("harness", "JMH 1.37 in-process (forks 0), average time per call, median of " + iterations()
                + " measurement iterations of " + iterationMillis() + " ms after " + warmups() + " warm-up iterations");
        facts.put("load average at start", loadAverage());
        steps = 3 + gemmSizes().size() + int8Sizes().size() + skinnyRows().size() + layers().size() + 1;

        announce("JIT warm-up: every accel kernel path on small shapes");
        JitWarmup.run(quick ? 400 : 800);
        peaks(false);
        for (int n : gemmSizes()) {
            gemm(n);
        }
        for (int n : int8Sizes()) {
            int8(n);
        }
        for (int m : skinnyRows()) {
            skinny(m);
        }
        for (ConvLayer l : layers()) {
            conv(l);
        }
        dispatch();
        peaks(true);

        facts.put("OpenBLAS", "org.bytedeco:openblas 0.3.31-1.5.13, kernels " + OpenBlas.coreName() + ", "
                + OpenBlas.threads() + " threads");
        facts.put("ONNX Runtime", OrtEnvironment.getEnvironment().getVersion() + " CPU, " + threads
                + " intra-op threads, sequential");
        facts.put("load average at end", loadAverage());
        List<BenchRecord> records = new ArrayList<>();
        records.add(new BenchRecord("peak.fp32-fma", "-", fmaPeak, Double.NaN, "GFLOP/s", Double.NaN, 1.0, "", true));
        records.add(new BenchRecord("peak.memory-read", "-", readBandwidth, Double.NaN, "GB/s", Double.NaN, 1.0, "", true));
        records.add(new BenchRecord("peak.memory-copy", "-", copyBandwidth, Double.NaN, "GB/s", Double.NaN,
                copyBandwidth / readBandwidth, "", true));
        for (Row r : rows) {
            records.add(r.record(fmaPeak, readBandwidth));
        }
        return new CpuReport(records, facts);
    }

    /**
     * Measures the peaks. Called at the start and again at the end of the run: a limit is the best
     * the machine showed, so each peak is the better of the two (on a shared machine, other work
     * during one of them would otherwise make every fraction of peak too high).
     */
    private void peaks(boolean atEnd) {
        announce(atEnd ? "peak probes again, keeping the better"
                : "peak probes: FP32 FMA rate, memory read and copy bandwidth");
        // The fastest measurement iteration, not the median.
        Map<String, Double> t = measure(PeakBenchmark.class, "fma|read|copy", Map.of(), true);
        fmaPeak = Math.max(nanToZero(fmaPeak), PeakProbe.fmaFlops(PeakBenchmark.FMA_STEPS, threads) / micros(t, "fma") * 1e-3);
        readBandwidth = Math.max(nanToZero(readBandwidth), PeakBenchmark.STREAM_BYTES / micros(t, "read") * 1e-3);
        copyBandwidth = Math.max(nanToZero(copyBandwidth), PeakBenchmark.STREAM_BYTES / micros(t, "copy") * 1e-3);
    }

    private static double nanToZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private void gemm(int n) {
        boolean loop = n == 512;
        announce("FP32 GEMM n=" + n + ": accel, OpenBLAS, ONNX Runtime" + (loop ? ", Java loop" : ""));
        Map<String, Double> t = measure(GemmBenchmark.class, loop ? "accel|openblas|ort|javaLoop" : "accel|openblas|ort",
                Map.of("n", String.valueOf(n)));
        double flops = GemmBenchmark.flops(n);
        double ours = rate(flops, t, "accel");
        String name = "gemm.f32.n" + n;
        rows.add(new Row(name, "OpenBLAS sgemm", ours, rate(flops, t, "openblas"), "GFLOP/s", Peak.FMA, ours,
                ">= 1.0x OpenBLAS and >= 70% of peak", (ratio, frac) -> ratio >= 1.0 && frac >= 0.70));
        rows.add(new Row(name, "ONNX Runtime MatMul", ours, rate(flops, t, "ort"), "GFLOP/s", Peak.FMA, ours,
                ">= 1.0x ONNX Runtime", (ratio, frac) -> ratio >= 1.0));
        if (loop) {
            rows.add(new Row(name, "Java i-k-j loop", ours, rate(flops, t, "javaLoop"), "GFLOP/s", Peak.FMA, ours, "", null));
        }
    }

    private void int8(int n) {
        announce("INT8 GEMM n=" + n + ": accel, ONNX Runtime MatMulInteger");
        Map<String, Double> t = measure(Int8Benchmark.class, "accel|ort", Map.of("n", String.valueOf(n)));
        double ops = GemmBenchmark.flops(n);
        double ours = rate(ops, t, "accel");
        double f32 = rows.stream().filter(r -> r.name().equals("gemm.f32.n" + n)).findFirst().map(Row::ours).orElse(Double.NaN);
        String name = "gemm.int8.n" + n;
        rows.add(new Row(name, "accel FP32 GEMM", ours, f32, "GOP/s", Peak.FMA, ours, ">= 1.0x our FP32 GEMM",
                (ratio, frac) -> ratio >= 1.0));
        rows.add(new Row(name, "ONNX Runtime MatMulInteger", ours, rate(ops, t, "ort"), "GOP/s", Peak.FMA, ours, "", null));
    }

    private void skinny(int m) {
        announce("skinny GEMM M=" + m + " K=N=4096: accel FP32, accel INT8, OpenBLAS");
        Map<String, Double> t = measure(SkinnyBenchmark.class, "accelF32|accelInt8|openblas", Map.of("m", String.valueOf(m)));
        double kn = (double) SkinnyBenchmark.K * SkinnyBenchmark.N;
        double f32Bytes = 4 * kn;
        double ours = rate(f32Bytes, t, "accelF32");
        rows.add(new Row("skinny.f32.m" + m, m == 1 ? "OpenBLAS sgemv" : "OpenBLAS sgemm", ours, rate(f32Bytes, t, "openblas"), "GB/s",
                Peak.MEMORY, ours, ">= 70% of memory bandwidth", (ratio, frac) -> frac >= 0.70));
        double ops = 2 * m * kn;
        // Its fraction of peak: the bytes of B it streams per second, against the memory bandwidth.
        rows.add(new Row("skinny.int8.m" + m, "accel FP32 skinny", rate(ops, t, "accelInt8"), rate(ops, t, "accelF32"), "GOP/s",
                Peak.MEMORY, rate(kn, t, "accelInt8"), ">= 2.5x our FP32 skinny", (ratio, frac) -> ratio >= 2.5));
    }

    private void conv(ConvLayer l) {
        announce("conv " + l.name() + ": accel, ONNX Runtime (NCHW and NCHWc layouts)");
        Map<String, Double> t = measure(ConvBenchmark.class, "accel|ort|ortLayout", Map.of("layer", l.name()));
        double ours = rate(l.flops(), t, "accel");
        double nchw = rate(l.flops(), t, "ort");
        double blocked = rate(l.flops(), t, "ortLayout");
        String peerName = nchw >= blocked ? "ONNX Runtime Conv (NCHW)" : "ONNX Runtime Conv (NCHWc)";
        rows.add(new Row("conv." + l.name(), peerName, ours, Math.max(nchw, blocked), "GFLOP/s", Peak.FMA, ours,
                ">= 1.0x ONNX Runtime", (ratio, frac) -> ratio >= 1.0));
    }

    private void dispatch() {
        announce("dispatch: one-element Add on a CPU queue, awaited; ONNX Runtime one-element Add");
        Map<String, Double> t = measure(DispatchBenchmark.class, "accel|ort", Map.of());
        double ours = t.get("accel") * 1e-3;
        rows.add(new Row("dispatch.add1", "ONNX Runtime Add", ours, t.get("ort") * 1e-3, "us", null, Double.NaN, "<= 2 us",
                (ratio, frac) -> ours <= 2.0));
    }

    /** Which measured limit a row is a fraction of. */
    private enum Peak {
        FMA, MEMORY
    }

    /** A goal's test, given the row's speed ratio and fraction of peak. */
    @FunctionalInterface
    private interface Goal {
        boolean met(double ratio, double fraction);
    }

    /**
     * A measured row, turned into a {@link BenchRecord} at the end, once the peaks are final.
     *
     * @param peak the limit {@code peakValue} is compared with, or null for none
     * @param peakValue the quantity compared with the peak, in GFLOP/s or GB/s
     * @param test the goal's test, or null without a goal
     */
    private record Row(String name, String peerName, double ours, double peer, String unit, Peak peak, double peakValue,
                       String goal, Goal test) {
        BenchRecord record(double fma, double memory) {
            double ratio = BenchRecord.speedRatio(ours, peer, unit);
            double frac = peak == null ? Double.NaN : peakValue / (peak == Peak.FMA ? fma : memory);
            return new BenchRecord(name, peerName, ours, peer, unit, ratio, frac, goal, test == null || test.met(ratio, frac));
        }
    }

    private void announce(String what) {
        progress.accept(String.format("[%d/%d] %s", ++step, steps, what));
    }

    private int warmups() {
        return quick ? 2 : 3;
    }

    private int iterations() {
        return quick ? 5 : 7;
    }

    private int iterationMillis() {
        return quick ? 100 : 200;
    }

    /**
     * Runs the methods of {@code benchmark} matching {@code methods} (a regex alternation) with the
     * given parameters; returns the median time per call, in the benchmark's output unit, by
     * method name.
     */
    private Map<String, Double> measure(Class<?> benchmark, String methods, Map<String, String> params) {
        return measure(benchmark, methods, params, false);
    }

    /** As above; {@code best} returns the fastest iteration instead of the median (for the peak probes). */
    private Map<String, Double> measure(Class<?> benchmark, String methods, Map<String, String> params, boolean best) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.(" + methods + ")$")
                .forks(0)
                .threads(1)
                .warmupIterations(warmups())
                .warmupTime(TimeValue.milliseconds(iterationMillis()))
                .measurementIterations(iterations())
                .measurementTime(TimeValue.milliseconds(iterationMillis()))
                .shouldFailOnError(true);
        params.forEach(b::param);
        Collection<RunResult> results;
        try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream())) {
            results = new Runner(b.build(), OutputFormatFactory.createFormatInstance(sink, VerboseMode.SILENT)).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed on " + benchmark.getSimpleName() + " " + params + ": " + e.getMessage(), e);
        }
        Map<String, Double> medians = new HashMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            List<Double> scores = new ArrayList<>();
            r.getBenchmarkResults().forEach(br -> {
                for (IterationResult it : br.getIterationResults()) {
                    scores.add(it.getPrimaryResult().getScore());
                }
            });
            medians.put(full.substring(full.lastIndexOf('.') + 1),
                    best ? scores.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN) : median(scores));
        }
        for (String m : methods.split("\\|")) {
            if (!medians.containsKey(m)) {
                throw new IllegalStateException("JMH returned no result for " + benchmark.getSimpleName() + "." + m + " " + params);
            }
        }
        return medians;
    }

    /** Time in microseconds of method {@code m}, from a result map in microseconds. */
    private static double micros(Map<String, Double> t, String m) {
        return t.get(m);
    }

    /** Giga-units per second for {@code units} per call, from a time per call in microseconds. */
    private static double rate(double units, Map<String, Double> t, String m) {
        return units / t.get(m) * 1e-3;
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = v.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
