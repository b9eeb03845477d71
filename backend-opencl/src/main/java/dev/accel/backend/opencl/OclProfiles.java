package dev.accel.backend.opencl;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceProfile;
import java.util.EnumMap;
import java.util.Map;

/**
 * Declared performance figures from the device's own answers (compute units, clock, vector width,
 * memory kind); calibration replaces them with measurements.
 */
final class OclProfiles {
    private OclProfiles() {
    }

    static DeviceProfile declared(OclInfo cl) {
        double clockHz = Math.max(1, cl.clockMhz()) * 1e6;
        int units = Math.max(1, cl.computeUnits());
        // Lanes per compute unit: the native float vector width on CPUs; GPUs report 1 there and run
        // 64 or more lanes per unit (a warp or wavefront of FMA pipes).
        int lanes = cl.isGpu() ? 64 : Math.max(1, cl.nativeFloatWidth());
        double fp32 = units * clockHz * 2.0 * lanes;
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        peak.put(DType.F32, fp32);
        peak.put(DType.F16, fp32);
        peak.put(DType.BF16, fp32);
        peak.put(DType.I8, fp32);
        double memBw = cl.isGpu() ? 300e9 : 20e9;
        double dispatch = cl.isGpu() ? 10e-6 : 30e-6;
        double linkBw = cl.hostUnifiedMemory() ? memBw : 12e9;
        double linkLatency = cl.hostUnifiedMemory() ? 2e-6 : 10e-6;
        return new DeviceProfile(peak, memBw, dispatch, linkBw, linkLatency, false);
    }
}
