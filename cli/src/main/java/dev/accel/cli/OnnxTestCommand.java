package dev.accel.cli;

import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import dev.accel.onnx.OnnxTestReport;
import dev.accel.onnx.OnnxTestResult;
import dev.accel.onnx.OnnxTestRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code accel onnx-test DIR...}: runs ONNX backend-test folders on the devices and reports per folder. */
final class OnnxTestCommand implements Command {
    private static final int MAX_LISTED = 20;

    private final Supplier<List<Backend>> discovery;

    OnnxTestCommand(Supplier<List<Backend>> discovery) {
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "onnx-test";
    }

    @Override
    public String summary() {
        return "run ONNX backend-test folders (model.onnx + test_data_set_N) per device";
    }

    @Override
    public String help() {
        return """
                usage: accel onnx-test DIR... [--device ID] [--out FILE.json] [--expected FILE]

                Runs every test folder in the standard ONNX layout (model.onnx and
                test_data_set_N/input_*.pb, output_*.pb) found under the DIRs, on every available
                device or the one named, and reports per folder and device: passed, failed, or not
                applicable with the reason (an op outside the op set, a sequence or string type),
                with the largest absolute and relative errors.

                options:
                  --device ID       only this device ("cpu:0")
                  --out FILE.json   write the report (top level "summary" with passed, failed,
                                    notApplicable, expectedFailures, then the results)
                  --expected FILE   expected failures: "group/test_name<TAB>reason" per line
                  --help            this text

                Exit status 1 when any folder failed on any device.
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = new ArgParser(name()).positionals("DIR").option("device", "ID").option("out", "FILE.json")
                .option("expected", "FILE").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        if (p.positionals().isEmpty()) {
            throw new UsageException("expects at least one test folder, e.g. ../shared/conformance/onnx/node");
        }
        List<Path> dirs = p.positionals().stream().map(Path::of).toList();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new UsageException("test folder '" + d + "' does not exist or is not a folder");
            }
        }
        Map<String, String> expected = Map.of();
        String expectedFile = p.value("expected", null);
        if (expectedFile != null) {
            try {
                expected = OnnxTestRunner.parseExpectedFailures(Files.readString(Path.of(expectedFile)));
            } catch (IOException e) {
                throw new UsageException("cannot read --expected file '" + expectedFile + "': " + e.getMessage());
            }
        }
        String only = p.value("device", null);
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            if (only != null && !set.deviceIds().contains(only)) {
                throw new UsageException("unknown device '" + only + "' for --device; devices here: "
                        + (set.deviceIds().isEmpty() ? "none" : String.join(", ", set.deviceIds())));
            }
            List<Device> devices = set.devices().stream().filter(d -> only == null || d.info().id().equals(only)).toList();
            if (devices.isEmpty()) {
                io.err().println("accel onnx-test: no device is available; run accel devices to see why");
                return Main.FAILED;
            }
            boolean ok = true;
            for (Device d : devices) {
                OnnxTestReport r = OnnxTestRunner.run(dirs, List.of(d), expected);
                io.out().println(d.info().id() + ": " + r.summaryLine());
                List<OnnxTestResult> failed = r.withOutcome(OnnxTestResult.Outcome.FAILED);
                failed.stream().limit(MAX_LISTED).forEach(f -> io.out().println("    failed: " + f));
                if (failed.size() > MAX_LISTED) {
                    io.out().println("    ... and " + (failed.size() - MAX_LISTED) + " more failed (see --out)");
                }
                ok &= failed.isEmpty() && r.unexpectedPasses() == 0;
                String out = p.value("out", null);
                if (out != null) {
                    Path file = devices.size() == 1 ? Path.of(out) : withDeviceSuffix(Path.of(out), d.info().id());
                    try {
                        r.writeJson(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException("writing " + file, e);
                    }
                    io.out().println("    report: " + file);
                }
            }
            return ok ? Main.OK : Main.FAILED;
        }
    }

    /** {@code report.json} for device {@code cpu:0} becomes {@code report-cpu_0.json}. */
    static Path withDeviceSuffix(Path file, String deviceId) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot);
        return file.resolveSibling(stem + "-" + deviceId.replace(':', '_') + ext);
    }
}
