package dev.accel.cli;

import dev.accel.hal.AccelException;
import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code accel} command. {@code ./accel} at the repository root starts it with the JVM flags it
 * needs ({@code --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED}).
 *
 * <p>Exit status: 0 when the command succeeded, 1 when it ran and found failures (failed
 * conformance cases, a device that could not run the demo, a backend required by
 * {@code ACCEL_REQUIRE} missing), 2 for a usage error.
 */
public final class Main {
    /** Exit status of a command that succeeded. */
    public static final int OK = 0;
    /** Exit status of a command that ran and found failures. */
    public static final int FAILED = 1;
    /** Exit status of a command line that could not be run as written. */
    public static final int USAGE = 2;

    private final Map<String, Command> commands = new LinkedHashMap<>();

    /** The commands, discovering backends with {@code discovery}. */
    Main(Supplier<List<Backend>> discovery) {
        for (Command c : List.of(
                new DevicesCommand(discovery),
                new ConformanceCommand(discovery),
                new DemoCommand(discovery),
                new AnalyzeCommand(),
                new PlanCommand(discovery),
                new RunCommand(discovery),
                new OnnxTestCommand(discovery),
                new CalibrateCommand(discovery),
                new BenchCommand(discovery))) {
            commands.put(c.name(), c);
        }
    }

    public static void main(String[] args) {
        System.exit(new Main(Backends::discover).run(Arrays.asList(args), Io.system()));
    }

    /** Runs one command line and returns its exit status; never calls System.exit. */
    int run(List<String> args, Io io) {
        if (args.isEmpty()) {
            io.err().println("accel: no command given");
            io.err().print(help());
            return USAGE;
        }
        String name = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
            if (!rest.isEmpty() && commands.containsKey(rest.getFirst())) {
                io.out().print(commands.get(rest.getFirst()).help());
            } else {
                io.out().print(help());
            }
            return OK;
        }
        if (name.equals("test")) {
            io.err().println("accel: 'test' runs Maven and lives in the ./accel launcher: run ./accel test from the repository");
            return USAGE;
        }
        Command c = commands.get(name);
        if (c == null) {
            io.err().println("accel: unknown command '" + name + "'; commands: " + String.join(", ", commands.keySet())
                    + ", test");
            io.err().println("run 'accel --help' for usage");
            return USAGE;
        }
        try {
            return c.run(rest, io);
        } catch (UsageException e) {
            io.err().println("accel " + c.name() + ": " + e.getMessage());
            io.err().println("run 'accel " + c.name() + " --help' for usage");
            return USAGE;
        } catch (AccelException e) {
            io.err().println("accel " + c.name() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return FAILED;
        }
    }

    /** The top-level help text. */
    String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: accel <command> [options]    (accel <command> --help for each command)\n\n");
        sb.append("accel runs neural-network graphs on every accelerator of this machine through one\n");
        sb.append("device-neutral kernel interface.\n\ncommands:\n");
        for (Command c : commands.values()) {
            sb.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        sb.append(String.format("  %-12s %s%n", "test", "run the project's test suite (mvn -B verify; ./accel launcher only)"));
        sb.append("\nenvironment:\n");
        sb.append("  ACCEL_REQUIRE=cpu,opencl,...  backends that must be available; a missing one fails\n");
        sb.append("                                'devices' and 'conformance' with exit status 1\n");
        sb.append("\nexit status: 0 ok, 1 failures, 2 usage error\n");
        return sb.toString();
    }
}
