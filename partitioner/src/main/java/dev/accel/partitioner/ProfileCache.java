package dev.accel.partitioner;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.InvalidArgumentException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Measured device profiles kept on disk, one properties file per device id, so that calibration
 * runs once per machine: {@code <dir>/<id with ':' as '_'>.properties}. The default folder is
 * {@code ~/.cache/accel/profiles}. Thread-safe for distinct ids.
 */
public final class ProfileCache {
    private final Path dir;

    public ProfileCache(Path dir) {
        this.dir = dir;
    }

    /** The cache in {@code ~/.cache/accel/profiles}. */
    public static ProfileCache userDefault() {
        return new ProfileCache(Path.of(System.getProperty("user.home"), ".cache", "accel", "profiles"));
    }

    /** The file holding a device's profile (it may not exist). */
    public Path file(String deviceId) {
        return dir.resolve(deviceId.replace(':', '_').replace('/', '_') + ".properties");
    }

    /** The cached profile of a device, if any. */
    public Optional<DeviceProfile> load(String deviceId) {
        Path f = file(deviceId);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cached profile " + f + ": " + e.getMessage(), e);
        }
        try {
            Map<DType, Double> peak = new EnumMap<>(DType.class);
            for (DType t : DType.values()) {
                String v = p.getProperty("peak." + t.name());
                if (v != null) {
                    peak.put(t, Double.parseDouble(v));
                }
            }
            Map<String, Double> efficiency = new TreeMap<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("efficiency.")) {
                    efficiency.put(key.substring("efficiency.".length()), Double.parseDouble(p.getProperty(key)));
                }
            }
            return Optional.of(new DeviceProfile(peak, num(p, "memoryBandwidth"), num(p, "dispatchLatency"),
                    num(p, "hostLinkBandwidth"), num(p, "hostLinkLatency"), true, efficiency));
        } catch (NumberFormatException | InvalidArgumentException e) {
            throw new InvalidArgumentException("cached profile " + f + " is malformed (" + e.getMessage()
                    + "); delete it to calibrate again");
        }
    }

    private static double num(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new NumberFormatException("missing " + key);
        }
        return Double.parseDouble(v);
    }

    /** Stores a device's profile, replacing any cached one. */
    public void store(String deviceId, DeviceProfile profile) {
        Properties p = new Properties();
        profile.peakOpsPerSecond().forEach((t, v) -> p.setProperty("peak." + t.name(), Double.toString(v)));
        p.setProperty("memoryBandwidth", Double.toString(profile.memoryBandwidth()));
        p.setProperty("dispatchLatency", Double.toString(profile.dispatchLatency()));
        p.setProperty("hostLinkBandwidth", Double.toString(profile.hostLinkBandwidth()));
        p.setProperty("hostLinkLatency", Double.toString(profile.hostLinkLatency()));
        profile.efficiency().forEach((k, v) -> p.setProperty("efficiency." + k, Double.toString(v)));
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(file(deviceId))) {
                p.store(w, "accel measured profile of " + deviceId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the profile cache " + file(deviceId) + ": " + e.getMessage(), e);
        }
    }
}
