package dev.accel.backend.cuda;

import dev.accel.hal.DType;

/**
 * The GPU measurements for issue 6, printed: SGEMM and FP16 GEMM at n = 4096 (this backend's
 * kernels, and cuBLAS in the same process when installed), pinned and pageable transfer
 * bandwidth, and launch-to-completion latency. Run by gpu-check.sh; prints only what it measured.
 *
 * <p>Arguments: {@code [n] [gemm reps]}, default 4096 and 20.
 */
public final class CudaBenchMain {
    private CudaBenchMain() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        CudaBackend backend = new CudaBackend();
        System.out.println("cuda backend: " + backend.probe());
        try (CudaDevice device = (CudaDevice) backend.open().getFirst()) {
            System.out.println(device.info().name() + " (" + device.info().id() + "), " + device.info().details());
            CudaMeasurements m = new CudaMeasurements(device);
            System.out.print(m.gemm(DType.F32, n, reps));
            System.out.print(m.gemm(DType.F16, n, reps));
            System.out.print(m.transfers(256L << 20, 10));
            System.out.print(m.launchLatency(2000));
            System.out.println("kernel modules: " + device.modules().origins());
        }
    }
}
