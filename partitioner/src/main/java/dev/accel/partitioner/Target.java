package dev.accel.partitioner;

import dev.accel.hal.AccelException;
import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.Locale;
import java.util.Objects;

/**
 * What the partitioner knows of one device: its id, kind, what it runs, how fast it is, its
 * memory, whether its buffers live in host memory, and whether the host can address them. Made
 * from an opened {@link Device} with {@link #of(Device)}, or written out directly for planning
 * without devices (tests, what-if plans).
 *
 * <p>{@code hostAddressable} decides which crossings between two devices are direct (one copy, see
 * {@link Transfer}). It is probed, not taken from {@link dev.accel.hal.DeviceInfo#sharesHostMemory()}:
 * a device can share host memory and still keep its buffers behind a handle the host cannot
 * address (OpenCL's host-unified buffers, whose {@link DeviceBuffer#hostSegment()} is empty), and a
 * device that does not share memory in general can still expose its buffers (the NPU simulator).
 * {@link #of(Device)} allocates one four-byte buffer, asks it for its segment and frees it; the
 * answer is per device, while the runtime still checks each actual buffer and copies through the
 * host when one has no segment, so a wrong flag costs time, never correctness.
 *
 * @param id the device id ("npu:0"), unique among the targets of one plan
 * @param kind CPU, GPU, NPU or OTHER
 * @param capabilities what the device runs, per op spec
 * @param profile the figures the cost model reads
 * @param memoryBytes memory the device can allocate
 * @param sharesHostMemory true when its buffers are host memory
 * @param hostAddressable true when its buffers give the host their memory ({@link DeviceBuffer#hostSegment()})
 */
public record Target(String id, DeviceKind kind, Capabilities capabilities, DeviceProfile profile, long memoryBytes,
                     boolean sharesHostMemory, boolean hostAddressable) {
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

    /**
     * A target whose buffers are host-addressable exactly when it shares host memory (the usual case
     * for a target written out by hand).
     */
    public Target(String id, DeviceKind kind, Capabilities capabilities, DeviceProfile profile, long memoryBytes,
                  boolean sharesHostMemory) {
        this(id, kind, capabilities, profile, memoryBytes, sharesHostMemory, sharesHostMemory);
    }

    /** The name plans give the host's memory, where graph inputs arrive and outputs leave. */
    public static final String HOST = "host";

    /** The target describing an opened device, with the device's own profile; probes {@link #hostAddressable()}. */
    public static Target of(Device device) {
        return of(device, device.profile());
    }

    /** The target describing an opened device, with another profile (a calibrated one, say). */
    public static Target of(Device device, DeviceProfile profile) {
        var info = device.info();
        return new Target(info.id(), info.kind(), device.capabilities(), profile, info.memoryBytes(), info.sharesHostMemory(),
                probeHostAddressable(device));
    }

    /**
     * Whether a four-byte buffer of {@code device} has a host segment. A device that cannot even
     * allocate that counts as not addressable: the flag only chooses between one copy and two, and
     * the device's failure surfaces where the runtime uses it, with fallback.
     */
    static boolean probeHostAddressable(Device device) {
        try (DeviceBuffer b = device.allocate(TensorType.of(DType.F32, 1))) {
            return b.hostSegment().isPresent();
        } catch (AccelException e) {
            return false;
        }
    }

    /** A copy of this target with another {@link #hostAddressable()}. */
    public Target withHostAddressable(boolean addressable) {
        return new Target(id, kind, capabilities, profile, memoryBytes, sharesHostMemory, addressable);
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
