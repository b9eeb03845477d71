package dev.accel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.partitioner.Plan;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanningBenchmarkTest {
    static {
        // A smoke test, not a measurement: run even while another JMH holds its machine-wide lock.
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void theBenchmarkGraphIsWhatItSaysAndPlansOntoEveryDevice() {
        PlanningBenchmark b = new PlanningBenchmark();
        b.nodes = 400;
        b.setup();
        Plan p = b.plan();
        assertEquals(400, p.placements().size());
        Set<String> used = new HashSet<>();
        p.placements().values().forEach(n -> used.add(n.device()));
        // Softmax runs only on the CPU; MatMul is far cheaper on the declared GPU and NPU than on the CPU.
        assertTrue(used.contains("cpu:0") && (used.contains("gpu:0") || used.contains("npu:0")), "used " + used);
        assertTrue(p.regions().size() > 1, p.regions().size() + " regions");
        assertTrue(p.estimatedSeconds() <= p.singleDeviceSeconds() * (1 + 1e-9),
                p.estimatedSeconds() + " s estimated vs best single device " + p.singleDeviceSeconds());
    }

    @Test
    void theSuiteReportsAMedianFromJmh() {
        PlanningSuite.Result r = new PlanningSuite(true).run(80);
        assertEquals(80, r.nodes());
        assertEquals(10, r.iterations());
        assertTrue(r.medianMs() > 0 && r.bestMs() <= r.medianMs(), r.line());
        assertTrue(r.line().contains("plan.nodes80"), r.line());
    }
}
