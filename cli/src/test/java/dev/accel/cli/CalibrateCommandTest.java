package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** {@code accel calibrate} measures, caches per device id, and the planning commands then use the cache. */
class CalibrateCommandTest {
    private static final Supplier<List<Backend>> CPU = () -> List.of(Backends.find("cpu").orElseThrow());

    @Test
    void calibrateCachesAProfileThatPlanThenReads(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of(Profiles.DIR_VARIABLE, dir.toString());
        CliRunner.Result shown = CliRunner.run(CPU, env, false, "calibrate", "--show");
        assertEquals(Main.OK, shown.status(), shown.all());
        assertTrue(shown.out().contains("cached:   none (run accel calibrate)"), shown.all());

        CliRunner.Result r = CliRunner.run(CPU, env, false, "calibrate", "--device", "cpu", "--quick");
        assertEquals(Main.OK, r.status(), r.all());
        assertTrue(r.out().contains("declared: ") && r.out().contains("(declared)"), r.all());
        assertTrue(r.out().contains("measured: ") && r.out().contains("(measured)") && r.out().contains("efficiency {"), r.all());
        Path file = dir.resolve("cpu_0.properties");
        assertTrue(Files.isRegularFile(file), "no cache file " + file + ":\n" + r.all());
        assertTrue(Files.readString(file).contains("efficiency.Conv.depthwise="), Files.readString(file));

        Path model = Path.of("..", "..", "shared", "conformance", "onnx", "light", "light_squeezenet.onnx").toAbsolutePath().normalize();
        assumeTrue(Files.exists(model), "the shared ONNX corpus is absent (" + model + "): the plan half reads it");
        CliRunner.Result plan = CliRunner.run(CPU, env, false, "plan", model.toString());
        assertEquals(Main.OK, plan.status(), plan.all());
        assertTrue(plan.out().contains("profiles: measured for cpu:0 (from " + dir + ")"), plan.all());
    }

    @Test
    void withoutACacheThePlanSaysItsProfilesAreDeclared() throws Exception {
        Path model = Path.of("..", "..", "shared", "conformance", "onnx", "light", "light_squeezenet.onnx").toAbsolutePath().normalize();
        assumeTrue(Files.exists(model), "the shared ONNX corpus is absent (" + model + ")");
        CliRunner.Result plan = CliRunner.run(CPU, "plan", model.toString());
        assertEquals(Main.OK, plan.status(), plan.all());
        assertTrue(plan.out().contains("profiles: declared for cpu:0 (run accel calibrate to measure them)"), plan.all());
    }

    @Test
    void anUnknownDeviceIsAUsageError() {
        CliRunner.Result r = CliRunner.run(CPU, "calibrate", "--device", "gpu");
        assertEquals(Main.USAGE, r.status(), r.all());
        assertTrue(r.err().contains("--device gpu: no such available device; available: [cpu:0]"), r.all());
    }
}
