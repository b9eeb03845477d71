package dev.accel.conformance;

import java.util.Map;

/**
 * Writes a {@link ConformanceReport} as JSON by hand (no library): an object with {@code device},
 * {@code summary} (integer counts and {@code ok}) and {@code cases}, one case per line. Errors that
 * are NaN (not measured) or infinite (a non-finite value not matched) are written as {@code null}.
 */
final class JsonReport {
    private JsonReport() {
    }

    static String render(ConformanceReport r) {
        StringBuilder b = new StringBuilder(256 + r.cases().size() * 200);
        var d = r.device();
        b.append("{\n  \"device\": {");
        b.append("\"id\": ").append(str(d.id()));
        b.append(", \"name\": ").append(str(d.name()));
        b.append(", \"kind\": ").append(str(d.kind().name()));
        b.append(", \"memoryBytes\": ").append(d.memoryBytes());
        b.append(", \"sharesHostMemory\": ").append(d.sharesHostMemory());
        b.append(", \"details\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : d.details().entrySet()) {
            b.append(first ? "" : ", ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
            first = false;
        }
        b.append("}},\n");
        Summary s = r.summary();
        b.append("  \"summary\": {\"total\": ").append(s.total())
                .append(", \"passed\": ").append(s.passed())
                .append(", \"failed\": ").append(s.failed())
                .append(", \"unsupported\": ").append(s.unsupported())
                .append(", \"expectedFailures\": ").append(s.expectedFailures())
                .append(", \"unexpectedPasses\": ").append(s.unexpectedPasses())
                .append(", \"ok\": ").append(s.ok()).append("},\n");
        b.append("  \"cases\": [");
        for (int i = 0; i < r.cases().size(); i++) {
            CaseResult c = r.cases().get(i);
            b.append(i == 0 ? "\n" : ",\n");
            b.append("    {\"id\": ").append(str(c.id()))
                    .append(", \"op\": ").append(str(c.op()))
                    .append(", \"dtype\": ").append(str(c.dtype()))
                    .append(", \"shape\": ").append(str(c.shape()))
                    .append(", \"outcome\": ").append(str(c.outcome().name()))
                    .append(", \"maxAbsError\": ").append(num(c.maxAbsError()))
                    .append(", \"maxRelError\": ").append(num(c.maxRelError()))
                    .append(", \"detail\": ").append(str(c.detail())).append('}');
        }
        b.append(r.cases().isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
        return b.toString();
    }

    /** A finite number in a JSON-valid form, else null. */
    static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    /** A JSON string literal; null becomes the empty string. */
    static String str(String s) {
        if (s == null) {
            return "\"\"";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
