package dev.accel.backend.cuda;

import org.junit.jupiter.api.Test;

/**
 * GPU: prints transfer bandwidth and launch latency (the same measurements as {@link CudaBenchMain},
 * smaller). Printed, never asserted: timings depend on the machine and its load.
 */
class CudaGpuMeasureTest {
    @Test
    void printsBandwidthAndLaunchLatency() {
        try (CudaDevice device = CudaGpu.open()) {
            CudaMeasurements m = new CudaMeasurements(device);
            System.out.println(m.transfers(64 << 20, 5));
            System.out.println(m.launchLatency(500));
        }
    }
}
