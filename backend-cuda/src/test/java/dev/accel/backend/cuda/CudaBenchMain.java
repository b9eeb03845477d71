package dev.accel.backend.cuda;

import dev.accel.hal.DType;

/**
 * The GPU measurements for issue 6, printed: SGEMM and FP16 GEMM at n = 4096 (this backend's
 * kernels, and cuBLAS in the same process when installed), pinned and pageable transfer
 * bandwidth, and launch-to-completion latency. Run by tools/nvidia-check.sh; prints only what it measured.
 *
 * <p>Arguments: {@code [n[,n...]] [gemm reps]}, default 4096 and 20.
 */
public final class CudaBenchMain {
    private CudaBenchMain() {
    }

    public static void main(String[] args) {
        int[] sizes = java.util.Arrays.stream((args.length > 0 ? args[0] : "4096").split(",")).mapToInt(Integer::parseInt).toArray();
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        CudaBackend backend = new CudaBackend();
        System.out.println("cuda backend: " + backend.probe());
        try (CudaDevice device = (CudaDevice) backend.open().getFirst()) {
            System.out.println(device.info().name() + " (" + device.info().id() + "), " + device.info().details());
            CudaMeasurements m = new CudaMeasurements(device);
            for (int n : sizes) {
                // Small GEMMs take tens of microseconds: more of them make a steadier mean.
                int r = n <= 1024 ? reps * 10 : reps;
                System.out.print(m.gemm(DType.F32, n, r));
                System.out.print(m.gemm(DType.F16, n, r));
            }
            System.out.print(m.transfers(256L << 20, 10));
            System.out.print(m.launchLatency(2000));
            System.out.println("kernel modules: " + device.modules().origins());
        }
    }
}
