package dev.accel.backend.cuda;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceProfile;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attributes of one GPU as the driver reports them, and the declared performance figures derived
 * from them (replaced by measured ones once {@code accel calibrate} runs). Clock attributes are
 * in kHz, as the driver gives them; a value of 0 means the driver did not say.
 */
record CudaFacts(String name, CudaArch arch, int multiprocessors, int clockKHz, int memoryClockKHz, int busWidthBits,
                 int l2Bytes, long memoryBytes, boolean integrated, int maxSharedOptIn, boolean memoryPools,
                 String driverVersion) {

    /** FP32 lanes per multiprocessor: 64 on 6.0, 7.x and 8.0, 128 on 6.1, 8.6+ and 9.x and later. */
    int fp32LanesPerSm() {
        if (arch.major() == 8 && arch.minor() == 0) {
            return 64;
        }
        if (arch.major() == 7 || (arch.major() == 6 && arch.minor() == 0)) {
            return 64;
        }
        return 128;
    }

    /**
     * Dense F16 tensor-core operations per clock per multiprocessor (a multiply-add counts two):
     * 4096 on 9.0, 2048 on 8.0, 1024 on the other 7.0+ parts; without tensor cores, the FP32 rate.
     */
    int f16OpsPerSmClock() {
        if (arch.major() == 9 && arch.minor() == 0) {
            return 4096;
        }
        if (arch.major() == 8 && arch.minor() == 0) {
            return 2048;
        }
        return arch.major() >= 7 ? 1024 : 2 * fp32LanesPerSm();
    }

    /** Declared figures: peaks from SM count and clocks, bandwidth from the memory clock and bus (double data rate). */
    DeviceProfile profile() {
        double clock = clockKHz * 1e3;
        double fp32 = (double) multiprocessors * fp32LanesPerSm() * 2 * clock;
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        peak.put(DType.F32, fp32);
        peak.put(DType.F16, (double) multiprocessors * f16OpsPerSmClock() * clock);
        peak.put(DType.BF16, arch.tensorCores() ? (double) multiprocessors * f16OpsPerSmClock() * clock : fp32);
        // dp4a: four 8-bit multiply-adds per lane and instruction, at a quarter of the FP32 lanes' issue rate on recent parts.
        peak.put(DType.I8, (double) multiprocessors * (fp32LanesPerSm() / 2) * 8 * clock);
        double bandwidth = 2.0 * memoryClockKHz * 1e3 * busWidthBits / 8;
        // Dispatch: `accel calibrate` measured 9.1 us per back-to-back dispatch on an H100.
        return new DeviceProfile(peak, bandwidth, 10e-6, integrated ? bandwidth : 25e9, 10e-6, false);
    }

    /** What {@code accel devices} prints about the GPU, in order. */
    Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("compute capability", arch.toString());
        d.put("multiprocessors", String.valueOf(multiprocessors));
        d.put("clock", clockKHz > 0 ? (clockKHz / 1000) + " MHz" : "unknown");
        d.put("memory clock", memoryClockKHz > 0 ? (memoryClockKHz / 1000) + " MHz" : "unknown");
        d.put("memory bus", busWidthBits > 0 ? busWidthBits + " bits" : "unknown");
        d.put("L2 cache", (l2Bytes >> 10) + " KiB");
        d.put("shared memory per block (opt-in)", (maxSharedOptIn >> 10) + " KiB");
        d.put("stream-ordered allocator", String.valueOf(memoryPools));
        d.put("driver CUDA version", driverVersion);
        d.put("tensor-core GEMM (F16, BF16)", arch.equals(CudaArch.SM90)
                ? "wgmma m64n128k16 (row-major operands), mma.sync m16n8k16 (other layouts, convolution)"
                : arch.tensorCores() ? "mma.sync m16n8k16" : "no (compute capability < 8.0)");
        d.put("8-bit GEMM", arch.dp4a() ? "dp4a" : "no (compute capability < 6.1)");
        return d;
    }
}
