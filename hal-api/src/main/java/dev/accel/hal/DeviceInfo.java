package dev.accel.hal;

import java.util.Map;

/**
 * Static facts about a device.
 *
 * @param id stable identifier, backend id and index: "cpu:0", "opencl:1"
 * @param name the device's own name as its driver reports it
 * @param kind CPU, GPU, NPU
 * @param memoryBytes memory the device can allocate from (for a host-memory device, the JVM's
 *     usable memory)
 * @param sharesHostMemory true when device buffers live in host memory, so transfers can be
 *     zero-copy
 * @param details backend-specific facts worth printing (driver version, compute units, vector
 *     species), in insertion order
 */
public record DeviceInfo(String id, String name, DeviceKind kind, long memoryBytes, boolean sharesHostMemory,
                         Map<String, String> details) {
    public DeviceInfo {
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }

    /** The backend part of the id ("opencl" for "opencl:1"). */
    public String backendId() {
        int c = id.indexOf(':');
        return c < 0 ? id : id.substring(0, c);
    }
}
