package dev.accel.runtime;

import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Measures a device's {@link DeviceProfile} with a few micro-benchmarks, through hal-api only:
 * dispatch latency (a tiny Relu), peak arithmetic per dtype the device runs (a square MatMul),
 * memory bandwidth (a large Add), host link bandwidth and latency (large and tiny writes and reads).
 * Each figure is the median of several runs after a warm-up (long enough for a JIT-compiled backend). What the device does not run (no
 * float32 on an NPU) is left out, as the declared profile does. Takes a second or two per device.
 */
public final class Calibrator {
    private static final int REPEAT = 5;

    private final int matmulSize;
    private final int elements;

    /** The default sizes: MatMul 384 x 384, Add of 2^21 elements, 8 MiB transfers. */
    public Calibrator() {
        this(384, 1 << 21);
    }

    public Calibrator(int matmulSize, int elements) {
        this.matmulSize = matmulSize;
        this.elements = elements;
    }

    /** The measured profile of {@code d}; figures it cannot measure are taken from the declared profile. */
    public DeviceProfile measure(Device d) {
        DeviceProfile declared = d.profile();
        DType base = runs(d, Unary.of(Unary.Kind.RELU), DType.F32) ? DType.F32 : DType.F16;
        double dispatch = median(time(d, OpSpec.of(Unary.of(Unary.Kind.RELU), TensorType.of(base, 16)), REPEAT * 4));
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        for (DType t : new DType[] {DType.F32, DType.F16}) {
            if (!runs(d, new MatMul(), t)) {
                continue;
            }
            int n = matmulSize;
            TensorType m = TensorType.of(t, n, n);
            double whole = median(time(d, OpSpec.of(new MatMul(), m, m), REPEAT));
            peak.put(t, 2.0 * n * n * n / Math.max(whole - dispatch, 0.1 * whole));
        }
        // Quantized peaks are not measured here: keep the declared ones.
        declared.peakOpsPerSecond().forEach((k, v) -> {
            if (!k.isFloat()) {
                peak.putIfAbsent(k, v);
            }
        });
        TensorType big = TensorType.of(base, elements);
        double add = median(time(d, OpSpec.of(new Binary(Binary.Kind.ADD), big, big), REPEAT));
        double bandwidth = 3.0 * big.byteSize() / Math.max(add - dispatch, 0.1 * add);
        double[] link = link(d, base);
        return new DeviceProfile(peak, bandwidth, dispatch, link[0], link[1], true);
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
        List<DeviceBuffer> in = new ArrayList<>();
        List<DeviceBuffer> out = new ArrayList<>();
        try (Queue q = d.newQueue(); Kernel k = d.prepare(spec)) {
            for (TensorType t : spec.inputs()) {
                DeviceBuffer b = d.allocate(t);
                in.add(b);
                try (HostTensor h = HostTensor.allocate(t)) {
                    for (long i = 0; i < t.numel(); i++) {
                        h.setDouble(i, t.dtype().isFloat() ? ((i * 7919) % 1000) / 1000.0 - 0.5 : 1);
                    }
                    q.write(h, b).await();
                }
            }
            for (TensorType t : spec.outputs()) {
                out.add(d.allocate(t));
            }
            // Warm up until the kernel's code is compiled (a JIT-compiled backend runs slowly at first): at least
            // three dispatches and 50 ms, at most 200 dispatches.
            long w0 = System.nanoTime();
            for (int i = 0; i < 200 && (i < 3 || System.nanoTime() - w0 < 50_000_000L); i++) {
                q.dispatch(k, in, out).await();
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
            double latency = median(lat);
            return new double[] {2.0 * big.byteSize() / Math.max(median(bw) - 2 * latency, 1e-9), latency};
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
