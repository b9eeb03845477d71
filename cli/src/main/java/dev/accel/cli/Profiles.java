package dev.accel.cli;

import dev.accel.hal.Device;
import dev.accel.hal.DeviceProfile;
import dev.accel.partitioner.ProfileCache;
import dev.accel.partitioner.Target;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The device profiles the cost model reads in the commands that plan: the one {@code accel
 * calibrate} measured and cached for a device id where there is one, else the device's declared
 * profile. The cache folder is {@code ACCEL_PROFILE_DIR} when set, else {@code
 * ~/.cache/accel/profiles}.
 *
 * @param cache where measured profiles are kept
 * @param byId per device id, the profile to plan with
 * @param cached the ids whose profile came from the cache
 */
record Profiles(ProfileCache cache, Map<String, DeviceProfile> byId, List<String> cached) {
    /** The environment variable naming the cache folder. */
    static final String DIR_VARIABLE = "ACCEL_PROFILE_DIR";

    /** The cache this environment names. */
    static ProfileCache cache(Io io) {
        String dir = io.env().get(DIR_VARIABLE);
        return dir == null || dir.isBlank() ? ProfileCache.userDefault() : new ProfileCache(Path.of(dir));
    }

    /** The profiles of {@code devices}: cached where present, declared otherwise. */
    static Profiles of(List<Device> devices, Io io) {
        ProfileCache cache = cache(io);
        Map<String, DeviceProfile> byId = new LinkedHashMap<>();
        List<String> cached = new ArrayList<>();
        for (Device d : devices) {
            String id = d.info().id();
            var measured = cache.load(id);
            measured.ifPresent(p -> cached.add(id));
            byId.put(id, measured.orElse(d.profile()));
        }
        return new Profiles(cache, byId, List.copyOf(cached));
    }

    /** The planning targets of {@code devices} with these profiles. */
    List<Target> targets(List<Device> devices) {
        return devices.stream().map(d -> Target.of(d, byId.getOrDefault(d.info().id(), d.profile()))).toList();
    }

    /** One line saying which profiles are measured and which declared, and how to measure the rest. */
    void describe(PrintStream out) {
        List<String> declared = byId.keySet().stream().filter(id -> !cached.contains(id)).toList();
        StringBuilder sb = new StringBuilder("profiles: ");
        if (!cached.isEmpty()) {
            sb.append("measured for ").append(String.join(", ", cached)).append(" (from ")
                    .append(cache.file(cached.getFirst()).getParent()).append(')');
        }
        if (!declared.isEmpty()) {
            sb.append(cached.isEmpty() ? "" : "; ").append("declared for ").append(String.join(", ", declared))
                    .append(" (run accel calibrate to measure them)");
        }
        out.println(sb);
    }
}
