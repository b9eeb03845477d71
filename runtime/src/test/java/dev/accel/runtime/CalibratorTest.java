package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.npu.NpuDevice;
import dev.accel.graph.Graph;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.op.OpSpec;
import dev.accel.partitioner.CostModel;
import dev.accel.partitioner.KernelClass;
import dev.accel.partitioner.MeasuredCostModel;
import dev.accel.partitioner.Partitioner;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Calibration gives plausible measured figures; the measured mode times the candidate kernels and plans with them. */
class CalibratorTest {
    @Test
    void calibrationMeasuresWhatEachDeviceRuns() {
        try (Device cpu = TestSupport.cpu(); NpuDevice npu = TestSupport.npu()) {
            Calibrator c = new Calibrator(256, 1 << 20, 100_000_000L);
            DeviceProfile p = c.measure(cpu);
            assertTrue(p.measured());
            assertTrue(p.peak(DType.F32) > 1e8 && p.peak(DType.F32) < 1e14, p.toString());
            assertTrue(p.memoryBandwidth() > 1e8 && p.dispatchLatency() > 0 && p.dispatchLatency() < 0.1, p.toString());
            assertTrue(p.hostLinkBandwidth() > 1e7 && p.hostLinkLatency() > 0, p.toString());
            assertTrue(p.peak(DType.I8) > 1e8 && p.peak(DType.I8) != cpu.profile().peak(DType.I8), "int8 measured: " + p);
            for (String k : List.of(KernelClass.CONV, KernelClass.CONV_1X1, KernelClass.CONV_DEPTHWISE, "Relu", "Add", "MaxPool",
                    "Softmax", "LayerNormalization", "Gelu")) {
                double e = p.efficiency().getOrDefault(k, Double.NaN);
                assertTrue(e > 0 && e <= 1, "cpu efficiency of " + k + " is " + e + " in " + p);
            }
            DeviceProfile n = c.measure(npu);
            assertEquals(0, n.peak(DType.F32), "the NPU has no float32, measured or declared");
            assertTrue(n.peak(DType.F16) > 0 && n.peak(DType.I8) > 0 && n.peak(DType.I8) != npu.profile().peak(DType.I8), n.toString());
            assertTrue(n.efficiency().containsKey(KernelClass.CONV) && n.efficiency().containsKey("Relu"), n.toString());
            assertTrue(!n.efficiency().containsKey("Gelu"), "the NPU runs no Gelu, so none is measured: " + n);
        }
    }

    @Test
    void peaksOfLaunchBoundKernelsAreMeasuredAgainOnLargerProblems() {
        long cap = 512L << 20;
        // An H100: a 384 x 384 MatMul in 4 us beyond a 9 us dispatch is launch-bound: double it.
        assertEquals(768, Calibrator.largerMatMul(384, 4e-6, 9e-6, 2, cap));
        // Long enough against the dispatch: done.
        assertEquals(0, Calibrator.largerMatMul(6144, 700e-6, 9e-6, 2, cap));
        // A CPU: 0.25 ms against a 0.1 us dispatch.
        assertEquals(0, Calibrator.largerMatMul(384, 250e-6, 0.1e-6, 4, cap));
        // Never past the memory cap: 3 x 12288^2 floats exceed 512 MiB.
        assertEquals(0, Calibrator.largerMatMul(6144, 1e-6, 9e-6, 4, cap));
        assertEquals(0, Calibrator.largerMatMul(384, 1e-6, 9e-6, 4, 3L * 768 * 768 * 4 - 1));
        assertEquals(1 << 23, Calibrator.largerAdd(1 << 21, 8e-6, 9e-6, 4, cap));
        assertEquals(0, Calibrator.largerAdd(1 << 21, 400e-6, 0.1e-6, 4, cap));
        assertEquals(0, Calibrator.largerAdd(1 << 25, 1e-6, 9e-6, 4, cap), "3 x 2^27 floats exceed 512 MiB");
    }

    @Test
    void flopsOfARepresentativeAreThePlannersCount() {
        List<OpSpec> reps = Calibrator.representatives(DType.F32);
        // The 3x3 convolution: 64 -> 64 channels at 56x56, bias: 2 MACs-worth per weight per pixel plus the bias adds.
        assertEquals(2L * 64 * 56 * 56 * 64 * 9 + 64 * 56 * 56, Calibrator.flops(reps.getFirst()));
        assertEquals(KernelClass.CONV, KernelClass.of(reps.getFirst()));
        assertEquals(KernelClass.CONV_DEPTHWISE, KernelClass.of(reps.get(2)));
    }

    @Test
    void measuredModeTimesEveryCandidateKernel() {
        Graph g = TestSupport.mlp(9).bind(java.util.Map.of("N", 8));
        Graph resolved = dev.accel.graph.Passes.optimize(g, java.util.Map.of());
        try (Device cpu = TestSupport.cpu(); NpuDevice npu = TestSupport.npu()) {
            List<Device> devices = List.of(cpu, npu);
            Preferences fp16 = Preferences.builder().precision(Precision.FP16).build();
            Plan first = new Partitioner().plan(resolved, devices.stream().map(Target::of).toList(), fp16);
            MeasuredCostModel m = new KernelTimer(1, false).measure(first, devices, CostModel.roofline());
            long candidates = first.placements().values().stream().flatMap(x -> x.claims().stream())
                    .filter(c -> c.usable() && c.seconds() > 0).map(c -> c.target() + c.spec()).distinct().count();
            assertEquals(candidates, m.measuredCount(), "each distinct candidate kernel timed once");
            Plan again = new Partitioner().withCostModel(m).plan(resolved, devices.stream().map(Target::of).toList(), fp16);
            assertTrue(again.estimatedSeconds() > 0 && again.explain().contains("search:"));
        }
    }
}
