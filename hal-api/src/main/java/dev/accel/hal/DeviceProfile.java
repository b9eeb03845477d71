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
 * @param efficiency per kernel class (a name such as "Conv.depthwise", chosen by the cost model
 *     that reads it), the fraction of the roofline its kernels attain on this device: the roofline
 *     time over the measured time of a representative kernel. A class not listed attains the
 *     roofline (1.0). Values must be finite and positive.
 */
public record DeviceProfile(Map<DType, Double> peakOpsPerSecond, double memoryBandwidth, double dispatchLatency,
                            double hostLinkBandwidth, double hostLinkLatency, boolean measured, Map<String, Double> efficiency) {
    public DeviceProfile {
        peakOpsPerSecond = java.util.Collections.unmodifiableMap(new EnumMap<>(peakOpsPerSecond.isEmpty()
                ? new EnumMap<DType, Double>(DType.class) : peakOpsPerSecond));
        for (var e : efficiency.entrySet()) {
            if (!(e.getValue() > 0) || e.getValue().isInfinite()) {
                throw new InvalidArgumentException("efficiency of kernel class " + e.getKey() + " is " + e.getValue()
                        + ", must be finite and > 0");
            }
        }
        efficiency = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(efficiency));
    }

    /** A profile with no per-class efficiencies: every kernel attains the roofline. */
    public DeviceProfile(Map<DType, Double> peakOpsPerSecond, double memoryBandwidth, double dispatchLatency,
                         double hostLinkBandwidth, double hostLinkLatency, boolean measured) {
        this(peakOpsPerSecond, memoryBandwidth, dispatchLatency, hostLinkBandwidth, hostLinkLatency, measured, Map.of());
    }

    /** The fraction of the roofline kernels of class {@code kernelClass} attain: 1.0 when not listed. */
    public double efficiency(String kernelClass) {
        return efficiency.getOrDefault(kernelClass, 1.0);
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
        StringBuilder eff = new StringBuilder();
        efficiency.forEach((k, v) -> eff.append(eff.isEmpty() ? ", efficiency {" : ", ").append(k).append(' ')
                .append(String.format("%.0f%%", 100 * v)));
        if (!eff.isEmpty()) {
            eff.append('}');
        }
        return String.format("peak {%s}, memory %.1f GB/s, dispatch %.1f us, host link %.1f GB/s + %.1f us%s%s", sb,
                memoryBandwidth / 1e9, dispatchLatency * 1e6, hostLinkBandwidth / 1e9, hostLinkLatency * 1e6, eff,
                measured ? " (measured)" : " (declared)");
    }
}
