package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.npu.NpuDevice;
import dev.accel.backend.npu.NpuFault;
import dev.accel.graph.Graph;
import dev.accel.hal.AccelException;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fault injected into the NPU mid-run: the session re-places the NPU's work on the CPU, repeats
 * the run and returns the CPU-only result, says so in the result and the trace, stops using the
 * NPU, and leaks nothing; with fallback off the failure is thrown and nothing is returned.
 */
class FallbackTest {
    private static final Preferences FP16 = Preferences.builder().precision(Precision.FP16).build();
    private static Graph squeezenet;
    private static float[] cpuOnly;

    @BeforeAll
    static void reference() {
        squeezenet = LightModelsTest.model("squeezenet");
        try (Device cpu = TestSupport.cpu(); HostTensor x = input();
             Session s = Session.builder(squeezenet).devices(List.of(cpu)).build(); RunResult r = s.run(Map.of(in(), x))) {
            cpuOnly = r.output(squeezenet.outputs().get(0)).toFloatArray();
        }
    }

    private static String in() {
        return squeezenet.inputs().get(0);
    }

    private static HostTensor input() {
        return TestSupport.random(squeezenet.type(squeezenet.inputs().get(0)).toTensorType(), 7);
    }

    private void injectedFaultFallsBackToTheCpu(NpuFault fault, long n) {
        try (Device cpu = TestSupport.cpu(); NpuDevice npu = TestSupport.npu(); HostTensor x = input()) {
            try (Session s = Session.builder(squeezenet).devices(List.of(cpu, npu)).preferences(FP16).build()) {
                // The plan uses the NPU; the fault hits its n-th execution from now, in the middle of the run.
                assertTrue(s.plan(Map.of(in(), x.shape())).usedTargets().stream().anyMatch(t -> t.id().equals("npu:0")));
                npu.injectFault(fault, n);
                try (RunResult r = s.run(Map.of(in(), x), true)) {
                    assertTrue(r.fellBack(), "the result says a device failed");
                    assertEquals("npu:0", r.fallbacks().get(0).device());
                    assertTrue(r.fallbacks().get(0).nodesMoved() > 0);
                    assertTrue(r.fallbacks().get(0).describe().contains("npu:0 failed"), r.fallbacks().get(0).describe());
                    assertTrue(r.plan().usedTargets().stream().noneMatch(t -> t.id().equals("npu:0")), r.plan().explain());
                    float[] got = r.output(squeezenet.outputs().get(0)).toFloatArray();
                    assertEquals(cpuOnly.length, got.length);
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(cpuOnly[i], got[i], 1e-6f * Math.max(1, Math.abs(cpuOnly[i])), "logit " + i);
                    }
                    String json = r.trace().toJson();
                    assertTrue(json.contains("fallback: npu:0 failed"), "the trace shows the re-placement");
                    assertTrue(r.trace().spans().stream().anyMatch(sp -> sp.device().equals("npu:0")),
                            "the trace keeps the failed attempt's NPU work");
                    assertTrue(r.trace().spans().stream().anyMatch(sp -> sp.device().equals("cpu:0")
                            && sp.startMicros() > r.trace().instants().get(0).atMicros()), "and shows the rerun after it");
                }
                assertEquals(java.util.Set.of("npu:0"), s.failedDevices());
                try (RunResult again = s.run(Map.of(in(), x))) {
                    assertFalse(again.fellBack(), "the NPU is no longer used, so nothing falls back");
                }
            }
            if (fault == NpuFault.FAIL_EXECUTION) {
                assertEquals(0, npu.stats().liveBuffers(), "the session freed every NPU buffer, the failed run's included");
            }
        }
        assertEquals(0, NpuDevice.nativeAllocationCount(), "nothing of the NPU library is left once its device is closed");
    }

    @Test
    void aFailedExecutionMidRunFallsBack() {
        injectedFaultFallsBackToTheCpu(NpuFault.FAIL_EXECUTION, 4);
    }

    @Test
    void aLostDeviceMidRunFallsBack() {
        injectedFaultFallsBackToTheCpu(NpuFault.DEVICE_LOST, 3);
    }

    @Test
    void withFallbackOffTheFailureIsThrownAndNothingReturned() {
        try (Device cpu = TestSupport.cpu(); NpuDevice npu = TestSupport.npu(); HostTensor x = input()) {
            long baseline = NpuDevice.nativeAllocationCount();
            try (Session s = Session.builder(squeezenet).devices(List.of(cpu, npu))
                    .preferences(FP16.toBuilder().fallback(false).build()).build()) {
                s.plan(Map.of(in(), x.shape()));
                npu.injectFault(NpuFault.FAIL_EXECUTION, 2);
                AccelException e = assertThrows(AccelException.class, () -> s.run(Map.of(in(), x)));
                assertTrue(e.getMessage().contains("NPU_ERROR_EXECUTION_FAILED"), e.getMessage());
                assertTrue(s.failedDevices().isEmpty(), "without fallback nothing is marked failed");
                // The NPU works again (the fault was one execution): the same session runs.
                try (RunResult r = s.run(Map.of(in(), x))) {
                    assertFalse(r.fellBack());
                }
            }
            assertEquals(baseline, NpuDevice.nativeAllocationCount(), "the session freed all it made on the NPU");
        }
    }
}
