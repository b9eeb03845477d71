package dev.accel.hal;

import java.util.EnumMap;
import java.util.Map;

/**
 * Performance figures of a device, as the cost model reads them.
 *
 * @param peakOpsPerSecond arithmetic operations per second (a multiply-add counts two) per dtype
 *     the device computes in; a missing dtype means the device does not compute in it
 * @param memoryBandwidth device memory bytes per second
 * @param dispatchLatency seconds from a dispatch call to the start of a trivial kernel
 * @param hostLinkBandwidth bytes per second between host memory and this device
 * @param hostLinkLatency seconds of fixed cost per host transfer
 * @param measured false for declared defaults, true once calibration measured them
 */
public record DeviceProfile(Map<DType, Double> peakOpsPerSecond, double memoryBandwidth, double dispatchLatency,
                            double hostLinkBandwidth, double hostLinkLatency, boolean measured) {
    public DeviceProfile {
        peakOpsPerSecond = java.util.Collections.unmodifiableMap(new EnumMap<>(peakOpsPerSecond.isEmpty()
                ? new EnumMap<DType, Double>(DType.class) : peakOpsPerSecond));
    }

    /** Peak operations per second in {@code dtype}, or 0 when the device does not compute in it. */
    public double peak(DType dtype) {
        return peakOpsPerSecond.getOrDefault(dtype, 0.0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        peakOpsPerSecond.forEach((d, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(d).append(' ')
                .append(String.format("%.1f GOP/s", v / 1e9)));
        return String.format("peak {%s}, memory %.1f GB/s, dispatch %.1f us, host link %.1f GB/s + %.1f us%s", sb,
                memoryBandwidth / 1e9, dispatchLatency * 1e6, hostLinkBandwidth / 1e9, hostLinkLatency * 1e6,
                measured ? " (measured)" : " (declared)");
    }
}
