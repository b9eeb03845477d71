package dev.accel.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * Where a command prints and what it knows of its surroundings, passed in so that tests can
 * capture output and set the environment.
 *
 * @param out normal output
 * @param err diagnostics and progress
 * @param terminal true when {@code err} is an interactive terminal, so a progress line that
 *     rewrites itself is welcome; false in logs and pipes
 * @param env the environment variables the commands read ({@code ACCEL_REQUIRE})
 */
record Io(PrintStream out, PrintStream err, boolean terminal, Map<String, String> env) {
    Io {
        env = Map.copyOf(env);
    }

    /** The process's own streams and environment. */
    static Io system() {
        // Since JDK 22 System.console() is non-null even when redirected; isTerminal() tells the truth.
        java.io.Console c = System.console();
        return new Io(System.out, System.err, c != null && c.isTerminal(), System.getenv());
    }
}
