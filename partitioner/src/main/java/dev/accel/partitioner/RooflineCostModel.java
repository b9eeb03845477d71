package dev.accel.partitioner;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;

/**
 * The roofline: a kernel costs the target's dispatch latency plus the larger of its compute time
 * (FLOPs over the peak of the dtype it computes in) and its memory time (bytes of its inputs and
 * outputs over the memory bandwidth). An EMULATED spec on half types computes in float32, so it
 * pays float32's peak and the traffic of widening its half inputs and narrowing its outputs. A
 * transfer costs the host link's latency plus bytes over its bandwidth.
 *
 * <p>A calibrated profile also says what fraction of this roofline each {@link KernelClass} attains
 * on the device (a depthwise convolution reaches far less of the peak than a GEMM does): the
 * compute-or-memory part is divided by it, the dispatch latency is not.
 *
 * <p>A dtype the profile gives no peak for falls back to the other 8-bit type's (uint8 and int8),
 * then to the float32 peak, then to the largest peak the profile declares (integer shape arithmetic on a float device, say).
 */
public final class RooflineCostModel implements CostModel {
    static final RooflineCostModel INSTANCE = new RooflineCostModel();

    private RooflineCostModel() {
    }

    @Override
    public double kernelSeconds(OpSpec spec, long flops, Target target, Support support) {
        DeviceProfile p = target.profile();
        long bytes = 0;
        long halfBytes = 0;
        DType compute = null;
        for (TensorType t : spec.inputs()) {
            bytes += t.byteSize();
            if (t.dtype() == DType.F16 || t.dtype() == DType.BF16) {
                halfBytes += t.byteSize();
            }
            if (compute == null && (t.dtype().isFloat() || t.dtype().isQuantized())) {
                compute = t.dtype();
            }
        }
        for (TensorType t : spec.outputs()) {
            bytes += t.byteSize();
            if (t.dtype() == DType.F16 || t.dtype() == DType.BF16) {
                halfBytes += t.byteSize();
            }
        }
        if (compute == null) {
            compute = DType.F32;
        }
        boolean emulated = support.level() == Support.Level.EMULATED;
        double peak = peak(p, emulated && !compute.isQuantized() ? DType.F32 : compute);
        double computeTime = flops == 0 ? 0 : flops / peak;
        double memoryTime = bytes / bandwidth(p);
        double extra = 0;
        if (emulated && halfBytes > 0) {
            // Widen to float32 scratch and narrow back: read half, write and read float (twice the bytes).
            extra = 3.0 * halfBytes / bandwidth(p);
        }
        double attained = p.efficiency(KernelClass.of(spec));
        return p.dispatchLatency() + (Math.max(computeTime, memoryTime) + extra) / attained;
    }

    @Override
    public double readSeconds(Target target, long bytes) {
        return link(target, bytes);
    }

    @Override
    public double writeSeconds(Target target, long bytes) {
        return link(target, bytes);
    }

    private static double link(Target t, long bytes) {
        DeviceProfile p = t.profile();
        double bw = p.hostLinkBandwidth() > 0 ? p.hostLinkBandwidth() : 1e9;
        return p.hostLinkLatency() + bytes / bw;
    }

    private static double bandwidth(DeviceProfile p) {
        return p.memoryBandwidth() > 0 ? p.memoryBandwidth() : 1e9;
    }

    /** The peak for {@code d}, with the fallbacks of the class comment; never 0. */
    static double peak(DeviceProfile p, DType d) {
        double v = p.peak(d);
        if (v > 0) {
            return v;
        }
        // The two 8-bit types run on the same integer units: a profile that gives one stands for both.
        if (d == DType.U8 || d == DType.I8) {
            v = p.peak(d == DType.U8 ? DType.I8 : DType.U8);
            if (v > 0) {
                return v;
            }
        }
        v = p.peak(DType.F32);
        if (v > 0) {
            return v;
        }
        double max = 0;
        for (double x : p.peakOpsPerSecond().values()) {
            max = Math.max(max, x);
        }
        return max > 0 ? max : 1e9;
    }

    @Override
    public String toString() {
        return "roofline";
    }
}
