package dev.accel.backend.opencl;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * Hand measurements, not a test: GEMM GFLOP/s at n = 1024 on opencl:0 (and on cpu:0 when the CPU
 * backend is on the class path) and the median enqueue-to-completion time of a one-element kernel.
 * Each result is checked against a double reference before it is printed.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp <test
 * class path> dev.accel.backend.opencl.OclBench [n] [latency iterations]}.
 */
public final class OclBench {
    private OclBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        try (OclDevice d = OclTestSupport.open()) {
            System.out.println("device: " + d.info().id() + " " + d.info().name());
            System.out.printf("opencl:0 GEMM n=%d: %.1f GFLOP/s%n", n, gemm(d, n));
            System.out.printf("opencl:0 one-element kernel, enqueue to completion: median %.1f us over %d runs%n",
                    latency(d, iters) / 1e3, iters);
            System.out.printf("opencl:0 the same through bare JOCL calls (the driver's floor): median %.1f us%n",
                    rawLatency(d, iters) / 1e3);
        }
        Optional<Backend> cpu = Backends.find("cpu");
        if (cpu.isPresent() && cpu.get().probe().available()) {
            List<Device> ds = cpu.get().open();
            try {
                System.out.printf("cpu:0 GEMM n=%d: %.1f GFLOP/s%n", n, gemm(ds.getFirst(), n));
            } catch (RuntimeException e) {
                System.out.println("cpu:0 GEMM not measured: " + e.getMessage());
            } finally {
                ds.forEach(Device::close);
            }
        } else {
            System.out.println("cpu backend not on the class path (or unavailable): no CPU comparison");
        }
    }

    /** Best-of-five GFLOP/s of an n x n x n float32 MatMul, after two warm-up runs; checks sampled outputs. */
    static double gemm(Device d, int n) {
        Random r = new Random(42);
        HostTensor a = OclTestSupport.random(r, DType.F32, -1, 1, n, n);
        HostTensor b = OclTestSupport.random(r, DType.F32, -1, 1, n, n);
        HostTensor c = HostTensor.allocate(DType.F32, n, n);
        OpSpec spec = OpSpec.of(new MatMul(), a.type(), b.type());
        try (Kernel k = d.prepare(spec); Queue q = d.newQueue(); DeviceBuffer da = d.allocate(a.type());
             DeviceBuffer db = d.allocate(b.type()); DeviceBuffer dc = d.allocate(c.type())) {
            q.write(a, da);
            q.write(b, db).await();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 2 + Integer.getInteger("accel.bench.runs", 5); i++) {
                long t0 = System.nanoTime();
                q.dispatch(k, List.of(da, db), List.of(dc)).await();
                long t = System.nanoTime() - t0;
                if (i >= 2) {
                    best = Math.min(best, t);
                }
            }
            q.read(dc, c).await();
            for (int s = 0; s < 64; s++) {
                int i = r.nextInt(n);
                int j = r.nextInt(n);
                double e = 0;
                for (int x = 0; x < n; x++) {
                    e += a.getDouble((long) i * n + x) * b.getDouble((long) x * n + j);
                }
                double got = c.getDouble((long) i * n + j);
                if (Math.abs(got - e) > 1e-3 * (1 + Math.abs(e))) {
                    throw new AssertionError("GEMM wrong at (" + i + ", " + j + "): " + got + ", expected " + e);
                }
            }
            return 2.0 * n * n * n / best;
        } finally {
            a.close();
            b.close();
            c.close();
        }
    }

    /** Median nanoseconds of the same one-element Relu enqueued, flushed and waited for with bare JOCL calls. */
    @SuppressWarnings("deprecation")
    static double rawLatency(OclDevice d, int iters) {
        int[] err = new int[1];
        cl_command_queue q = CL.clCreateCommandQueue(d.context(), d.clDevice(), 0, err);
        cl_mem x = d.createMem(4, "x");
        cl_mem y = d.createMem(4, "y");
        try (OclFunction f = d.programs().resources(List.of("elementwise.cl"), "-DIDX=int -DT=F32").function("unary", d)) {
            Object[] args = {x, y, 1, 0, 0f, 0f};
            long[] ns = new long[iters];
            for (int i = -20_000; i < iters; i++) {
                long t0 = System.nanoTime();
                cl_event ev = new cl_event();
                f.enqueue(q, new long[] {1}, new long[] {1}, args, ev);
                CL.clFlush(q);
                CL.clWaitForEvents(1, new cl_event[] {ev});
                if (i >= 0) {
                    ns[i] = System.nanoTime() - t0;
                }
                CL.clReleaseEvent(ev);
            }
            Arrays.sort(ns);
            return ns[iters / 2];
        } finally {
            CL.clReleaseMemObject(x);
            CL.clReleaseMemObject(y);
            CL.clReleaseCommandQueue(q);
        }
    }

    /** Median nanoseconds from dispatch of a one-element Relu to the return of its fence's await. */
    static double latency(Device d, int iters) {
        TensorType t = TensorType.of(DType.F32, 1);
        try (Kernel k = d.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t)); Queue q = d.newQueue();
             DeviceBuffer x = d.allocate(t); DeviceBuffer y = d.allocate(t); HostTensor h = HostTensor.allocate(t)) {
            h.setDouble(0, -3);
            q.write(h, x).await();
            long[] ns = new long[iters];
            // Warm up long enough for the JIT to compile the dispatch path, as in a running application.
            for (int i = 0; i < 20_000; i++) {
                q.dispatch(k, List.of(x), List.of(y)).await();
            }
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                Fence f = q.dispatch(k, List.of(x), List.of(y));
                f.await();
                ns[i] = System.nanoTime() - t0;
            }
            h.setDouble(0, 7);
            q.read(y, h).await();
            if (h.getDouble(0) != 0) {
                throw new AssertionError("Relu(-3) read back as " + h.getDouble(0));
            }
            Arrays.sort(ns);
            return ns[iters / 2];
        }
    }
}
