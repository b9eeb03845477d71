package dev.accel.backend.vulkan;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Hand measurements for the backend's notes (not a test; surefire does not run it):
 * GEMM throughput at n = 1024 on every Vulkan device (and on the CPU backend when it is on the
 * class path), and the median submit-to-completion time of a one-dispatch command buffer.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(deps) \
 *     dev.accel.backend.vulkan.VulkanBench [n] [reps]
 * </pre>
 */
public final class VulkanBench {
    private VulkanBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (Device d : new VulkanBackend().open()) {
            try (d) {
                System.out.println(d.info().id() + " " + d.info().name() + " " + d.info().details());
                gemm(d, n, reps);
                submitLatency(d, 200);
            }
        }
        for (Backend b : Backends.discover()) {
            if (b.id().equals("cpu") && b.probe().available()) {
                for (Device d : b.open()) {
                    try (d) {
                        gemm(d, n, reps);
                    }
                }
            }
        }
    }

    static void gemm(Device d, int n, int reps) {
        TensorType t = TensorType.of(DType.F32, n, n);
        Random rnd = new Random(1);
        HostTensor a = HostTensor.allocate(t);
        for (long i = 0; i < a.numel(); i++) {
            a.setFloat(i, rnd.nextFloat() - 0.5f);
        }
        try (Queue q = d.newQueue(); Kernel k = d.prepare(OpSpec.of(new MatMul(), t, t));
             DeviceBuffer x = d.allocate(t); DeviceBuffer y = d.allocate(t); DeviceBuffer z = d.allocate(t)) {
            q.write(a, x);
            q.write(a, y);
            q.dispatch(k, List.of(x, y), List.of(z));
            q.finish(); // warm-up: pipeline creation and first touch
            // Each timed run queues enough GEMMs for about 20 ms (one on a slow device), then
            // finishes once: a GPU's GEMM at n = 1024 is shorter than a submit's round trip.
            long t1 = System.nanoTime();
            q.dispatch(k, List.of(x, y), List.of(z));
            q.finish();
            int batch = (int) Math.max(1, Math.min(200, 20e6 / Math.max(1, System.nanoTime() - t1)));
            double[] secs = new double[reps];
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    q.dispatch(k, List.of(x, y), List.of(z));
                }
                q.finish();
                secs[r] = (System.nanoTime() - t0) / 1e9 / batch;
            }
            Arrays.sort(secs);
            double med = secs[reps / 2];
            System.out.printf("%s MatMul %dx%d float32: median %.3f ms, %.2f GFLOP/s (best %.2f) over %d runs of %d queued GEMMs%n",
                    d.info().id(), n, n, med * 1e3, 2.0 * n * n * n / med / 1e9, 2.0 * n * n * n / secs[0] / 1e9, reps, batch);
        }
    }

    static void submitLatency(Device d, int reps) {
        TensorType t = TensorType.of(DType.F32, 1);
        try (Queue q = d.newQueue(); Kernel k = d.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t));
             DeviceBuffer x = d.allocate(t); DeviceBuffer y = d.allocate(t)) {
            q.write(HostTensor.allocate(t), x);
            q.dispatch(k, List.of(x), List.of(y));
            q.finish();
            long[] ns = new long[reps];
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                q.dispatch(k, List.of(x), List.of(y)).await();
                ns[r] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            System.out.printf("%s one-dispatch command buffer, record + submit + wait: median %.1f us, p10 %.1f us, p90 %.1f us (%d runs)%n",
                    d.info().id(), ns[reps / 2] / 1e3, ns[reps / 10] / 1e3, ns[reps * 9 / 10] / 1e3, reps);
        }
    }
}
