package dev.accel.partitioner;

import dev.accel.hal.Capabilities;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.InvalidArgumentException;
import java.util.Locale;
import java.util.Objects;

/**
 * What the partitioner knows of one device: its id, kind, what it runs, how fast it is, its
 * memory, and whether its buffers live in host memory. Made from an opened {@link Device} with
 * {@link #of(Device)}, or written out directly for planning without devices (tests, what-if
 * plans): nothing here prepares kernels or allocates.
 *
 * @param id the device id ("npu:0"), unique among the targets of one plan
 * @param kind CPU, GPU, NPU or OTHER
 * @param capabilities what the device runs, per op spec
 * @param profile the figures the cost model reads
 * @param memoryBytes memory the device can allocate
 * @param sharesHostMemory true when its buffers are host memory
 */
public record Target(String id, DeviceKind kind, Capabilities capabilities, DeviceProfile profile, long memoryBytes,
                     boolean sharesHostMemory) {
    public Target {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(capabilities, "capabilities");
        Objects.requireNonNull(profile, "profile");
        if (id.isBlank() || id.equals(HOST)) {
            throw new InvalidArgumentException("target id '" + id + "' is reserved or blank; use a device id such as \"npu:0\"");
        }
        if (memoryBytes <= 0) {
            throw new InvalidArgumentException("target " + id + ": memory is " + memoryBytes + " bytes, must be > 0");
        }
    }

    /** The name plans give the host's memory, where graph inputs arrive and outputs leave. */
    public static final String HOST = "host";

    /** The target describing an opened device, with the device's own profile. */
    public static Target of(Device device) {
        return of(device, device.profile());
    }

    /** The target describing an opened device, with another profile (a calibrated one, say). */
    public static Target of(Device device, DeviceProfile profile) {
        var info = device.info();
        return new Target(info.id(), info.kind(), device.capabilities(), profile, info.memoryBytes(), info.sharesHostMemory());
    }

    /** The backend part of the id ("npu" for "npu:0"). */
    public String backendId() {
        int c = id.indexOf(':');
        return c < 0 ? id : id.substring(0, c);
    }

    /**
     * True when {@code token} names this target: its id ("npu:0"), its backend ("npu"), or its
     * kind ("gpu" for any GPU), case-insensitively.
     */
    public boolean matches(String token) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        return t.equals(id.toLowerCase(Locale.ROOT)) || t.equals(backendId().toLowerCase(Locale.ROOT))
                || t.equals(kind.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return id;
    }
}
