package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code accel analyze} and {@code accel onnx-test} on the shared ONNX corpus. */
class ModelCommandsTest {
    /** The shared corpus beside the repository; tests that need it skip with this reason when absent. */
    private static final Path CORPUS = Path.of("..", "..", "shared", "conformance", "onnx").toAbsolutePath().normalize();
    private static final Supplier<List<Backend>> CPU = () -> List.of(Backends.find("cpu").orElseThrow());

    private static Path corpus(String relative) {
        Path p = CORPUS.resolve(relative);
        assumeTrue(Files.exists(p), "the shared ONNX corpus is absent (" + p + "): these tests read ../shared/conformance/onnx");
        return p;
    }

    @Test
    void analyzePrintsResNet50Totals() {
        Path model = corpus("light/light_resnet50.onnx");
        CliRunner.Result r = CliRunner.run(CPU, "analyze", model.toString());
        assertEquals(Main.OK, r.status(), r.all());
        // Published ResNet-50: about 4.1 G multiply-accumulates and 25.6 M parameters.
        assertTrue(r.out().contains("MACs 4.09 G"), r.all());
        assertTrue(r.out().contains("parameters 25.5"), r.all());
    }

    @Test
    void analyzeRejectsAMissingFileAndBadBindings() {
        CliRunner.Result r = CliRunner.run(CPU, "analyze", "no-such-model.onnx");
        assertEquals(Main.USAGE, r.status());
        assertTrue(r.err().contains("'no-such-model.onnx' does not exist"), r.all());
        assertEquals(Map.of("batch", 8, "seq", 128), AnalyzeCommand.bindings("batch=8, seq=128"));
        UsageException e = assertThrows(UsageException.class, () -> AnalyzeCommand.bindings("batch=-1"));
        assertTrue(e.getMessage().contains("batch=-1"), e.getMessage());
    }

    @Test
    void onnxTestRunsFoldersOnTheCpuAndWritesJson(@TempDir Path tmp) throws Exception {
        Path relu = corpus("node/test_leakyrelu");
        Path add = corpus("node/test_prelu_broadcast");
        Path out = tmp.resolve("report.json");
        CliRunner.Result r = CliRunner.run(CPU, "onnx-test", relu.toString(), add.toString(), "--out", out.toString());
        assertEquals(Main.OK, r.status(), r.all());
        assertTrue(r.out().contains("cpu:0: passed 2, failed 0"), r.all());
        String json = Files.readString(out).replaceAll("\\s", "");
        assertTrue(json.contains("\"passed\":2"), json);
        assertTrue(json.contains("\"notApplicable\":0"), json);
    }

    @Test
    void onnxTestNamesAnUnknownDevice() {
        Path relu = corpus("node/test_leakyrelu");
        CliRunner.Result r = CliRunner.run(CPU, "onnx-test", relu.toString(), "--device", "gpu:7");
        assertEquals(Main.USAGE, r.status());
        assertTrue(r.err().contains("unknown device 'gpu:7'") && r.err().contains("cpu:0"), r.all());
        assertEquals(Path.of("r-cpu_0.json"), OnnxTestCommand.withDeviceSuffix(Path.of("r.json"), "cpu:0"));
    }
}
