package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.conformance.CaseResult;
import dev.accel.conformance.ConformanceReport;
import dev.accel.conformance.ConformanceSuite;
import dev.accel.conformance.Outcome;
import dev.accel.conformance.Summary;
import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceCommandTest {
    @TempDir
    Path tmp;

    private final List<String> ran = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();

    private static final Supplier<List<Backend>> TWO = () -> List.of(FakeBackend.of("fake",
            () -> List.of(FakeDevice.reference("fake:0"), FakeDevice.reference("fake:1"))));

    private static CaseResult result(String id, Outcome o, double abs, String detail) {
        return new CaseResult(id, id.substring(0, id.indexOf('/')), "float32", "[3, 17]", o, abs, abs, detail);
    }

    /** A suite that reports three cases per device, failing one on {@code failOn}, and reports progress. */
    private BiFunction<Device, ConformanceSuite.Progress, ConformanceReport> suite(String failOn) {
        return (d, progress) -> {
            ran.add(d.info().id());
            boolean fail = d.info().id().equals(failOn);
            List<CaseResult> cases = List.of(
                    result("Relu/f32/odd-17", Outcome.PASSED, 0, ""),
                    result("Conv/f32/depthwise", fail ? Outcome.FAILED : Outcome.PASSED, fail ? 0.5 : 1e-7,
                            fail ? "max abs error 0.5 > tolerance 1e-5" : ""),
                    result("Attention/f32/causal", Outcome.UNSUPPORTED, Double.NaN, "no attention yet"));
            for (int i = 0; i < cases.size(); i++) {
                progress.update(i + 1, cases.size(), cases.get(i).id());
            }
            return new ConformanceReport(d.info(), new Summary(fail ? 1 : 2, fail ? 1 : 0, 1, 0, 0), cases);
        };
    }

    private final ConformanceCommand.ReportWriter recorder = (report, json, md) -> {
        try {
            Files.writeString(json, "{\"device\": \"" + report.device().id() + "\"}");
            Files.writeString(md, "# " + report.device().id());
            written.add(json);
            written.add(md);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };

    private CliRunner.Result run(ConformanceCommand c, Map<String, String> env, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status;
            try {
                status = c.run(List.of(args), new Io(o, e, terminal, env));
            } catch (UsageException u) {
                e.print(u.getMessage());
                status = Main.USAGE;
            }
            return new CliRunner.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void runsEveryDeviceAndWritesReportsPerDevice() {
        Path dir = tmp.resolve("nested/reports");
        CliRunner.Result r = run(new ConformanceCommand(TWO, suite(null), recorder), Map.of(), false,
                "--out", dir.toString());
        assertEquals(Main.OK, r.status(), r.all());
        assertEquals(List.of("fake:0", "fake:1"), ran);
        assertEquals(List.of(dir.resolve("fake:0.json"), dir.resolve("fake:0.md"), dir.resolve("fake:1.json"),
                dir.resolve("fake:1.md")), written);
        assertTrue(Files.isDirectory(dir));
        assertTrue(r.out().matches("(?s).*  fake:1: 3 cases in [0-9.]+ s: 2 passed, 0 failed, 1 unsupported, "
                + "0 expected failures, 0 unexpected passes -> OK\n.*"), r.all());
        assertTrue(r.out().contains("  reports: " + dir.resolve("fake:0.json") + ", " + dir.resolve("fake:0.md")), r.all());
        assertTrue(r.out().endsWith("conformance: every device passed\n"), r.all());
        assertEquals("", r.err(), "no progress output outside a terminal");
    }

    @Test
    void aFailedCaseFailsTheRunAndIsListed() {
        CliRunner.Result r = run(new ConformanceCommand(TWO, suite("fake:0"), recorder), Map.of(), false,
                "--out", tmp.toString());
        assertEquals(Main.FAILED, r.status(), r.all());
        assertEquals(List.of("fake:0", "fake:1"), ran, "a failing device does not stop the others");
        assertTrue(r.out().contains("1 passed, 1 failed, 1 unsupported, 0 expected failures, 0 unexpected passes -> FAILED"),
                r.all());
        assertTrue(r.out().contains("    failed: Conv/f32/depthwise: max abs error 0.5 > tolerance 1e-5\n"), r.all());
        assertTrue(r.out().endsWith("conformance: FAILED on at least one device\n"), r.all());
        assertEquals(4, written.size(), "the failing device's reports are written too");
    }

    @Test
    void deviceOptionSelectsOneAndUnknownIdsAreListed() {
        CliRunner.Result r = run(new ConformanceCommand(TWO, suite(null), recorder), Map.of(), false,
                "--device", "fake:1", "--out", tmp.toString());
        assertEquals(Main.OK, r.status(), r.all());
        assertEquals(List.of("fake:1"), ran);
        CliRunner.Result bad = CliRunner.run(TWO, "conformance", "--device", "gpu:7", "--out", tmp.toString());
        assertEquals(Main.USAGE, bad.status(), bad.all());
        assertTrue(bad.err().contains("unknown device 'gpu:7' for --device; devices here: fake:0, fake:1"), bad.all());
    }

    @Test
    void aSuiteThatCannotRunIsAFailureNamingTheError() {
        CliRunner.Result r = run(new ConformanceCommand(TWO, (d, p) -> {
            throw new UnsupportedOperationException("TODO");
        }, recorder), Map.of(), false, "--out", tmp.toString());
        assertEquals(Main.FAILED, r.status(), r.all());
        assertTrue(r.err().contains("  fake:0: the suite could not run: UnsupportedOperationException: TODO"), r.all());
        assertTrue(written.isEmpty());
    }

    @Test
    void progressIsShownOnATerminalOnly() {
        CliRunner.Result r = run(new ConformanceCommand(TWO, suite(null), recorder), Map.of(), true,
                "--device", "fake:0", "--out", tmp.toString());
        assertTrue(r.err().contains("\rfake:0 3/3 Attention/f32/causal"), r.all());
        assertTrue(r.err().endsWith("\r"), "the progress line is cleared at the end");
        CliRunner.Result quiet = run(new ConformanceCommand(TWO, suite(null), recorder), Map.of(), false,
                "--device", "fake:0", "--out", tmp.toString());
        assertFalse(quiet.err().contains("\r"), quiet.all());
    }

    @Test
    void aMissingRequiredBackendFailsAPassingRun() {
        CliRunner.Result r = run(new ConformanceCommand(TWO, suite(null), recorder), Map.of("ACCEL_REQUIRE", "fake,vulkan"),
                false, "--out", tmp.toString());
        assertEquals(Main.FAILED, r.status(), r.all());
        assertTrue(r.err().contains("ACCEL_REQUIRE=fake,vulkan: missing vulkan (not on the class path of this accel)"),
                r.all());
    }

    @Test
    void standardWriterProducesJsonWithSummaryCountsAndMarkdown() throws IOException {
        CliRunner.Result r = run(new ConformanceCommand(TWO, suite("fake:1"), ConformanceCommand.ReportWriter.STANDARD),
                Map.of(), false, "--out", tmp.toString());
        assertEquals(Main.FAILED, r.status(), r.all());
        String json = Files.readString(tmp.resolve("fake:1.json"));
        assertTrue(json.replaceAll("\\s", "").contains("\"passed\":1"), json);
        assertTrue(json.replaceAll("\\s", "").contains("\"failed\":1"), json);
        assertTrue(json.contains("\"cases\""), json);
        assertTrue(json.contains("Conv/f32/depthwise") || json.contains("\"Conv\""), json);
        assertTrue(Files.readString(tmp.resolve("fake:1.md")).contains("Conv"));
    }
}
