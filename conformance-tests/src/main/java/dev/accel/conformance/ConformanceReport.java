package dev.accel.conformance;

import dev.accel.hal.DeviceInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The conformance results of one device: writes {@code <device id>.json} (top level: {@code device},
 * {@code summary} with integer counts {@code passed}, {@code failed}, {@code unsupported},
 * {@code expectedFailures}, {@code unexpectedPasses}, and {@code cases}) and {@code <device id>.md}.
 *
 * <p>In the JSON, each case has {@code id}, {@code op}, {@code dtype}, {@code shape}, {@code outcome}
 * (an {@link Outcome} name), {@code maxAbsError}, {@code maxRelError} (numbers, or null when not
 * measured or not finite) and {@code detail}; the summary also has {@code total} and {@code ok}.
 */
public record ConformanceReport(DeviceInfo device, Summary summary, List<CaseResult> cases) {
    public ConformanceReport {
        cases = List.copyOf(cases);
    }

    /** The JSON text. */
    public String toJson() {
        return JsonReport.render(this);
    }

    /** The Markdown text. */
    public String toMarkdown() {
        return MarkdownReport.render(this);
    }

    /**
     * Writes the JSON report to {@code file}, creating its folder if needed.
     *
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    public void writeJson(Path file) {
        write(file, toJson());
    }

    /**
     * Writes the Markdown report to {@code file}: a table per op and dtype, then the cases not passing.
     *
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    public void writeMarkdown(Path file) {
        write(file, toMarkdown());
    }

    private static void write(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the conformance report " + file + ": " + e.getMessage(), e);
        }
    }
}
