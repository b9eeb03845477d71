package dev.accel.cli;

import dev.accel.conformance.CaseResult;
import dev.accel.conformance.ConformanceReport;
import dev.accel.conformance.ConformanceSuite;
import dev.accel.conformance.Outcome;
import dev.accel.conformance.Summary;
import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * {@code accel conformance}: runs the conformance suite on every available device (or one) and
 * writes {@code DIR/<device id>.json} and {@code DIR/<device id>.md} per device.
 */
final class ConformanceCommand implements Command {
    /** Failed cases printed per device; the reports hold all of them. */
    static final int MAX_LISTED = 20;

    private final Supplier<List<Backend>> discovery;
    private final BiFunction<Device, ConformanceSuite.Progress, ConformanceReport> suite;
    private final ReportWriter writer;

    /** Writes one device's report files. */
    @FunctionalInterface
    interface ReportWriter {
        void write(ConformanceReport report, Path json, Path markdown);

        /** The report's own writers. */
        ReportWriter STANDARD = (r, json, md) -> {
            r.writeJson(json);
            r.writeMarkdown(md);
        };
    }

    ConformanceCommand(Supplier<List<Backend>> discovery) {
        this(discovery, ConformanceSuite::run, ReportWriter.STANDARD);
    }

    /** With another suite and report writer, for tests. */
    ConformanceCommand(Supplier<List<Backend>> discovery,
                       BiFunction<Device, ConformanceSuite.Progress, ConformanceReport> suite, ReportWriter writer) {
        this.discovery = discovery;
        this.suite = suite;
        this.writer = writer;
    }

    @Override
    public String name() {
        return "conformance";
    }

    @Override
    public String summary() {
        return "run the conformance suite per device and write JSON and Markdown reports";
    }

    @Override
    public String help() {
        return """
                usage: accel conformance [--device ID] [--out DIR]

                Runs the conformance suite (every op x dtype x shape family against a float64
                reference, buffers and transfers, queue ordering and fences) on every available
                device, or on the one named, prints each device's summary and writes
                DIR/<device id>.json and DIR/<device id>.md. On a terminal a progress line shows the
                case being run; in logs the command prints only the summaries.

                options:
                  --device ID   only this device ("cpu:0"); see accel devices for the ids
                  --out DIR     report folder (default reports/conformance), created if missing
                  --help        this text

                Exit status 1 when any device has failed cases or unexpected passes, when the suite
                could not run on a device, or when a backend listed in ACCEL_REQUIRE is missing.
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = new ArgParser(name()).option("device", "ID").option("out", "DIR").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        Path outDir = Path.of(p.value("out", "reports/conformance"));
        String only = p.value("device", null);
        PrintStream out = io.out();
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            if (only != null && !set.deviceIds().contains(only)) {
                throw new UsageException("unknown device '" + only + "' for --device; devices here: "
                        + (set.deviceIds().isEmpty() ? "none" : String.join(", ", set.deviceIds())));
            }
            List<Device> devices = set.devices().stream().filter(d -> only == null || d.info().id().equals(only)).toList();
            if (devices.isEmpty()) {
                io.err().println("accel conformance: no device is available; run accel devices to see why");
                return Main.FAILED;
            }
            try {
                Files.createDirectories(outDir);
            } catch (IOException e) {
                io.err().println("accel conformance: cannot create the report folder " + outDir + ": " + e);
                return Main.FAILED;
            }
            boolean allOk = true;
            for (Device d : devices) {
                allOk &= runOne(d, outDir, io);
            }
            int required = DevicesCommand.checkRequired(set, io);
            out.println(allOk ? "conformance: every device passed" : "conformance: FAILED on at least one device");
            return allOk && required == Main.OK ? Main.OK : Main.FAILED;
        }
    }

    /** Runs the suite on one device, prints its summary, writes its reports; true when all passed. */
    private boolean runOne(Device d, Path outDir, Io io) {
        PrintStream out = io.out();
        String id = d.info().id();
        out.println("conformance on " + id + " (" + d.info().name() + ")");
        ProgressLine progress = new ProgressLine(io, id);
        ConformanceReport report;
        long t0 = System.nanoTime();
        try {
            report = suite.apply(d, progress);
        } catch (RuntimeException e) {
            progress.finish();
            io.err().println("  " + id + ": the suite could not run: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
        progress.finish();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Summary s = report.summary();
        out.printf("  %s: %d cases in %.1f s: %d passed, %d failed, %d unsupported, %d expected failures, "
                        + "%d unexpected passes -> %s%n", id, s.total(), seconds, s.passed(), s.failed(), s.unsupported(),
                s.expectedFailures(), s.unexpectedPasses(), s.ok() ? "OK" : "FAILED");
        listCases(out, report.cases(), Outcome.FAILED, "failed");
        listCases(out, report.cases(), Outcome.UNEXPECTED_PASS, "passed but listed as expected failure");
        Path json = outDir.resolve(id + ".json");
        Path md = outDir.resolve(id + ".md");
        try {
            writer.write(report, json, md);
        } catch (RuntimeException e) {
            io.err().println("  " + id + ": writing the reports failed: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage());
            return false;
        }
        out.println("  reports: " + json + ", " + md);
        return s.ok();
    }

    private static void listCases(PrintStream out, List<CaseResult> cases, Outcome outcome, String label) {
        List<CaseResult> hits = cases.stream().filter(c -> c.outcome() == outcome).toList();
        for (int i = 0; i < Math.min(MAX_LISTED, hits.size()); i++) {
            CaseResult c = hits.get(i);
            out.println("    " + label + ": " + c.id() + (c.detail() == null || c.detail().isEmpty() ? "" : ": " + c.detail()));
        }
        if (hits.size() > MAX_LISTED) {
            out.println("    ... and " + (hits.size() - MAX_LISTED) + " more " + label + " (see the reports)");
        }
    }
}
