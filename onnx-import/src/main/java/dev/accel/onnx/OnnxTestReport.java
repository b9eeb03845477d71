package dev.accel.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The results of an ONNX backend-test run: one {@link OnnxTestResult} per folder and device, and
 * the summary counts. {@link #toJson()} writes a top-level {@code summary} object with integer
 * {@code passed}, {@code failed}, {@code notApplicable}, {@code expectedFailures} (and
 * {@code unexpectedPasses}), then the {@code tests} list.
 */
public record OnnxTestReport(List<OnnxTestResult> results) {
    public OnnxTestReport {
        results = List.copyOf(results);
    }

    public long passed() {
        return count(OnnxTestResult.Outcome.PASSED);
    }

    public long failed() {
        return count(OnnxTestResult.Outcome.FAILED);
    }

    public long notApplicable() {
        return count(OnnxTestResult.Outcome.NOT_APPLICABLE);
    }

    public long expectedFailures() {
        return count(OnnxTestResult.Outcome.EXPECTED_FAILURE);
    }

    /** Tests listed as expected failures that passed: the list should lose them. */
    public long unexpectedPasses() {
        return results.stream().filter(OnnxTestResult::unexpectedPass).count();
    }

    private long count(OnnxTestResult.Outcome o) {
        return results.stream().filter(r -> r.outcome() == o).count();
    }

    /** The results of one outcome. */
    public List<OnnxTestResult> withOutcome(OnnxTestResult.Outcome o) {
        return results.stream().filter(r -> r.outcome() == o).toList();
    }

    /** One line: the four counts. */
    public String summaryLine() {
        return String.format(Locale.ROOT, "passed %d, failed %d, not applicable %d, expected failures %d, unexpected passes %d (of %d)",
                passed(), failed(), notApplicable(), expectedFailures(), unexpectedPasses(), results.size());
    }

    /** The report as JSON. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n  \"summary\": {");
        sb.append("\"passed\": ").append(passed()).append(", \"failed\": ").append(failed()).append(", \"notApplicable\": ")
                .append(notApplicable()).append(", \"expectedFailures\": ").append(expectedFailures())
                .append(", \"unexpectedPasses\": ").append(unexpectedPasses()).append("},\n  \"tests\": [");
        for (int i = 0; i < results.size(); i++) {
            OnnxTestResult r = results.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"test\": ").append(str(r.test())).append(", \"device\": ").append(str(r.device()))
                    .append(", \"outcome\": ").append(str(r.outcome().json())).append(", \"reason\": ").append(str(r.reason()))
                    .append(", \"maxAbsError\": ").append(num(r.maxAbsError())).append(", \"maxRelError\": ").append(num(r.maxRelError()))
                    .append(", \"unexpectedPass\": ").append(r.unexpectedPass()).append(", \"millis\": ").append(r.millis()).append('}');
        }
        sb.append(results.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
        return sb.toString();
    }

    /** Writes {@link #toJson()} to a file, creating its folder. */
    public void writeJson(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
