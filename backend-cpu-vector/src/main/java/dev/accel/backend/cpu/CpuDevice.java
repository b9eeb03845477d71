package dev.accel.backend.cpu;

import dev.accel.hal.Capabilities;
import dev.accel.hal.Checks;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.OwnedResources;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The host's cores as one device. Buffers live in host memory, so transfers are plain copies. */
public final class CpuDevice implements Device {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final DeviceInfo info;
    private final DeviceProfile profile;
    private final Capabilities capabilities = CpuOps::support;
    private final OwnedResources owned = new OwnedResources();
    private volatile boolean closed;

    CpuDevice(String id) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("vector", vectorDescription());
        details.put("threads", String.valueOf(CpuParallel.THREADS));
        // Read here too, so that a misspelt value fails opening the device with its message.
        details.put("threads pinned", String.valueOf(ThreadAffinity.pins(CpuParallel.THREADS)));
        details.put("scalar path", String.valueOf(CpuOps.SCALAR));
        details.put("os.arch", System.getProperty("os.arch"));
        this.info = new DeviceInfo(id, cpuName(), DeviceKind.CPU, physicalMemory(), true, details);
        // Declared figures: 2 FMA units of the preferred width per core at about 3 GHz; calibration replaces them.
        double fp32 = CpuParallel.THREADS * 2.0 * 2 * F.length() * 3.0e9;
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        peak.put(DType.F32, fp32);
        peak.put(DType.F16, fp32);
        peak.put(DType.BF16, fp32);
        peak.put(DType.I8, fp32);
        this.profile = new DeviceProfile(peak, 20e9, 2e-6, 20e9, 1e-7, false);
    }

    /** "FloatVector 512 bits, 16 lanes" for the preferred species of this JVM and processor. */
    static String vectorDescription() {
        return "FloatVector " + F.vectorBitSize() + " bits, " + F.length() + " lanes";
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public DeviceProfile profile() {
        return profile;
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        checkOpen();
        try {
            CpuBuffer b = new CpuBuffer(this, type);
            owned.add(b);
            return b;
        } catch (OutOfMemoryError e) {
            throw new OutOfDeviceMemoryException("cpu: cannot allocate " + type.byteSize() + " bytes for " + type
                    + " (device memory " + info.memoryBytes() + " bytes)", e);
        }
    }

    @Override
    public Queue newQueue() {
        checkOpen();
        CpuQueue q = new CpuQueue(this);
        owned.add(q);
        return q;
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        checkOpen();
        Support s = CpuOps.support(spec);
        if (!s.runnable()) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec + ": " + s.reason());
        }
        CpuKernel k = new CpuKernel(this, spec, CpuOps.compile(spec, CpuOps.SCALAR));
        owned.add(k);
        return k;
    }

    /**
     * Prepares a kernel with constant inputs: the matrix and convolution kernels pack constant
     * weights (and their zero points) into their GEMM panel layout here, once, and read constant
     * biases, scales and zero points here; the constants' contents are copied, not kept. The kernel
     * computes bit for bit what {@link #prepare(OpSpec)} gives for the same inputs.
     */
    @Override
    public Kernel prepare(OpSpec spec, Map<Integer, HostTensor> constants) {
        Checks.constants(spec, constants);
        checkOpen();
        Support s = CpuOps.support(spec);
        if (!s.runnable()) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec + ": " + s.reason());
        }
        Map<Integer, MemorySegment> segments = new HashMap<>();
        for (var e : constants.entrySet()) {
            segments.put(e.getKey(), e.getValue().segment());
        }
        CpuKernel k = new CpuKernel(this, spec, CpuOps.compile(spec, segments, CpuOps.SCALAR));
        owned.add(k);
        return k;
    }

    void release(AutoCloseable c) {
        owned.remove(c);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(info.id() + " is closed");
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = owned.closeAll();
        if (failure != null) {
            throw failure;
        }
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux or not readable: fall through to the generic name.
        }
        return System.getProperty("os.arch") + " CPU";
    }

    private static long physicalMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Fall back to what the JVM reports.
        }
        return Runtime.getRuntime().maxMemory();
    }

    @Override
    public String toString() {
        return "CpuDevice(" + info.id() + ")";
    }
}
