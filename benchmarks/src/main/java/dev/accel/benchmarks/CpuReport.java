package dev.accel.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one CPU suite run: the records, and facts about the run (machine, threads, vector
 * width, peer versions and settings, measurement mode) that a reader needs to interpret them.
 *
 * @param records one per case, in the order measured
 * @param facts name to value, in insertion order
 */
public record CpuReport(List<BenchRecord> records, Map<String, String> facts) {
    public CpuReport {
        records = List.copyOf(records);
        facts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facts));
    }

    /** Records whose goal is not met in this run. */
    public List<BenchRecord> missedGoals() {
        return records.stream().filter(r -> !r.goalMet()).toList();
    }

    /** The table: case, peer, ours, peer value, unit, ratio, fraction of peak, goal. */
    public String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"case", "peer", "ours", "peer", "unit", "ratio", "of peak", "goal"});
        for (BenchRecord r : records) {
            String goal = r.goal().isEmpty() ? "" : (r.goalMet() ? "met: " : "MISSED: ") + r.goal();
            rows.add(new String[] {r.name(), r.peerName(), num(r.ours()), num(r.peer()), r.unit(),
                ratio(r.ratio()), percent(r.fractionOfPeak()), goal});
        }
        int cols = rows.getFirst().length;
        int[] w = new int[cols];
        for (String[] row : rows) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], row[c].length());
            }
        }
        boolean[] right = {false, false, true, true, false, true, true, false};
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                String pad = " ".repeat(w[c] - row[c].length());
                line.append(c == 0 ? "" : "  ").append(right[c] ? pad + row[c] : row[c] + pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** The report as JSON: {@code {"facts": {...}, "records": [{name, ours, peer, unit, ratio, fractionOfPeak, ...}]}}. */
    public String json() {
        StringBuilder sb = new StringBuilder("{\n  \"facts\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : facts.entrySet()) {
            sb.append(first ? "\n" : ",\n").append("    ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
            first = false;
        }
        sb.append("\n  },\n  \"records\": [");
        first = true;
        for (BenchRecord r : records) {
            sb.append(first ? "\n" : ",\n").append("    {")
                    .append("\"name\": ").append(str(r.name()))
                    .append(", \"ours\": ").append(jsonNum(r.ours()))
                    .append(", \"peer\": ").append(jsonNum(r.peer()))
                    .append(", \"unit\": ").append(str(r.unit()))
                    .append(", \"ratio\": ").append(jsonNum(r.ratio()))
                    .append(", \"fractionOfPeak\": ").append(jsonNum(r.fractionOfPeak()))
                    .append(", \"peerName\": ").append(str(r.peerName()))
                    .append(", \"goal\": ").append(str(r.goal()))
                    .append(", \"goalMet\": ").append(r.goalMet())
                    .append('}');
            first = false;
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2fx", v);
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    private static String jsonNum(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
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
