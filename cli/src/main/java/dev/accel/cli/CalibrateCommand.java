package dev.accel.cli;

import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceProfile;
import dev.accel.partitioner.ProfileCache;
import dev.accel.runtime.Calibrator;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code accel calibrate}: measures each available device's profile (peaks, memory bandwidth,
 * dispatch latency, host link, the fraction of the roofline each kernel class attains) with
 * {@link Calibrator} and caches it per device id, where {@code accel plan}, {@code run} and {@code
 * demo} find it.
 */
final class CalibrateCommand implements Command {
    private final Supplier<List<Backend>> discovery;

    CalibrateCommand(Supplier<List<Backend>> discovery) {
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "calibrate";
    }

    @Override
    public String summary() {
        return "measure each device's profile for the cost model and cache it";
    }

    @Override
    public String help() {
        return """
                usage: accel calibrate [--device LIST] [--show] [--quick]

                Measures each available device with micro-benchmarks through hal-api: dispatch
                latency (a tiny kernel, dispatched back to back), peak arithmetic per dtype it runs
                (a 384 x 384 MatMul in float32 and float16, a QLinearMatMul in int8 and uint8),
                memory bandwidth (an Add of 2^21 elements), the host link (8 MiB and tiny transfers),
                and per kernel class (3x3, 1x1 and depthwise convolution, pooling, normalisation,
                elementwise ops) the fraction of that roofline a representative kernel attains.
                Prints the declared and the measured profile of each device and caches the measured
                one, one file per device id, in $ACCEL_PROFILE_DIR or else ~/.cache/accel/profiles.
                accel plan, run and demo then plan with it and say so. Each kernel is warmed up for at
                least a second first (a JIT-compiled backend runs several times slower until its code
                is compiled), so it takes about half a minute per device; run it on an otherwise idle
                machine, and again after a driver or hardware change.

                options:
                  --device LIST   only these devices (ids or backends, comma-separated)
                  --show          print the cached profiles without measuring
                  --quick         warm each kernel up for 0.1 s only: rough figures in a few seconds
                  --help          this text
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = new ArgParser(name()).option("device", "LIST").flag("show").flag("quick").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        PrintStream out = io.out();
        ProfileCache cache = Profiles.cache(io);
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            List<Device> devices = chosen(set.devices(), p.value("device", ""));
            if (devices.isEmpty()) {
                io.err().println("accel calibrate: no device is available" + (p.value("device", "").isBlank() ? ""
                        : " among '" + p.value("device", "") + "'") + "; run accel devices to see why");
                return Main.FAILED;
            }
            for (Device d : devices) {
                String id = d.info().id();
                out.println(id + " (" + d.info().name() + ")");
                out.println("  declared: " + d.profile());
                if (p.flag("show")) {
                    out.println("  cached:   " + cache.load(id).map(DeviceProfile::toString).orElse("none (run accel calibrate)"));
                    continue;
                }
                io.err().println("accel calibrate: measuring " + id + " ...");
                long t0 = System.nanoTime();
                DeviceProfile measured = (p.flag("quick") ? new Calibrator(384, 1 << 21, 100_000_000L) : new Calibrator()).measure(d);
                cache.store(id, measured);
                out.println("  measured: " + measured);
                out.printf(Locale.ROOT, "  in %.1f s; cached in %s%n", (System.nanoTime() - t0) / 1e9, cache.file(id));
            }
        }
        return Main.OK;
    }

    /** The devices {@code list} names (ids or backend ids), all when it is blank. */
    private static List<Device> chosen(List<Device> all, String list) {
        if (list.isBlank()) {
            return all;
        }
        List<Device> out = new ArrayList<>();
        for (String token : list.split("\\s*,\\s*")) {
            List<Device> match = all.stream().filter(d -> d.info().id().equals(token) || d.info().id().startsWith(token + ":"))
                    .toList();
            if (match.isEmpty()) {
                throw new UsageException("--device " + token + ": no such available device; available: "
                        + all.stream().map(d -> d.info().id()).toList());
            }
            match.stream().filter(d -> !out.contains(d)).forEach(out::add);
        }
        return out;
    }
}
