package dev.accel.cli;

import java.util.List;

/** One {@code accel} subcommand. */
interface Command {
    /** The word that selects it: "devices". */
    String name();

    /** One line for the command list. */
    String summary();

    /** The full text {@code --help} prints: usage line, description, options. */
    String help();

    /**
     * Runs the command with the arguments after its name.
     *
     * @return the exit status: 0 ok, 1 failures (failed cases, devices that could not run)
     * @throws UsageException when the arguments are wrong (exit status 2)
     */
    int run(List<String> args, Io io);
}
