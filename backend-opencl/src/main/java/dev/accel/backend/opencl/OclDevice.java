package dev.accel.backend.opencl;

import dev.accel.hal.Capabilities;
import dev.accel.hal.Checks;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.OwnedResources;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_queue_properties;

/**
 * One OpenCL device with its own context. Buffers are allocated in the device's memory, or with
 * CL_MEM_ALLOC_HOST_PTR where the device reports memory unified with the host, so that host and
 * device share the pages. Closing the device finishes and releases its queues, then releases its
 * kernels, buffers, programs and context.
 */
final class OclDevice implements Device {
    private final OclInfo cl;
    private final cl_platform_id platform;
    private final cl_device_id device;
    private final cl_context context;
    private final DeviceInfo info;
    private final DeviceProfile profile;
    private final OclCapabilities capabilities;
    private final OclPrograms programs;
    private final OclTiles tiles;
    private final cl_mem zeros;
    private final OwnedResources owned = new OwnedResources();
    private volatile boolean closed;

    OclDevice(String id, cl_platform_id platform, cl_device_id device) {
        this(id, platform, device, OclPrograms.defaultCacheDir());
    }

    OclDevice(String id, cl_platform_id platform, cl_device_id device, Path cacheDir) {
        this.platform = platform;
        this.device = device;
        this.cl = OclInfo.query(platform, device);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, platform);
        int[] err = new int[1];
        this.context = CL.clCreateContext(props, 1, new cl_device_id[] {device}, null, null, err);
        OclErrors.check(err[0], "clCreateContext(" + cl.name() + ")");
        this.programs = new OclPrograms(context, device, cl, cacheDir, buildOptions(device));
        this.tiles = new OclTiles(cl);
        this.capabilities = new OclCapabilities(cl);
        this.profile = OclProfiles.declared(cl);
        this.zeros = constMem(new long[8]);
        this.info = new DeviceInfo(id, cl.name(), kind(cl), cl.globalMemBytes(), cl.hostUnifiedMemory(), details(cl, cacheDir));
    }

    private static String buildOptions(cl_device_id d) {
        long[] cfg = new long[1];
        CL.clGetDeviceInfo(d, CL.CL_DEVICE_SINGLE_FP_CONFIG, Sizeof.cl_long, Pointer.to(cfg), null);
        // Exact division and square root where the device offers them: ONNX semantics are IEEE.
        return (cfg[0] & CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0 ? "-cl-fp32-correctly-rounded-divide-sqrt" : "";
    }

    private static DeviceKind kind(OclInfo cl) {
        if (cl.isGpu()) {
            return DeviceKind.GPU;
        }
        if (cl.isCpu()) {
            return DeviceKind.CPU;
        }
        return (cl.type() & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? DeviceKind.NPU : DeviceKind.OTHER;
    }

    private static Map<String, String> details(OclInfo cl, Path cacheDir) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("platform", cl.platformName() + " (" + cl.platformVersion() + ")");
        d.put("vendor", cl.vendor());
        d.put("driver", cl.driverVersion());
        d.put("OpenCL", cl.deviceVersion());
        d.put("compute units", String.valueOf(cl.computeUnits()));
        d.put("clock", cl.clockMhz() + " MHz");
        d.put("max work-group", String.valueOf(cl.maxWorkGroupSize()));
        d.put("local memory", cl.localMemBytes() + " bytes");
        d.put("max allocation", cl.maxAllocBytes() + " bytes");
        d.put("float16", cl.hasExtension("cl_khr_fp16") ? "cl_khr_fp16 (half storage, float compute)"
                : "no cl_khr_fp16: half stored, computed in float32");
        d.put("allocation", cl.hostUnifiedMemory() ? "CL_MEM_ALLOC_HOST_PTR (host-unified memory)" : "device memory");
        d.put("program cache", cacheDir.toString());
        return d;
    }

    cl_platform_id platform() {
        return platform;
    }

    cl_device_id clDevice() {
        return device;
    }

    cl_context context() {
        return context;
    }

    OclInfo cl() {
        return cl;
    }

    OclPrograms programs() {
        return programs;
    }

    OclTiles tiles() {
        return tiles;
    }

    /** 64 zero bytes: stands in for a missing zero point, bias or mask, read with stride 0. */
    cl_mem zeros() {
        return zeros;
    }

    /** The work-group size of 1-D elementwise launches, from the device limit. */
    long elementwiseGroup() {
        return Math.min(256, cl.maxWorkGroupSize());
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

    /** A raw buffer of {@code bytes} in this context; the caller releases it. */
    cl_mem createMem(long bytes, String what) {
        if (bytes > cl.maxAllocBytes()) {
            throw new OutOfDeviceMemoryException((info == null ? cl.name() : info.id()) + ": " + what + " needs " + bytes
                    + " bytes, the device allows at most " + cl.maxAllocBytes() + " bytes per allocation");
        }
        long flags = CL.CL_MEM_READ_WRITE | (cl.hostUnifiedMemory() ? CL.CL_MEM_ALLOC_HOST_PTR : 0);
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer(context, flags, Math.max(1, bytes), null, err);
        if (err[0] != 0) {
            throw OclErrors.exception(err[0], OclErrors.message("clCreateBuffer", err[0]) + ": " + what + " of "
                    + bytes + " bytes on " + cl.name() + " (global memory " + cl.globalMemBytes() + " bytes)");
        }
        return m;
    }

    /** A read-only buffer initialised from {@code data} (int[] or long[]); the caller releases it. */
    cl_mem constMem(Object data) {
        Pointer p;
        long bytes;
        if (data instanceof int[] a) {
            p = Pointer.to(a);
            bytes = 4L * a.length;
        } else if (data instanceof long[] a) {
            p = Pointer.to(a);
            bytes = 8L * a.length;
        } else if (data instanceof float[] a) {
            p = Pointer.to(a);
            bytes = 4L * a.length;
        } else {
            throw new IllegalArgumentException("constMem of " + data);
        }
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer(context, CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, Math.max(4, bytes),
                bytes == 0 ? null : p, err);
        OclErrors.check(err[0], "clCreateBuffer(constant metadata of " + bytes + " bytes)");
        return m;
    }

    /** A read-only buffer holding a copy of {@code bytes} (at least one byte); the caller releases it. */
    cl_mem constMem(MemorySegment bytes, String what) {
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer(context, CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, bytes.byteSize(),
                Pointer.to(bytes.asByteBuffer()), err);
        if (err[0] != 0) {
            throw OclErrors.exception(err[0], OclErrors.message("clCreateBuffer", err[0]) + ": " + what + " of "
                    + bytes.byteSize() + " bytes on " + cl.name());
        }
        return m;
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        checkOpen();
        if (type == null) {
            throw new InvalidArgumentException("allocate: type is null");
        }
        OclBuffer b = new OclBuffer(this, type, createMem(type.byteSize(), "buffer for " + type));
        owned.add(b);
        return b;
    }

    /**
     * A buffer over a host tensor's memory: zero-copy (CL_MEM_USE_HOST_PTR) where the device shares
     * host memory, else a device copy made at this call (CL_MEM_COPY_HOST_PTR). With zero-copy the
     * tensor must stay open, and the host must not write it, while work uses the buffer. hal-api has
     * no import call yet, so this is reachable only inside the backend.
     */
    DeviceBuffer importHost(HostTensor host) {
        checkOpen();
        if (host == null || host.isClosed()) {
            throw new InvalidArgumentException("importHost: host tensor is null or closed");
        }
        long bytes = host.type().byteSize();
        if (bytes == 0 || bytes > Integer.MAX_VALUE) {
            return allocate(host.type());
        }
        long flags = CL.CL_MEM_READ_WRITE | (cl.hostUnifiedMemory() ? CL.CL_MEM_USE_HOST_PTR : CL.CL_MEM_COPY_HOST_PTR);
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer(context, flags, bytes, Pointer.to(host.segment().asByteBuffer()), err);
        if (err[0] != 0) {
            throw OclErrors.exception(err[0], OclErrors.message("clCreateBuffer(host import)", err[0]) + ": "
                    + host.type() + " on " + info.id());
        }
        OclBuffer b = new OclBuffer(this, host.type(), m);
        owned.add(b);
        return b;
    }

    @Override
    @SuppressWarnings("deprecation") // clCreateCommandQueue is the only constructor on OpenCL 1.x platforms
    public Queue newQueue() {
        checkOpen();
        int[] err = new int[1];
        cl_command_queue q;
        if (cl.platformMajor() >= 2 && cl.deviceMajor() >= 2) {
            q = CL.clCreateCommandQueueWithProperties(context, device, new cl_queue_properties(), err);
        } else {
            q = CL.clCreateCommandQueue(context, device, 0, err);
        }
        OclErrors.check(err[0], "clCreateCommandQueue(" + cl.name() + ")");
        OclQueue queue = new OclQueue(this, q);
        owned.add(queue);
        return queue;
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        return prepare(spec, Map.of());
    }

    /**
     * As {@link #prepare(OpSpec)}. Of the constants, only Gemm's B with transB on register-blocked
     * devices is used: it is transposed once here into memory the kernel owns, instead of by a
     * transpose kernel into scratch at every dispatch. The other kernels read weights in place, so
     * other constants change nothing.
     */
    @Override
    public Kernel prepare(OpSpec spec, Map<Integer, HostTensor> constants) {
        checkOpen();
        if (spec == null) {
            throw new InvalidArgumentException("prepare: spec is null");
        }
        Checks.constants(spec, constants);
        Support s = capabilities.support(spec);
        if (!s.runnable()) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec + ": " + s.reason());
        }
        OclKernel k = new OclKernel(this, spec, OclOps.compile(new OclPrep(this, spec, constants)));
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
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException failure = owned.closeAll();
        programs.close();
        CL.clReleaseMemObject(zeros);
        CL.clReleaseContext(context);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "OclDevice(" + info.id() + ", " + cl.name() + ")";
    }
}
