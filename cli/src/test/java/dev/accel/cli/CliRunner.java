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

    /**
     * Runs with an environment that names an empty profile folder, so that no profile a developer
     * cached with accel calibrate changes what the tests see.
     */
    static Result run(Supplier<List<Backend>> discovery, String... args) {
        return run(discovery, Map.of(Profiles.DIR_VARIABLE, EMPTY_PROFILES.toString()), false, args);
    }

    private static final java.nio.file.Path EMPTY_PROFILES = emptyFolder();

    private static java.nio.file.Path emptyFolder() {
        try {
            java.nio.file.Path p = java.nio.file.Files.createTempDirectory("accel-test-profiles");
            p.toFile().deleteOnExit();
            return p;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
