package dev.accel.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with a header row, columns padded to their widest cell. Columns whose header
 * ends with ">" are right-aligned (for numbers); the marker is not printed.
 */
final class TextTable {
    private final List<String> headers = new ArrayList<>();
    private final List<Boolean> right = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... headers) {
        for (String h : headers) {
            boolean r = h.endsWith(">");
            this.headers.add(r ? h.substring(0, h.length() - 1) : h);
            this.right.add(r);
        }
    }

    /** Adds a row; it must have one cell per column. */
    TextTable row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, the table has " + headers.size()
                    + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** The table, each line starting with {@code indent} and ending with a newline. */
    String render(String indent) {
        int[] w = new int[headers.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = headers.get(c).length();
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, indent, headers, w);
        for (List<String> r : rows) {
            line(sb, indent, r, w);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, String indent, List<String> cells, int[] w) {
        StringBuilder l = new StringBuilder(indent);
        for (int c = 0; c < w.length; c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(w[c] - cell.length());
            l.append(c == 0 ? "" : "  ").append(right.get(c) ? pad + cell : cell + pad);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }

    /** Bytes in binary units: "512 B", "3.0 KiB", "15.6 GiB". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
