package dev.accel.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trace of one run in the Chrome trace-event format, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open: one process per device, with a "compute" and a "transfer" thread (its two
 * queues), a complete event ("ph":"X") per kernel and per transfer, and instant events for what
 * happened to the run (a device failing, the work re-placed). Times are microseconds from the
 * start of the run. Immutable.
 */
public final class Trace {
    /**
     * One span.
     *
     * @param device the device id (the process)
     * @param lane "compute" or "transfer" (the thread)
     * @param name what ran: the node, or "read x" / "write x" / "copy x cpu:0 -> npu:0"
     * @param category "kernel", "conversion", "view", "read", "write" or "copy" (a direct copy between two
     *     devices, on the queue that made it; its "path" argument is "via host" when the buffers had no
     *     host segment after all and it went through host memory)
     * @param startMicros start, microseconds from the run's start
     * @param durationMicros duration, microseconds
     * @param args extra facts (op, region, estimate)
     */
    public record Span(String device, String lane, String name, String category, double startMicros, double durationMicros,
                       Map<String, String> args) {
        public Span {
            args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }
    }

    /**
     * Something that happened at an instant of the run.
     *
     * @param name a short title
     * @param atMicros when, microseconds from the run's start
     * @param detail the full message
     */
    public record Instant(String name, double atMicros, String detail) {
    }

    private final List<Span> spans;
    private final List<Instant> instants;

    Trace(List<Span> spans, List<Instant> instants) {
        this.spans = List.copyOf(spans);
        this.instants = List.copyOf(instants);
    }

    public List<Span> spans() {
        return spans;
    }

    public List<Instant> instants() {
        return instants;
    }

    /** The JSON document. */
    public String toJson() {
        List<String> devices = new ArrayList<>();
        for (Span s : spans) {
            if (!devices.contains(s.device())) {
                devices.add(s.device());
            }
        }
        StringBuilder sb = new StringBuilder("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
        boolean first = true;
        for (int i = 0; i < devices.size(); i++) {
            first = sep(sb, first);
            sb.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":").append(i + 1).append(",\"args\":{\"name\":\"")
                    .append(esc(devices.get(i))).append("\"}}");
            for (int lane = 1; lane <= 2; lane++) {
                sb.append(",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":").append(i + 1).append(",\"tid\":").append(lane)
                        .append(",\"args\":{\"name\":\"").append(lane == 1 ? "compute" : "transfer").append("\"}}");
            }
        }
        for (Span s : spans) {
            first = sep(sb, first);
            sb.append("{\"name\":\"").append(esc(s.name())).append("\",\"cat\":\"").append(esc(s.category()))
                    .append("\",\"ph\":\"X\",\"pid\":").append(devices.indexOf(s.device()) + 1).append(",\"tid\":")
                    .append(s.lane().equals("compute") ? 1 : 2).append(",\"ts\":").append(num(s.startMicros())).append(",\"dur\":")
                    .append(num(s.durationMicros())).append(",\"args\":{");
            boolean firstArg = true;
            for (var e : s.args().entrySet()) {
                sb.append(firstArg ? "" : ",").append('"').append(esc(e.getKey())).append("\":\"").append(esc(e.getValue())).append('"');
                firstArg = false;
            }
            sb.append("}}");
        }
        for (Instant in : instants) {
            first = sep(sb, first);
            sb.append("{\"name\":\"").append(esc(in.name())).append("\",\"ph\":\"i\",\"s\":\"g\",\"pid\":0,\"tid\":0,\"ts\":")
                    .append(num(in.atMicros())).append(",\"args\":{\"detail\":\"").append(esc(in.detail())).append("\"}}");
        }
        sb.append("\n]}\n");
        return sb.toString();
    }

    /** Writes {@link #toJson()} to a file. */
    public void write(Path file) {
        try {
            Files.writeString(file, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace to " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean sep(StringBuilder sb, boolean first) {
        if (!first) {
            sb.append(",\n");
        }
        return false;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder();
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
        return sb.toString();
    }
}
