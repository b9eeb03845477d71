package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.partitioner.Step;
import dev.accel.runtime.StepTiming;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link NodeProfile}: the per-step median over traced runs that {@code accel run --profile} prints. */
class NodeProfileTest {
    private static final Step CONV = new Step(Step.Kind.KERNEL, "cpu:0", "n0", null, false, 0, 1e-3);
    private static final Step WRITE = new Step(Step.Kind.WRITE, "cpu:0", null, "x", false, 0, 1e-5);

    @Test
    void eachStepTakesTheMedianOfItsRunsSoOneSlowRunDoesNotMoveIt() {
        NodeProfile p = new NodeProfile();
        p.add(List.of(new StepTiming(CONV, 0, 1.0), new StepTiming(WRITE, 0, 0.25)));
        p.add(List.of(new StepTiming(CONV, 2, 42.0), new StepTiming(WRITE, 0, 0.5)));
        p.add(List.of(new StepTiming(CONV, 1, 3.0), new StepTiming(WRITE, 0, 0.75)));
        Map<Step, Double> m = p.medians();
        assertEquals(3, p.runs());
        assertEquals(2.0, m.get(CONV), 1e-12, "durations 1, 40, 2: the median is 2");
        assertEquals(0.5, m.get(WRITE), 1e-12);
        p.add(List.of(new StepTiming(CONV, 0, 5.0), new StepTiming(WRITE, 0, 1.0)));
        assertEquals(3.5, p.medians().get(CONV), 1e-12, "durations 1, 2, 5, 40: an even count takes the middle two's mean");
    }
}
