package dev.accel.backend.cuda;

import dev.accel.hal.Capabilities;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
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
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * One NVIDIA GPU: its primary context, device memory, pinned host memory, streams (one per
 * {@link Queue}), events (as {@link dev.accel.hal.Fence}s) and loaded kernel modules. Closing it
 * finishes its queues and frees everything made from it.
 *
 * <p>Thread-safe: every entry point binds the context to the calling thread first.
 */
public final class CudaDevice implements Device {
    private final CudaContext context;
    private final CudaFacts facts;
    private final DeviceInfo info;
    private final DeviceProfile profile;
    private final CudaEvents events;
    private final CudaStaging staging;
    private final CudaModules modules;
    private final Capabilities capabilities;
    private final OwnedResources owned = new OwnedResources();
    /** Pinned host ranges: start address to end address. */
    private final ConcurrentSkipListMap<Long, Long> pinned = new ConcurrentSkipListMap<>();
    private final CudaLibraries libraries;
    /** cuBLAS, opened on the first GEMM it can run; empty when off or not installed; null until asked. */
    private Optional<CudaBlas> blas;
    private volatile boolean closed;
    private volatile boolean contextAlive = true;

    CudaDevice(int ordinal, CudaLibraries libraries) {
        String id = "cuda:" + ordinal;
        this.libraries = libraries;
        this.context = new CudaContext(ordinal, id);
        try {
            context.bind();
            this.facts = readFacts(id);
            Map<String, String> details = facts.details();
            details.put("NVRTC", Nvrtc.locate(libraries).map(Object::toString).orElse("not found (prebuilt kernels only)"));
            details.put("prebuilt kernels", CudaKernelSources.hasFatbins()
                    ? "fat binaries for sm_80, sm_90 (+ PTX compute_90)" : "none (NVRTC compiles every module)");
            details.put("GEMM library", blasMode().equals("off") ? "off (accel.cuda.blas=off): this backend's kernels"
                    : CudaBlas.locate(libraries).map(p -> "cuBLAS " + p + " for MatMul and Gemm without C in F32, F16, BF16")
                    .orElse("cuBLAS not found: this backend's kernels"));
            this.info = new DeviceInfo(id, facts.name(), DeviceKind.GPU, facts.memoryBytes(), facts.integrated(), details);
            this.profile = facts.profile();
            this.events = new CudaEvents(context, id);
            this.staging = new CudaStaging(this);
            this.modules = new CudaModules(this, facts.arch(), libraries);
            CudaArch arch = facts.arch();
            this.capabilities = spec -> CudaOps.support(spec, arch);
        } catch (RuntimeException e) {
            context.release();
            throw e;
        }
    }

    private CudaFacts readFacts(String id) {
        byte[] name = new byte[256];
        CudaErrors.check(JCudaDriver.cuDeviceGetName(name, name.length, context.device()), "cuDeviceGetName for " + id);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        long[] total = new long[1];
        CudaErrors.check(JCudaDriver.cuDeviceTotalMem(total, context.device()), "cuDeviceTotalMem for " + id);
        CudaArch arch = new CudaArch(context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0),
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0));
        return new CudaFacts(new String(name, 0, len, StandardCharsets.UTF_8), arch,
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 1),
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE, 0),
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, 0),
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, 0),
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, 0), total[0],
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_INTEGRATED, 0) != 0,
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, 48 << 10),
                context.attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED, 0) != 0,
                CudaDriver.driverVersion());
    }

    CudaContext context() {
        return context;
    }

    CudaFacts facts() {
        return facts;
    }

    CudaEvents events() {
        return events;
    }

    CudaStaging staging() {
        return staging;
    }

    CudaModules modules() {
        return modules;
    }

    /** {@code accel.cuda.blas}: "auto" (the default: cuBLAS where installed) or "off". */
    static String blasMode() {
        return System.getProperty("accel.cuda.blas", "auto");
    }

    /**
     * cuBLAS on this device's context, opened on first use (a handle costs GPU memory and tens of
     * milliseconds); empty where {@code accel.cuda.blas=off} or cuBLAS is not installed. Read at
     * each prepare, so the property may change between kernels (the benchmark compares both).
     */
    synchronized Optional<CudaBlas> blas() {
        if (blasMode().equals("off")) {
            return Optional.empty();
        }
        if (blas == null) {
            blas = CudaBlas.open(this, libraries);
        }
        return blas;
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
        long bytes = type.byteSize();
        CudaDevicePtr p = null;
        if (bytes > 0) {
            context.bind();
            p = new CudaDevicePtr();
            int r = JCudaDriver.cuMemAlloc(p, bytes);
            if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
                long[] free = new long[1];
                long[] total = new long[1];
                JCudaDriver.cuMemGetInfo(free, total);
                throw new OutOfDeviceMemoryException(info.id() + ": cannot allocate " + bytes + " bytes for " + type + ": "
                        + CudaErrors.name(r) + "; " + free[0] + " of " + total[0] + " bytes are free");
            }
            CudaErrors.check(r, "cuMemAlloc of " + bytes + " bytes for " + type + " on " + info.id());
        }
        CudaBuffer b = new CudaBuffer(this, type, p);
        owned.add(b);
        return b;
    }

    @Override
    public Queue newQueue() {
        checkOpen();
        CudaQueue q = new CudaQueue(this);
        owned.add(q);
        return q;
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        checkOpen();
        Support s = CudaOps.support(spec, facts.arch());
        if (!s.runnable()) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec + ": " + s.reason());
        }
        CudaPlan plan = CudaOps.plan(spec, facts.arch());
        CudaBlasGemm viaBlas = null;
        Optional<CudaBlas> lib = Optional.empty();
        if (plan.steps().size() == 1 && plan.steps().getFirst() instanceof CudaPlan.Launch l) {
            viaBlas = CudaBlasGemm.of(l, spec.inputs().getFirst().dtype()).orElse(null);
            lib = viaBlas == null ? lib : blas();
        }
        CudaKernel k = lib.isPresent() ? new CudaKernel(this, spec, plan, viaBlas, lib.get()) : new CudaKernel(this, spec, plan);
        owned.add(k);
        return k;
    }

    /**
     * Allocates {@code bytes} of page-locked host memory (portable to every context), for
     * asynchronous transfers at full link speed. The caller owns it.
     */
    @SuppressWarnings("restricted") // the driver returned this many bytes at this address
    public CudaHostMemory allocateHost(long bytes) {
        checkOpen();
        if (bytes <= 0) {
            throw new InvalidArgumentException("allocateHost: " + bytes + " bytes requested, must be > 0");
        }
        context.bind();
        CudaHostPtr p = new CudaHostPtr(0);
        int r = JCudaDriver.cuMemHostAlloc(p, bytes, JCudaDriver.CU_MEMHOSTALLOC_PORTABLE);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new OutOfDeviceMemoryException(info.id() + ": cannot pin " + bytes + " bytes of host memory: " + CudaErrors.name(r));
        }
        CudaErrors.check(r, "cuMemHostAlloc of " + bytes + " bytes for " + info.id());
        MemorySegment seg = MemorySegment.ofAddress(p.address()).reinterpret(bytes);
        return track(new CudaHostMemory(this, seg, p, false));
    }

    /**
     * Page-locks an existing native segment ({@code cuMemHostRegister}) so that transfers from and
     * to it are asynchronous DMA. The segment stays the caller's; closing the result unregisters it,
     * and must happen before the segment's arena is closed.
     */
    public CudaHostMemory registerHost(MemorySegment segment) {
        checkOpen();
        if (segment == null || !segment.isNative() || segment.byteSize() == 0) {
            throw new InvalidArgumentException("registerHost: needs a non-empty native segment, got " + segment);
        }
        context.bind();
        CudaHostPtr p = new CudaHostPtr(segment.address());
        CudaErrors.check(JCudaDriver.cuMemHostRegister(p, segment.byteSize(), JCudaDriver.CU_MEMHOSTREGISTER_PORTABLE),
                "cuMemHostRegister of " + segment.byteSize() + " bytes at 0x" + Long.toHexString(segment.address()) + " for " + info.id());
        return track(new CudaHostMemory(this, segment, p, true));
    }

    private CudaHostMemory track(CudaHostMemory m) {
        MemorySegment s = m.segment();
        pinned.put(s.address(), s.address() + s.byteSize());
        owned.add(m);
        return m;
    }

    /** Frees or unregisters host memory; called by {@link CudaHostMemory#close()}. */
    void freeHost(CudaHostMemory m) {
        pinned.remove(m.segment().address());
        owned.remove(m);
        if (contextAlive) {
            context.bind();
            if (m.isRegistered()) {
                JCudaDriver.cuMemHostUnregister(m.pointer());
            } else {
                JCudaDriver.cuMemFreeHost(m.pointer());
            }
        }
    }

    /** True when all of {@code seg} lies in host memory pinned through this device. */
    boolean isPinned(MemorySegment seg) {
        if (!seg.isNative()) {
            return false;
        }
        long start = seg.address();
        Map.Entry<Long, Long> e = pinned.floorEntry(start);
        return e != null && start + seg.byteSize() <= e.getValue();
    }

    void release(AutoCloseable c) {
        owned.remove(c);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(info.id() + " is closed");
        }
    }

    /** True until the device released its context at the end of {@link #close()}. */
    boolean contextAlive() {
        return contextAlive;
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
        try {
            RuntimeException failure = owned.closeAll();
            if (failure != null) {
                throw failure;
            }
            staging.close();
            modules.close();
            events.close();
            synchronized (this) {
                if (blas != null) {
                    blas.ifPresent(CudaBlas::close);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("closing " + info.id() + " failed: " + e.getMessage(), e);
        } finally {
            contextAlive = false;
            context.release();
        }
    }

    @Override
    public String toString() {
        return "CudaDevice(" + info.id() + ", " + facts.name() + ", " + facts.arch().sm() + ")";
    }
}
