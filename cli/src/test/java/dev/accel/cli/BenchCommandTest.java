package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    static {
        // A smoke test, not a measurement: run even while another JMH holds its machine-wide lock.
        System.setProperty("jmh.ignoreLock", "true");
    }

    private static final Supplier<List<Backend>> NONE = List::of;
    private static final Supplier<List<Backend>> CPU = () -> List.of(Backends.find("cpu").orElseThrow());

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
        assertTrue(suite.err().contains("expected one suite, 'cpu', 'models' or 'plan', got 'gpu'"), suite.all());
        CliRunner.Result nodes = CliRunner.run(NONE, "bench", "plan", "--nodes", "12");
        assertEquals(2, nodes.status(), nodes.all());
        assertTrue(nodes.err().contains("--nodes 12: must be a positive multiple of 8"), nodes.all());
        CliRunner.Result misplaced = CliRunner.run(NONE, "bench", "cpu", "--nodes", "80");
        assertEquals(2, misplaced.status(), misplaced.all());
        assertTrue(misplaced.err().contains("--nodes applies to 'accel bench plan' only"), misplaced.all());
    }

    @Test
    void modelsSuiteOptionsAreCheckedBeforeAnythingRuns() {
        CliRunner.Result quick = CliRunner.run(NONE, "bench", "models", "--quick");
        assertEquals(2, quick.status(), quick.all());
        assertTrue(quick.err().contains("--quick applies to 'accel bench cpu' and 'accel bench plan' only"), quick.all());
        CliRunner.Result missing = CliRunner.run(NONE, "bench", "models", "no-such-model.onnx");
        assertEquals(2, missing.status(), missing.all());
        assertTrue(missing.err().contains("model file 'no-such-model.onnx' does not exist"), missing.all());
        CliRunner.Result runs = CliRunner.run(NONE, "bench", "cpu", "--runs", "5");
        assertEquals(2, runs.status(), runs.all());
        assertTrue(runs.err().contains("--runs applies to 'accel bench models' only"), runs.all());
        CliRunner.Result few = CliRunner.run(NONE, "bench", "models", "--runs", "1");
        assertEquals(2, few.status(), few.all());
        assertTrue(few.err().contains("--runs"), few.all());
    }

    @Test
    void modelsSuiteWithoutModelsNeedsTheSharedCorpusBesideTheCurrentFolder() {
        // Tests run in cli/, where ../shared is not the corpus (it lies beside the repository root).
        assumeTrue(!Files.isDirectory(BenchCommand.LIGHT_DIR), "a corpus lies at " + BenchCommand.LIGHT_DIR.toAbsolutePath());
        CliRunner.Result r = CliRunner.run(NONE, "bench", "models");
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains("no model named and ../shared/conformance/onnx/light is not here"), r.all());
    }

    @Test
    void modelsSuiteTimesBothSidesOfOneNetwork(@TempDir Path tmp) throws Exception {
        Path model = Path.of("..", "..", "shared", "conformance", "onnx", "light", "light_squeezenet.onnx").toAbsolutePath().normalize();
        assumeTrue(Files.exists(model), "the shared ONNX corpus is absent (" + model + ")");
        Path out = tmp.resolve("models.json");
        CliRunner.Result r = CliRunner.run(CPU, "bench", "models", model.toString(), "--runs", "3", "--out", out.toString());
        assertEquals(Main.OK, r.status(), r.all());
        assertTrue(r.out().contains("model.light_squeezenet  ONNX Runtime"), r.all());
        // Both medians are times in ms, and the ratio is the peer's over ours.
        Matcher row = Pattern.compile("model\\.light_squeezenet  ONNX Runtime\\s+([0-9.]+)\\s+([0-9.]+)\\s+ms\\s+([0-9.]+)x").matcher(r.out());
        assertTrue(row.find(), r.all());
        double ours = Double.parseDouble(row.group(1));
        double peer = Double.parseDouble(row.group(2));
        assertTrue(ours > 0 && peer > 0, r.all());
        assertEquals(peer / ours, Double.parseDouble(row.group(3)), 0.02 * peer / ours + 0.01, r.all());
        String json = Files.readString(out).replaceAll("\\s", "");
        assertTrue(json.contains("\"name\":\"model.light_squeezenet\"") && json.contains("\"unit\":\"ms\""), json);
    }
}
