package dev.accel.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link ConformanceReport} as Markdown a person reads at a glance: the device, a summary
 * line, one table row per op and dtype (cases, passed, failed, unsupported with the reasons,
 * expected failures, unexpected passes), then every case that did not pass, with its errors and
 * detail.
 */
final class MarkdownReport {
    private static final int MAX_DETAIL = 400;

    private MarkdownReport() {
    }

    /** Counts of one op and dtype. */
    private static final class Row {
        int cases;
        int passed;
        int failed;
        int unsupported;
        int expected;
        int unexpected;
        final Set<String> reasons = new LinkedHashSet<>();
    }

    static String render(ConformanceReport r) {
        StringBuilder b = new StringBuilder();
        var d = r.device();
        b.append("# Conformance of ").append(d.id()).append("\n\n");
        b.append("Device: ").append(esc(d.name())).append(" (").append(d.kind()).append(", ")
                .append(String.format(Locale.ROOT, "%.1f GiB", d.memoryBytes() / (double) (1L << 30)))
                .append(d.sharesHostMemory() ? ", shares host memory" : "").append(")");
        d.details().forEach((k, v) -> b.append("; ").append(esc(k)).append(": ").append(esc(v)));
        b.append("\n\n");
        Summary s = r.summary();
        b.append("**").append(s.ok() ? "OK" : "NOT OK").append("**: ").append(s).append("\n\n");

        Map<String, Row> rows = new LinkedHashMap<>();
        for (CaseResult c : r.cases()) {
            Row row = rows.computeIfAbsent(c.op() + "\u0000" + c.dtype(), k -> new Row());
            row.cases++;
            switch (c.outcome()) {
                case PASSED -> row.passed++;
                case FAILED -> row.failed++;
                case UNSUPPORTED -> {
                    row.unsupported++;
                    row.reasons.add(c.detail());
                }
                case EXPECTED_FAILURE -> row.expected++;
                case UNEXPECTED_PASS -> row.unexpected++;
            }
        }
        b.append("| op | dtype | cases | passed | failed | unsupported | expected failures | unexpected passes | notes |\n");
        b.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            String[] key = e.getKey().split("\u0000", 2);
            Row row = e.getValue();
            b.append("| ").append(esc(key[0])).append(" | ").append(esc(key[1])).append(" | ").append(row.cases)
                    .append(" | ").append(row.passed).append(" | ").append(zero(row.failed)).append(" | ")
                    .append(zero(row.unsupported)).append(" | ").append(zero(row.expected)).append(" | ")
                    .append(zero(row.unexpected)).append(" | ")
                    .append(row.reasons.isEmpty() ? "" : "unsupported: " + esc(String.join("; ", row.reasons)))
                    .append(" |\n");
        }

        List<CaseResult> notPassing = new ArrayList<>();
        for (CaseResult c : r.cases()) {
            if (c.outcome() == Outcome.FAILED || c.outcome() == Outcome.EXPECTED_FAILURE
                    || c.outcome() == Outcome.UNEXPECTED_PASS) {
                notPassing.add(c);
            }
        }
        if (!notPassing.isEmpty()) {
            b.append("\n## Cases not passing\n\n");
            b.append("| case | outcome | shapes | max abs error | max rel error | detail |\n");
            b.append("| --- | --- | --- | ---: | ---: | --- |\n");
            for (CaseResult c : notPassing) {
                b.append("| ").append(esc(c.id())).append(" | ").append(c.outcome()).append(" | ").append(esc(c.shape()))
                        .append(" | ").append(err(c.maxAbsError())).append(" | ").append(err(c.maxRelError())).append(" | ")
                        .append(esc(shorten(c.detail()))).append(" |\n");
            }
        }
        return b.toString();
    }

    private static String zero(int n) {
        return n == 0 ? "" : String.valueOf(n);
    }

    private static String err(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String shorten(String s) {
        return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "...";
    }

    /** Escapes what would break a table cell or start Markdown markup. */
    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ").replace("*", "\\*")
                .replace("_", "\\_").replace("<", "&lt;");
    }
}
