package dev.accel.runtime;

import dev.accel.graph.Analysis;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.KernelOp;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.Support;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import dev.accel.partitioner.CostModel;
import dev.accel.partitioner.KernelClass;
import dev.accel.partitioner.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures a device's {@link DeviceProfile} with micro-benchmarks, through hal-api only: dispatch
 * latency (a tiny Relu, dispatched back to back as kernels follow each other inside a run), peak
 * arithmetic per dtype the device runs (a square MatMul in float32 and float16, a QLinearMatMul in
 * int8), memory bandwidth (a large Add), host link bandwidth and latency (large and tiny writes and
 * reads), and, per {@link KernelClass}, the fraction of that roofline a representative kernel of
 * the class attains (a 3x3, a 1x1 and a depthwise convolution, pooling, normalisation and
 * elementwise ops at the activation sizes of small CNNs and transformer blocks). After a warm-up
 * long enough for a JIT-compiled backend (at least 200 ms per kernel), the roofline's own figures
 * take the fastest of several runs (the device's capability, least disturbed by other work on a
 * shared machine) and each class's efficiency the median (what a kernel typically gets). What the device
 * does not run (no float32 on an NPU) is left out, as the declared profile does. Takes a few
 * seconds per device.
 */
public final class Calibrator {
    private static final int REPEAT = 5;
    /** Dispatches queued back to back per timing of a small kernel. */
    private static final int BATCH = 8;
    /** For {@link #time}: {@link #BATCH} when a warm dispatch takes under a millisecond, else 1. */
    static final int AUTO_BATCH = -1;

    private final int matmulSize;
    private final int elements;
    private final long warmupNanos;

    /** The default sizes: MatMul 384 x 384, Add of 2^21 elements, 8 MiB transfers; a warm-up of 1 s per kernel. */
    public Calibrator() {
        this(384, 1 << 21, 1_000_000_000L);
    }

    /**
     * @param matmulSize the square MatMul that measures the peaks
     * @param elements the Add that measures memory bandwidth (and a quarter of the transfers' bytes)
     * @param warmupNanos at least this long a warm-up per kernel: a JIT-compiled backend's kernels run
     *     several times slower until C2 has compiled them, which takes about a second of dispatches on
     *     a 2-core machine; shorter only where plausibility, not accuracy, matters (tests)
     */
    public Calibrator(int matmulSize, int elements, long warmupNanos) {
        this.matmulSize = matmulSize;
        this.elements = elements;
        this.warmupNanos = warmupNanos;
    }

    /** The measured profile of {@code d}; figures it cannot measure are taken from the declared profile. */
    public DeviceProfile measure(Device d) {
        DeviceProfile declared = d.profile();
        DType base = runs(d, Unary.of(Unary.Kind.RELU), DType.F32) ? DType.F32 : DType.F16;
        double dispatch = fastest(timeCalibrating(d, OpSpec.of(Unary.of(Unary.Kind.RELU), TensorType.of(base, 16)), REPEAT * 4, BATCH));
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        long cap = Math.min(MAX_PROBLEM_BYTES, d.info().memoryBytes() / 8);
        for (DType t : new DType[] {DType.F32, DType.F16, DType.I8, DType.U8}) {
            boolean quantized = t == DType.I8 || t == DType.U8;
            if (quantized ? !d.capabilities().support(qlinearMatMul(t, 4)).runnable() : !runs(d, new MatMul(), t)) {
                continue;
            }
            double best = 0;
            for (int n = matmulSize; n > 0; ) {
                TensorType m = TensorType.of(t, n, n);
                OpSpec spec = quantized ? qlinearMatMul(t, n) : OpSpec.of(new MatMul(), m, m);
                double whole = fastest(timeCalibrating(d, spec, REPEAT, 1));
                double kernel = Math.max(whole - dispatch, 0.1 * whole);
                best = Math.max(best, 2.0 * n * n * n / kernel);
                n = largerMatMul(n, kernel, dispatch, t.byteSize(), cap);
            }
            peak.put(t, best);
        }
        // What could not be measured keeps its declared figure.
        declared.peakOpsPerSecond().forEach(peak::putIfAbsent);
        double bandwidth = 0;
        for (long e = elements; e > 0; ) {
            TensorType big = TensorType.of(base, (int) e);
            double add = fastest(timeCalibrating(d, OpSpec.of(new Binary(Binary.Kind.ADD), big, big), REPEAT, 1));
            double kernel = Math.max(add - dispatch, 0.1 * add);
            bandwidth = Math.max(bandwidth, 3.0 * big.byteSize() / kernel);
            e = largerAdd(e, kernel, dispatch, base.byteSize(), cap);
        }
        double[] link = link(d, base);
        DeviceProfile raw = new DeviceProfile(peak, bandwidth, dispatch, link[0], link[1], true);
        return new DeviceProfile(peak, bandwidth, dispatch, link[0], link[1], true, efficiencies(d, raw, base));
    }

    /**
     * A kernel that runs for fewer than this many dispatch latencies mostly measures the launch and
     * its wait: the peaks and the bandwidth are then measured again on a larger problem. On an H100
     * the default 384 x 384 MatMul took about as long as its 9 us dispatch, and the calibrated F16
     * peak came out at 11 TFLOP/s, 1% of what the device ran at n = 4096.
     */
    static final int MIN_KERNEL_DISPATCHES = 50;
    /** The largest problem (all its tensors, in bytes) a calibration allocates; an eighth of the device's memory at most. */
    static final long MAX_PROBLEM_BYTES = 512L << 20;

    /**
     * The size of the next square MatMul (or QLinearMatMul) to measure a peak at, after size {@code n}
     * took {@code kernelSeconds} beyond the dispatch latency: double {@code n} while the kernel is
     * shorter than {@link #MIN_KERNEL_DISPATCHES} dispatches and the three operands still fit in
     * {@code capBytes}; 0 when done.
     */
    static int largerMatMul(int n, double kernelSeconds, double dispatchSeconds, int elementBytes, long capBytes) {
        long next = 2L * n;
        boolean tooShort = kernelSeconds < MIN_KERNEL_DISPATCHES * dispatchSeconds;
        return tooShort && 3 * next * next * elementBytes <= capBytes ? (int) next : 0;
    }

    /** The same for the Add that measures bandwidth: four times the elements while too short and within {@code capBytes}. */
    static long largerAdd(long elements, double kernelSeconds, double dispatchSeconds, int elementBytes, long capBytes) {
        long next = 4 * elements;
        boolean tooShort = kernelSeconds < MIN_KERNEL_DISPATCHES * dispatchSeconds;
        return tooShort && 3 * next * elementBytes <= capBytes && next <= Integer.MAX_VALUE ? next : 0;
    }

    /**
     * Per kernel class, the roofline time of a representative spec over its measured time (both
     * without the dispatch latency), for the classes the device runs in {@code base}; at most 1 (a
     * kernel timed under its roofline was timed mostly as launch, on a large GPU).
     */
    Map<String, Double> efficiencies(Device d, DeviceProfile raw, DType base) {
        Target target = Target.of(d, raw);
        Map<String, Double> out = new TreeMap<>();
        for (OpSpec spec : representatives(base)) {
            Support s = d.capabilities().support(spec);
            if (!s.runnable()) {
                continue;
            }
            double roofline = CostModel.roofline().kernelSeconds(spec, flops(spec), target, s) - raw.dispatchLatency();
            double measured = median(timeCalibrating(d, spec, REPEAT, AUTO_BATCH)) - raw.dispatchLatency();
            if (roofline > 0) {
                out.put(KernelClass.of(spec), roofline / Math.max(measured, roofline));
            }
        }
        return out;
    }

    /**
     * One spec per kernel class the light CNNs and the demo models use: activations of 64 channels
     * at 56x56 (the middle of ResNet-50 and MobileNet), transformer rows of 64 x 256.
     */
    static List<OpSpec> representatives(DType t) {
        TensorType x = TensorType.of(t, 1, 64, 56, 56);
        TensorType row = TensorType.of(t, 64, 256);
        TensorType channel = TensorType.of(t, 64);
        List<OpSpec> s = new ArrayList<>();
        s.add(OpSpec.of(Conv2d.of(1, 1, 1), x, TensorType.of(t, 64, 64, 3, 3), channel));
        s.add(OpSpec.of(Conv2d.simple(), x, TensorType.of(t, 64, 64, 1, 1), channel));
        s.add(OpSpec.of(Conv2d.of(1, 1, 64), x, TensorType.of(t, 64, 1, 3, 3), channel));
        s.add(OpSpec.of(Unary.of(Unary.Kind.RELU), x));
        s.add(OpSpec.of(Unary.clip(0, 6), x));
        s.add(OpSpec.of(Unary.of(Unary.Kind.HARD_SWISH), x));
        s.add(OpSpec.of(Unary.of(Unary.Kind.SIGMOID), x));
        s.add(OpSpec.of(new Binary(Binary.Kind.ADD), x, x));
        s.add(OpSpec.of(new Binary(Binary.Kind.MUL), x, x));
        s.add(OpSpec.of(Pool2d.max(3, 2, 1), x));
        s.add(OpSpec.of(Pool2d.average(3, 1, 1, false), x));
        s.add(OpSpec.of(new GlobalAveragePool(), x));
        s.add(OpSpec.of(new BatchNorm(1e-5f), x, channel, channel, channel, channel));
        s.add(OpSpec.of(new Concat(1), x, x));
        s.add(OpSpec.of(new Transpose(List.of(0, 2, 1, 3)), x));
        s.add(OpSpec.of(new Softmax(-1), row));
        s.add(OpSpec.of(new LayerNorm(-1, 1e-5f), row, TensorType.of(t, 256), TensorType.of(t, 256)));
        s.add(OpSpec.of(Unary.of(Unary.Kind.GELU), row));
        return s;
    }

    /**
     * Runs each representative kernel the device runs (and a MatMul) for 300 ms, so that a
     * JIT-compiled backend has compiled the code its kernels share before anything is timed.
     */
    static void warmUp(Device d) {
        DType base = runs(d, Unary.of(Unary.Kind.RELU), DType.F32) ? DType.F32 : DType.F16;
        List<OpSpec> specs = new ArrayList<>(representatives(base));
        TensorType m = TensorType.of(base, 256, 256);
        specs.add(OpSpec.of(new MatMul(), m, m));
        for (OpSpec spec : specs) {
            if (d.capabilities().support(spec).runnable()) {
                time(d, spec, 1, 1, 300_000_000L);
            }
        }
    }

    /** The FLOPs of a spec as the planner counts them (the graph's analysis of a one-node graph). */
    static long flops(OpSpec spec) {
        GraphBuilder b = new GraphBuilder("calibration");
        String[] in = new String[spec.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            TensorType t = spec.inputs().get(i);
            in[i] = b.input("in" + i, t.dtype(), (Object[]) dims(t));
        }
        List<String> outs = b.ops(new KernelOp(spec.op()), in);
        b.setOutputs(outs);
        Graph g = b.build();
        return Analysis.cost(g, g.nodes().getFirst()).flops();
    }

    private static Integer[] dims(TensorType t) {
        Integer[] d = new Integer[t.shape().rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.shape().dim(i);
        }
        return d;
    }

    /** QLinearMatMul of two n x n matrices of {@code t} with per-tensor parameters. */
    private static OpSpec qlinearMatMul(DType t, int n) {
        TensorType m = TensorType.of(t, n, n);
        TensorType scale = TensorType.of(DType.F32);
        TensorType zp = TensorType.of(t);
        return OpSpec.of(new QLinearMatMul(), m, scale, zp, m, scale, zp, scale, zp);
    }

    private static boolean runs(Device d, Op op, DType t) {
        TensorType x = TensorType.of(t, 4, 4);
        OpSpec spec = op instanceof MatMul || op instanceof Binary ? OpSpec.of(op, x, x) : OpSpec.of(op, x);
        return d.capabilities().support(spec).runnable();
    }

    /** Seconds of each of {@code n} dispatches of {@code spec}, each awaited, after a warm-up. */
    static double[] time(Device d, OpSpec spec, int n) {
        return time(d, spec, n, 1);
    }

    /**
     * Seconds per dispatch of {@code spec}, {@code n} times: each the time of {@code batch} dispatches
     * queued back to back, the last awaited, over {@code batch} (a kernel's time inside a run, where
     * kernels follow each other on a queue, without the wake-up of an await per kernel).
     */
    static double[] time(Device d, OpSpec spec, int n, int batch) {
        return time(d, spec, n, batch, SHORT_WARMUP_NANOS);
    }

    /** Calibration's own timings: a longer warm-up, so that every kernel is compiled before it counts. */
    private double[] timeCalibrating(Device d, OpSpec spec, int n, int batch) {
        return time(d, spec, n, batch, warmupNanos);
    }

    /** At least this long a warm-up per kernel for {@link KernelTimer}, which times many kernels. */
    private static final long SHORT_WARMUP_NANOS = 50_000_000L;

    /**
     * Dispatches until the kernel's time stops improving, as a JIT-compiled backend's does once its
     * code is compiled: in rounds (one dispatch, or ten for kernels under a millisecond), until
     * three rounds in a row are no more than 3% faster than the best before them, and at least three
     * dispatches and {@code minNanos} went by; never longer than {@code 20 * minNanos}. Returns the
     * last dispatch's time in nanoseconds.
     */
    private static long warmUp(Queue q, Kernel k, List<DeviceBuffer> in, List<DeviceBuffer> out, long minNanos) {
        long w0 = System.nanoTime();
        double best = Double.POSITIVE_INFINITY;
        int stale = 0;
        int dispatches = 0;
        long last = 0;
        while (dispatches < 3 || System.nanoTime() - w0 < minNanos || (stale < 3 && System.nanoTime() - w0 < 20 * minNanos)) {
            int round = last > 0 && last < 1_000_000L ? 10 : 1;
            long t0 = System.nanoTime();
            Fence f = null;
            for (int i = 0; i < round; i++) {
                f = q.dispatch(k, in, out);
            }
            f.await();
            last = (System.nanoTime() - t0) / round;
            dispatches += round;
            if (last < 0.97 * best) {
                best = last;
                stale = 0;
            } else {
                stale++;
            }
        }
        return last;
    }

    private static double[] time(Device d, OpSpec spec, int n, int batch, long warmupNanos) {
        List<DeviceBuffer> in = new ArrayList<>();
        List<DeviceBuffer> out = new ArrayList<>();
        try (Queue q = d.newQueue(); Kernel k = d.prepare(spec)) {
            for (TensorType t : spec.inputs()) {
                DeviceBuffer b = d.allocate(t);
                in.add(b);
                try (HostTensor h = HostTensor.allocate(t)) {
                    for (long i = 0; i < t.numel(); i++) {
                        // Scalars are quantisation scales and must be positive; zero points 0.
                        double v = t.numel() == 1 ? (t.dtype().isFloat() ? 0.05 : 0) : ((i * 7919) % 1000) / 1000.0 - 0.5;
                        h.setDouble(i, t.dtype().isFloat() || t.numel() == 1 ? v : 1);
                    }
                    q.write(h, b).await();
                }
            }
            for (TensorType t : spec.outputs()) {
                out.add(d.allocate(t));
            }
            long warm = warmUp(q, k, in, out, warmupNanos);
            if (batch == AUTO_BATCH) {
                batch = warm < 1_000_000L ? BATCH : 1;
            }
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                Fence last = null;
                for (int b = 0; b < batch; b++) {
                    last = q.dispatch(k, in, out);
                }
                last.await();
                s[i] = (System.nanoTime() - t0) / 1e9 / batch;
            }
            return s;
        } finally {
            in.forEach(DeviceBuffer::close);
            out.forEach(DeviceBuffer::close);
        }
    }

    /** Host link {bandwidth, latency}: large write plus read, and a tiny write. */
    private double[] link(Device d, DType t) {
        TensorType big = TensorType.of(t, elements * 4 / t.byteSize() * 2);
        TensorType tiny = TensorType.of(t, 16);
        try (Queue q = d.newQueue(); HostTensor hb = HostTensor.allocate(big); HostTensor ht = HostTensor.allocate(tiny);
             DeviceBuffer bb = d.allocate(big); DeviceBuffer bt = d.allocate(tiny)) {
            q.write(hb, bb).await();
            double[] lat = new double[REPEAT * 4];
            for (int i = 0; i < lat.length; i++) {
                long t0 = System.nanoTime();
                q.write(ht, bt).await();
                lat[i] = (System.nanoTime() - t0) / 1e9;
            }
            double[] bw = new double[REPEAT];
            for (int i = 0; i < bw.length; i++) {
                long t0 = System.nanoTime();
                q.write(hb, bb);
                q.read(bb, hb).await();
                bw[i] = (System.nanoTime() - t0) / 1e9;
            }
            double latency = fastest(lat);
            return new double[] {2.0 * big.byteSize() / Math.max(fastest(bw) - 2 * latency, 1e-9), latency};
        }
    }

    /** The smallest time: what the device does when nothing else disturbs it (peaks, bandwidths, latencies). */
    static double fastest(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
