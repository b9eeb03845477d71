package dev.accel.backend.npu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.accel.hal.Capabilities;
import dev.accel.hal.Checks;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.OwnedResources;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One device of the simulated NPU ("npu:0"): memory apart from the host's, int8 and float16
 * arithmetic only, a timing model that reports simulated time per execution, and fault injection.
 * The device handle lives in an arena owned by this object, whose cleanup closes the library's
 * device context; {@link #close()} first closes every queue (after its work), kernel and buffer
 * made from this device, so afterwards the library holds nothing for it.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class NpuDevice implements Device {
    private final DeviceInfo info;
    private final DeviceProfile profile;
    private final NpuCapabilities capabilities;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final OwnedResources owned = new OwnedResources();
    private volatile boolean closed;

    NpuDevice(int index) {
        MemorySegment raw = NpuNative.deviceOpen(index);
        this.handle = raw.reinterpret(arena, NpuNative::deviceClose);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(NpuLayouts.DEVICE_PROPERTIES);
            NpuNative.deviceProperties(index, p);
            String name = p.asSlice(NpuLayouts.DP_NAME, 64).getString(0);
            long memory = p.get(JAVA_LONG, NpuLayouts.DP_MEMORY);
            int maxRank = p.get(JAVA_INT, NpuLayouts.DP_MAX_RANK);
            double tops = p.get(JAVA_DOUBLE, NpuLayouts.DP_TOPS_INT8);
            double tflops = p.get(JAVA_DOUBLE, NpuLayouts.DP_TFLOPS_FP16);
            double bandwidth = p.get(JAVA_DOUBLE, NpuLayouts.DP_BANDWIDTH);
            double link = p.get(JAVA_DOUBLE, NpuLayouts.DP_LINK);
            double launchUs = p.get(JAVA_DOUBLE, NpuLayouts.DP_LAUNCH_US);
            double linkUs = p.get(JAVA_DOUBLE, NpuLayouts.DP_LINK_US);
            int dtypes = p.get(JAVA_INT, NpuLayouts.DP_DTYPES);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("library", NpuLibrary.loadedFrom());
            details.put("simulated", "yes: a timing model reports the time of each execution");
            details.put("compute dtypes", dtypeNames(dtypes));
            details.put("peak", String.format("%.1f TOPS int8, %.1f TFLOPS float16", tops, tflops));
            details.put("memory bandwidth", String.format("%.1f GB/s", bandwidth));
            details.put("host link", String.format("%.1f GB/s + %.1f us", link, linkUs));
            details.put("launch latency", String.format("%.1f us", launchUs));
            details.put("max rank", String.valueOf(maxRank));
            this.info = new DeviceInfo("npu:" + index, name, DeviceKind.NPU, memory, false, details);
            Map<DType, Double> peak = new EnumMap<>(DType.class);
            peak.put(DType.I8, tops * 1e12);
            peak.put(DType.U8, tops * 1e12);
            peak.put(DType.F16, tflops * 1e12);
            this.profile = new DeviceProfile(peak, bandwidth * 1e9, launchUs * 1e-6, link * 1e9, linkUs * 1e-6, false);
            this.capabilities = new NpuCapabilities(maxRank);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static String dtypeNames(int mask) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"", "int8", "uint8", "float16", "int32", "float32"};
        for (int d = 1; d < names.length; d++) {
            if ((mask & (1 << d)) != 0) {
                sb.append(sb.isEmpty() ? "" : ", ").append(names[d]);
            }
        }
        return sb.toString();
    }

    /** The npu_device handle; valid while open. */
    MemorySegment handle() {
        return handle;
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
        if (type == null) {
            throw new InvalidArgumentException("allocate on " + info.id() + ": type is null");
        }
        long bytes = type.byteSize();
        MemorySegment raw = NpuNative.malloc(handle, bytes, info.id() + ": allocate " + type + " (" + bytes + " bytes)");
        NpuBuffer b = new NpuBuffer(this, type, raw);
        owned.add(b);
        return b;
    }

    @Override
    public Queue newQueue() {
        checkOpen();
        NpuQueue q = new NpuQueue(this);
        owned.add(q);
        return q;
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        return prepare(spec, Map.of());
    }

    /**
     * As {@link #prepare(OpSpec)}; scales and zero points given as constants are compiled into the
     * graph (static quantization: checked once here, not read at each execution). Other constants,
     * weights included, gain nothing on this device, whose graphs take no constant tensors, and are
     * left to the dispatch's buffers.
     */
    @Override
    public Kernel prepare(OpSpec spec, Map<Integer, HostTensor> constants) {
        checkOpen();
        if (spec == null) {
            throw new InvalidArgumentException("prepare on " + info.id() + ": spec is null");
        }
        Checks.constants(spec, constants);
        Support s = capabilities.support(spec);
        if (!s.runnable()) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec + ": " + s.reason());
        }
        NpuKernel k = new NpuKernel(this, spec, NpuGraphBuilder.build(handle, info.id(), spec, constants));
        owned.add(k);
        return k;
    }

    /**
     * Arms a fault of the simulated device, counted from now.
     *
     * @throws InvalidArgumentException when {@code n} is below {@link NpuFault#minimum()}
     */
    public void injectFault(NpuFault fault, long n) {
        checkOpen();
        if (fault == null) {
            throw new InvalidArgumentException("injectFault on " + info.id() + ": fault is null");
        }
        if (n < fault.minimum()) {
            throw new InvalidArgumentException("injectFault " + fault + " on " + info.id() + ": n is " + n
                    + ", must be >= " + fault.minimum());
        }
        NpuNative.injectFault(handle, fault.code(), n);
    }

    /** When on, each execution sleeps until its simulated time has passed, so wall time follows the timing model. */
    public void setSleepToSimulatedTime(boolean on) {
        checkOpen();
        NpuNative.setOption(handle, NpuLayouts.OPTION_SLEEP_TO_SIMULATED_TIME, on ? 1 : 0);
    }

    /** The library's counters for this device. */
    public NpuDeviceStats stats() {
        checkOpen();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(NpuLayouts.DEVICE_STATS);
            NpuNative.deviceStats(handle, s);
            return new NpuDeviceStats(s.get(JAVA_LONG, NpuLayouts.DS_EXECUTIONS), s.get(JAVA_LONG, NpuLayouts.DS_FAILED),
                    s.get(JAVA_LONG, NpuLayouts.DS_SIMULATED_NS), s.get(JAVA_LONG, NpuLayouts.DS_ALLOCATED),
                    s.get(JAVA_LONG, NpuLayouts.DS_LIVE_BUFFERS));
        }
    }

    /**
     * Objects libaccelnpu holds for the whole process: device contexts, buffers, streams, graphs,
     * events and staging blocks. Zero once every device is closed.
     */
    public static long nativeAllocationCount() {
        return NpuNative.allocationCount();
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
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException first = owned.closeAll();
        try {
            arena.close();
        } catch (RuntimeException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "NpuDevice(" + info.id() + ")";
    }
}
