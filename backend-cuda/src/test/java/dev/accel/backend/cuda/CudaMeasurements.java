package dev.accel.backend.cuda;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;

/**
 * The measurements the GPU proof needs, from Java, as text: GEMM throughput of this backend's
 * kernels (and of cuBLAS in the same process, where installed), host transfer bandwidth and
 * launch-to-completion latency. Each line says what was timed and how; nothing is asserted.
 */
final class CudaMeasurements {
    private final CudaDevice device;

    CudaMeasurements(CudaDevice device) {
        this.device = device;
    }

    /** Untimed runs before each GEMM timing: enough for the JIT to compile the dispatch path. */
    private static final int WARM_UP = 20;

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** n x n x n GEMM in {@code dtype}: this backend's kernel, then cuBLAS if found; GFLOP/s = 2 n^3 / mean time over {@code reps}. */
    String gemm(DType dtype, int n, int reps) {
        StringBuilder sb = new StringBuilder();
        TensorType t = TensorType.of(dtype, n, n);
        try (Queue q = device.newQueue(); Kernel k = device.prepare(OpSpec.of(new MatMul(), t, t));
             DeviceBuffer a = device.allocate(t); DeviceBuffer b = device.allocate(t); DeviceBuffer y = device.allocate(t);
             HostTensor h = HostTensor.allocate(t)) {
            Random r = new Random(1);
            for (long i = 0; i < h.numel(); i++) {
                h.setDouble(i, r.nextDouble() * 2 - 1);
            }
            q.write(h, a);
            q.write(h, b);
            // This backend's own kernel (cuBLAS off while preparing), then what prepare picks by default.
            double own;
            try (Kernel mine = CudaGpu.withCublasOff(() -> device.prepare(OpSpec.of(new MatMul(), t, t)))) {
                String kernel = ((CudaKernel) mine).plan().launches().getFirst().function();
                own = time(q, reps, () -> q.dispatch(mine, List.of(a, b), List.of(y)));
                sb.append(String.format("GEMM %s n=%d, accel kernel %s: %.1f GFLOP/s (mean of %d after 20 warm-up runs)%n",
                        dtype.displayName(), n, kernel, 2.0 * n * n * n / own / 1e9, reps));
            }
            if (((CudaKernel) k).viaBlas() != null) {
                double routed = time(q, reps, () -> q.dispatch(k, List.of(a, b), List.of(y)));
                sb.append(String.format("GEMM %s n=%d, accel MatMul as prepared (cuBLAS route): %.1f GFLOP/s%n", dtype.displayName(), n,
                        2.0 * n * n * n / routed / 1e9));
            }
            Optional<CudaBlas> blas = CudaBlas.open(device, CudaLibraries.system());
            if (blas.isEmpty()) {
                sb.append("GEMM ").append(dtype.displayName()).append(" cuBLAS: not measured (libcublas.so.13 / .12 not found)\n");
            } else {
                try (CudaBlas cublas = blas.get()) {
                    long stream = ((CudaQueue) q).stream().handle();
                    double ref = time(q, reps, () -> cublas.gemm(stream, dtype == DType.F16, n, n, n, addr(a), addr(b), addr(y)));
                    sb.append(String.format("GEMM %s n=%d, cuBLAS called directly (%s): %.1f GFLOP/s; accel kernel / cuBLAS = %.2f%n",
                            dtype.displayName(), n, cublas.path(), 2.0 * n * n * n / ref / 1e9, ref / own));
                    if (((CudaKernel) k).viaBlas() != null) {
                        double routed = time(q, reps, () -> q.dispatch(k, List.of(a, b), List.of(y)));
                        sb.append(String.format("GEMM %s n=%d, accel MatMul through cuBLAS / cuBLAS called directly = %.2f (timed again)%n",
                                dtype.displayName(), n, ref / routed));
                    }
                }
            }
        }
        return sb.toString();
    }

    private static long addr(DeviceBuffer b) {
        return ((CudaBuffer) b).address();
    }

    /** Mean seconds of one run of {@code work} on {@code q}, timed from the first enqueue to the queue's completion. */
    private static double time(Queue q, int reps, Runnable work) {
        for (int i = 0; i < WARM_UP; i++) {
            work.run();
        }
        q.finish();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            work.run();
        }
        q.finish();
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    /** Host-device bandwidth of {@code bytes} transfers: pinned (allocateHost) and pageable (ordinary native) memory. */
    String transfers(long bytes, int reps) {
        StringBuilder sb = new StringBuilder();
        try (Queue q = device.newQueue(); DeviceBuffer buf = device.allocate(TensorType.of(DType.U8, (int) bytes));
             CudaHostMemory pinned = device.allocateHost(bytes); Arena arena = Arena.ofConfined()) {
            MemorySegment pageable = arena.allocate(bytes, 4096);
            for (Object[] kind : new Object[][] {{"pinned", pinned.segment()}, {"pageable", pageable}}) {
                MemorySegment host = (MemorySegment) kind[1];
                double[] h2d = new double[reps];
                double[] d2h = new double[reps];
                q.write(host, buf, 0).await();
                q.read(buf, 0, host).await();
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    q.write(host, buf, 0).await();
                    long t1 = System.nanoTime();
                    q.read(buf, 0, host).await();
                    long t2 = System.nanoTime();
                    h2d[i] = bytes / ((t1 - t0) / 1e9) / 1e9;
                    d2h[i] = bytes / ((t2 - t1) / 1e9) / 1e9;
                }
                sb.append(String.format("host -> device, %s, %d MiB: %.2f GB/s; device -> host: %.2f GB/s (median of %d, call to fence done)%n",
                        kind[0], bytes >> 20, median(h2d), median(d2h), reps));
            }
        }
        return sb.toString();
    }

    /**
     * Launch-to-completion latency: (1) the empty kernel through JCuda (cuLaunchKernel, cuEventRecord,
     * cuEventSynchronize), (2) a one-element Relu through the hal API (dispatch, then Fence.await).
     */
    String launchLatency(int reps) {
        double[] raw = new double[reps];
        double[] hal = new double[reps];
        StringBuilder sb = new StringBuilder();
        try (Queue q = device.newQueue(); Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), TensorType.of(DType.F32, 1)));
             DeviceBuffer x = device.allocate(TensorType.of(DType.F32, 1)); DeviceBuffer y = device.allocate(TensorType.of(DType.F32, 1))) {
            CudaQueue cq = (CudaQueue) q;
            CUfunction empty = device.modules().function("elementwise", "accel_empty");
            CUevent e = device.events().acquire();
            device.context().bind();
            for (int i = -100; i < reps; i++) {
                long t0 = System.nanoTime();
                CudaErrors.check(JCudaDriver.cuLaunchKernel(empty, 1, 1, 1, 1, 1, 1, 0, cq.stream(), null, null), "cuLaunchKernel");
                CudaErrors.check(JCudaDriver.cuEventRecord(e, cq.stream()), "cuEventRecord");
                CudaErrors.check(JCudaDriver.cuEventSynchronize(e), "cuEventSynchronize");
                if (i >= 0) {
                    raw[i] = (System.nanoTime() - t0) / 1e3;
                }
            }
            double[] polled = new double[reps];
            for (int i = -100; i < reps; i++) {
                long t0 = System.nanoTime();
                CudaErrors.check(JCudaDriver.cuLaunchKernel(empty, 1, 1, 1, 1, 1, 1, 0, cq.stream(), null, null), "cuLaunchKernel");
                CudaErrors.check(JCudaDriver.cuEventRecord(e, cq.stream()), "cuEventRecord");
                while (JCudaDriver.cuEventQuery(e) == jcuda.driver.CUresult.CUDA_ERROR_NOT_READY) {
                    Thread.onSpinWait();
                }
                if (i >= 0) {
                    polled[i] = (System.nanoTime() - t0) / 1e3;
                }
            }
            device.events().release(e);
            sb.append(String.format("empty kernel launch to completion (JCuda launch + event record + cuEventQuery until done): median %.1f us%n",
                    median(polled)));
            double[] stream = new double[reps];
            for (int i = -100; i < reps; i++) {
                long t0 = System.nanoTime();
                CudaErrors.check(JCudaDriver.cuLaunchKernel(empty, 1, 1, 1, 1, 1, 1, 0, cq.stream(), null, null), "cuLaunchKernel");
                while (JCudaDriver.cuStreamQuery(cq.stream()) == jcuda.driver.CUresult.CUDA_ERROR_NOT_READY) {
                    Thread.onSpinWait();
                }
                if (i >= 0) {
                    stream[i] = (System.nanoTime() - t0) / 1e3;
                }
            }
            sb.append(String.format("empty kernel launch to completion (JCuda launch + cuStreamQuery until done): median %.1f us%n",
                    median(stream)));
            for (int i = -100; i < reps; i++) {
                long t0 = System.nanoTime();
                q.dispatch(relu, List.of(x), List.of(y)).await();
                if (i >= 0) {
                    hal[i] = (System.nanoTime() - t0) / 1e3;
                }
            }
        }
        return sb + String.format("empty kernel launch to completion (JCuda launch + event record + event synchronize): median %.1f us%n"
                + "one-element Relu through the hal API (dispatch + Fence.await): median %.1f us (%d runs each after 100 warm-up)%n",
                median(raw), median(hal), reps);
    }
}
