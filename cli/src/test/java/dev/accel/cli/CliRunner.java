package dev.accel.cli;

import dev.accel.hal.Backend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Runs {@link Main} in-process with captured streams, for tests. */
final class CliRunner {
    /** What a run printed and returned. */
    record Result(int status, String out, String err) {
        /** Out and err together, for messages. */
        String all() {
            return "exit " + status + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    private CliRunner() {
    }

    static Result run(Supplier<List<Backend>> discovery, Map<String, String> env, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status = new Main(discovery).run(List.of(args), new Io(o, e, terminal, env));
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    static Result run(Supplier<List<Backend>> discovery, String... args) {
        return run(discovery, Map.of(), false, args);
    }
}
