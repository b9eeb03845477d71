package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RooflineCostModelTest {
    private static final TensorType X = TensorType.of(DType.F32, 1, 32, 56, 56);

    @Test
    void convolutionsFallIntoThreeClasses() {
        assertEquals(KernelClass.CONV_DEPTHWISE, KernelClass.of(OpSpec.of(Conv2d.of(1, 1, 32), X, TensorType.of(DType.F32, 32, 1, 3, 3))));
        assertEquals(KernelClass.CONV_1X1, KernelClass.of(OpSpec.of(Conv2d.simple(), X, TensorType.of(DType.F32, 64, 32, 1, 1))));
        assertEquals(KernelClass.CONV, KernelClass.of(OpSpec.of(Conv2d.of(1, 1, 1), X, TensorType.of(DType.F32, 64, 32, 3, 3))));
        // A grouped convolution that is not depthwise is a plain Conv.
        assertEquals(KernelClass.CONV, KernelClass.of(OpSpec.of(Conv2d.of(1, 1, 4), X, TensorType.of(DType.F32, 64, 8, 3, 3))));
        TensorType m = TensorType.of(DType.F32, 8, 8);
        assertEquals(KernelClass.MATMUL, KernelClass.of(OpSpec.of(new Gemm(1, 1, false, false), m, m)));
        assertEquals("Relu", KernelClass.of(OpSpec.of(Unary.of(Unary.Kind.RELU), m)));
    }

    @Test
    void anEfficiencyDividesTheRooflineButNotTheDispatch() {
        OpSpec dw = OpSpec.of(Conv2d.of(1, 1, 32), X, TensorType.of(DType.F32, 32, 1, 3, 3));
        long flops = 2L * 32 * 56 * 56 * 9;
        DeviceProfile plain = Synthetic.profile(100e9, 0, 20e9, 5e-6, 20e9, 1e-6);
        DeviceProfile tenth = new DeviceProfile(plain.peakOpsPerSecond(), plain.memoryBandwidth(), plain.dispatchLatency(),
                plain.hostLinkBandwidth(), plain.hostLinkLatency(), true, Map.of(KernelClass.CONV_DEPTHWISE, 0.1));
        double a = CostModel.roofline().kernelSeconds(dw, flops, target(plain), Support.nativeSupport());
        double b = CostModel.roofline().kernelSeconds(dw, flops, target(tenth), Support.nativeSupport());
        // Memory-bound here: (in + weights + out bytes) / 20 GB/s.
        double bytes = 2.0 * X.byteSize() + 32 * 9 * 4;
        assertEquals(5e-6 + bytes / 20e9, a, 1e-12);
        assertEquals(5e-6 + 10 * bytes / 20e9, b, 1e-12);
    }

    private static Target target(DeviceProfile p) {
        return new Target("cpu:0", DeviceKind.CPU, new Synthetic.Caps(null, Set.of(DType.F32), Set.of()), p, 1L << 30, true);
    }

    @Test
    void uint8TakesTheInt8PeakWhenOnlyThatIsGiven() {
        DeviceProfile p = new DeviceProfile(Map.of(DType.F32, 100e9, DType.I8, 400e9), 20e9, 1e-6, 20e9, 1e-6, false);
        assertEquals(400e9, RooflineCostModel.peak(p, DType.U8));
        assertEquals(400e9, RooflineCostModel.peak(p, DType.I8));
        assertEquals(100e9, RooflineCostModel.peak(p, DType.F16), "no float16 peak: float32's");
    }
}
