package dev.accel.conformance;

import dev.accel.hal.DeviceInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * The conformance results of one device: writes {@code <device id>.json} (top level: {@code device},
 * {@code summary} with integer counts {@code passed}, {@code failed}, {@code unsupported},
 * {@code expectedFailures}, {@code unexpectedPasses}, and {@code cases}) and {@code <device id>.md}.
 */
public record ConformanceReport(DeviceInfo device, Summary summary, List<CaseResult> cases) {
    /** Writes the JSON report to {@code file}. */
    public void writeJson(Path file) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Writes the Markdown report to {@code file}: a table per op and dtype. */
    public void writeMarkdown(Path file) {
        throw new UnsupportedOperationException("TODO");
    }
}
