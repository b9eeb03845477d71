package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Backend;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    static {
        // A smoke test, not a measurement: run even while another JMH holds its machine-wide lock.
        System.setProperty("jmh.ignoreLock", "true");
    }

    private static final Supplier<List<Backend>> NONE = List::of;

    @Test
    void planSuitePrintsTheMedianAgainstTheGoal() {
        CliRunner.Result r = CliRunner.run(NONE, "bench", "plan", "--quick", "--nodes", "160");
        assertEquals(Main.OK, r.status(), r.all());
        assertTrue(r.out().contains("plan.nodes160  median "), r.all());
        assertTrue(r.out().contains("goal <= 200 ms"), r.all());
    }

    @Test
    void badSuiteAndOptionsAreUsageErrors() {
        CliRunner.Result suite = CliRunner.run(NONE, "bench", "gpu");
        assertEquals(2, suite.status(), suite.all());
        assertTrue(suite.err().contains("expected one suite, 'cpu' or 'plan', got 'gpu'"), suite.all());
        CliRunner.Result nodes = CliRunner.run(NONE, "bench", "plan", "--nodes", "12");
        assertEquals(2, nodes.status(), nodes.all());
        assertTrue(nodes.err().contains("--nodes 12: must be a positive multiple of 8"), nodes.all());
        CliRunner.Result misplaced = CliRunner.run(NONE, "bench", "cpu", "--nodes", "80");
        assertEquals(2, misplaced.status(), misplaced.all());
        assertTrue(misplaced.err().contains("--nodes applies to 'accel bench plan' only"), misplaced.all());
    }
}
