package dev.accel.cli;

import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.Support;
import dev.accel.hal.op.OpSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code accel devices}: every backend on the class path (available, or not with the reason and
 * the fix), each device's info, a capability summary and its profile.
 */
final class DevicesCommand implements Command {
    /** Backend ids the project plans (ARCHITECTURE.md); those not on the class path are named as such. */
    static final List<String> PLANNED_BACKENDS = List.of("cpu", "cuda", "vulkan", "opencl", "npu");

    private final Supplier<List<Backend>> discovery;

    DevicesCommand(Supplier<List<Backend>> discovery) {
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "devices";
    }

    @Override
    public String summary() {
        return "list backends and devices: availability, info, capabilities, profile";
    }

    @Override
    public String help() {
        return """
                usage: accel devices [--verbose]

                Lists every backend on the class path: available, or unavailable with the reason and
                the fix. For each device of an available backend: id, name, kind, memory, whether it
                shares host memory, backend details (for the CPU: the vector species and lane count),
                a capability summary over representative op specs per dtype (float32, float16,
                bfloat16, int8: how many are NATIVE, EMULATED, UNSUPPORTED) and the device profile
                the cost model reads.

                options:
                  --verbose   also list each representative spec that is not NATIVE, with the reason
                  --help      this text

                Exit status 1 when a backend listed in ACCEL_REQUIRE is missing.
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = new ArgParser(name()).flag("verbose").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        PrintStream out = io.out();
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            long available = set.entries().stream().filter(e -> e.availability().available()).count();
            out.printf("accel devices: %d backend%s on the class path, %d available, %d device%s opened%n",
                    set.entries().size(), plural(set.entries().size()), available, set.devices().size(),
                    plural(set.devices().size()));
            for (DeviceSet.Entry e : set.entries()) {
                out.println();
                printBackend(out, e, p.flag("verbose"));
            }
            List<String> absent = new ArrayList<>();
            for (String id : PLANNED_BACKENDS) {
                if (set.entries().stream().noneMatch(e -> e.backend().id().equals(id))) {
                    absent.add(id);
                }
            }
            if (!absent.isEmpty()) {
                out.println();
                out.println("not on the class path of this accel (in progress): " + String.join(", ", absent));
            }
            return checkRequired(set, io);
        }
    }

    /** Prints the ACCEL_REQUIRE verdict when it is set; returns 1 when a required backend is missing. */
    static int checkRequired(DeviceSet set, Io io) {
        String require = io.env().get("ACCEL_REQUIRE");
        if (require == null || require.isBlank()) {
            return Main.OK;
        }
        List<String> missing = set.missingRequired(require);
        if (missing.isEmpty()) {
            io.out().println("ACCEL_REQUIRE=" + require + ": every required backend is available");
            return Main.OK;
        }
        io.err().println("ACCEL_REQUIRE=" + require + ": missing " + String.join("; ", missing));
        return Main.FAILED;
    }

    private static void printBackend(PrintStream out, DeviceSet.Entry e, boolean verbose) {
        String id = e.backend().id();
        if (!e.availability().available()) {
            out.println("backend " + id + ": unavailable");
            out.println("  reason: " + e.availability().detail());
            if (!e.availability().fix().isEmpty()) {
                out.println("  fix:    " + e.availability().fix());
            }
            return;
        }
        out.println("backend " + id + ": available (" + e.availability().detail() + ")");
        if (!e.openError().isEmpty()) {
            out.println("  open failed: " + e.openError());
            return;
        }
        for (Device d : e.devices()) {
            printDevice(out, d, verbose);
        }
    }

    private static void printDevice(PrintStream out, Device d, boolean verbose) {
        DeviceInfo info = d.info();
        out.println("  " + info.id() + "  " + info.name());
        field(out, "kind", info.kind().name());
        field(out, "memory", TextTable.bytes(info.memoryBytes())
                + (info.sharesHostMemory() ? ", shares host memory" : ", separate from host memory"));
        for (Map.Entry<String, String> detail : info.details().entrySet()) {
            field(out, detail.getKey(), detail.getValue());
        }
        boolean first = true;
        for (CapabilitySummary.Row row : CapabilitySummary.of(d.capabilities())) {
            field(out, first ? "capabilities" : "", String.format("%-9s %s", row.dtype().displayName(), row.line()));
            first = false;
            if (verbose) {
                for (Map.Entry<OpSpec, Support> n : row.notNative().entrySet()) {
                    field(out, "", "  " + n.getKey() + ": " + n.getValue());
                }
            }
        }
        field(out, "profile", d.profile().toString());
    }

    private static void field(PrintStream out, String key, String value) {
        out.printf("    %-14s %s%n", key, value);
    }

    private static String plural(long n) {
        return n == 1 ? "" : "s";
    }
}
