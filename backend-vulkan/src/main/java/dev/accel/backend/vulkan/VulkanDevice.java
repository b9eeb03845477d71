package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Kernel;
import dev.accel.hal.OwnedResources;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkDeviceCreateInfo;
import org.lwjgl.vulkan.VkDeviceQueueCreateInfo;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceFeatures2;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkan11Features;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkan12Features;
import org.lwjgl.vulkan.VkQueue;

/**
 * One Vulkan physical device opened for compute: a VkDevice with the optional features the
 * kernels use (16- and 8-bit storage, float16 / int8 / int16 / int64 arithmetic, timeline
 * semaphores) enabled where present, up to four hardware queues of its compute family, the memory
 * sub-allocator and the pipeline cache. Closing it closes every queue, kernel and buffer made from
 * it, then the VkDevice, then (with the last device) the instance.
 */
final class VulkanDevice implements Device {
    /** A hardware queue; {@code lock} serialises vkQueueSubmit, which Vulkan requires per VkQueue. */
    record HwQueue(VkQueue queue, int family, int index, Object lock) {
    }

    private final VulkanInstance instance;
    private final VkDevice vk;
    private final VulkanFeatures features;
    private final DeviceInfo info;
    private final DeviceProfile profile;
    private final VulkanMemory memory;
    private final VulkanPipelines pipelines;
    private final List<HwQueue> hwQueues = new ArrayList<>();
    private final AtomicInteger nextQueue = new AtomicInteger();
    private final OwnedResources owned = new OwnedResources();
    private final Capabilities capabilities = this::support;
    private volatile boolean closed;

    VulkanDevice(VulkanInstance instance, VkPhysicalDevice pd, VulkanFeatures f, String id) {
        this.instance = instance;
        this.features = f;
        instance.retain(); // released by close(), or below if construction fails
        try {
            int queues = Math.max(1, Math.min(4, f.computeQueues()));
            try (MemoryStack stack = stackPush()) {
                FloatBuffer prio = stack.mallocFloat(queues);
                for (int i = 0; i < queues; i++) {
                    prio.put(1f);
                }
                prio.flip();
                VkDeviceQueueCreateInfo.Buffer qci = VkDeviceQueueCreateInfo.calloc(1, stack);
                qci.get(0).sType$Default().queueFamilyIndex(f.computeFamily()).pQueuePriorities(prio);
                VkPhysicalDeviceVulkan12Features f12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default()
                        .timelineSemaphore(true).shaderFloat16(f.shaderFloat16()).shaderInt8(f.shaderInt8())
                        .storageBuffer8BitAccess(f.storage8());
                VkPhysicalDeviceVulkan11Features f11 = VkPhysicalDeviceVulkan11Features.calloc(stack).sType$Default()
                        .storageBuffer16BitAccess(f.storage16()).pNext(f12.address());
                VkPhysicalDeviceFeatures2 f2 = VkPhysicalDeviceFeatures2.calloc(stack).sType$Default().pNext(f11.address());
                f2.features().shaderInt16(f.shaderInt16()).shaderInt64(f.shaderInt64());
                VkDeviceCreateInfo ci = VkDeviceCreateInfo.calloc(stack).sType$Default().pNext(f2.address()).pQueueCreateInfos(qci);
                PointerBuffer pp = stack.mallocPointer(1);
                VulkanResult.check(vkCreateDevice(pd, ci, null, pp), "vkCreateDevice for " + f.name());
                this.vk = new VkDevice(pp.get(0), pd, ci);
                for (int i = 0; i < queues; i++) {
                    vkGetDeviceQueue(vk, f.computeFamily(), i, pp);
                    hwQueues.add(new HwQueue(new VkQueue(pp.get(0), vk), f.computeFamily(), i, new Object()));
                }
                VkPhysicalDeviceMemoryProperties mp = VkPhysicalDeviceMemoryProperties.calloc(stack);
                vkGetPhysicalDeviceMemoryProperties(pd, mp);
                VulkanMemory mem = null;
                VulkanPipelines pipes;
                try {
                    mem = new VulkanMemory(vk, id, f, mp);
                    pipes = new VulkanPipelines(vk, f);
                } catch (RuntimeException | Error e) {
                    // Errors too (LWJGL's stack overflow is one): a device left alive here took
                    // the JVM down at exit in NVIDIA's driver.
                    if (mem != null) {
                        mem.close();
                    }
                    vkDestroyDevice(vk, null);
                    throw e;
                }
                this.memory = mem;
                this.pipelines = pipes;
            }
            Map<String, String> d = new LinkedHashMap<>();
            d.put("api", f.apiString());
            d.put("driver", f.driverName() + " " + f.driverInfo());
            d.put("type", f.typeName());
            d.put("float16", f.halfStorage() ? (f.shaderFloat16() ? "native" : "storage only (computed in float32)") : "unsupported");
            d.put("int8", f.byteStorage() ? "native" : "unsupported");
            d.put("int64", String.valueOf(f.shaderInt64()));
            d.put("NaN/Inf preserved", String.valueOf(f.nanPreserve32()));
            d.put("memory", memory.deviceMemoryMapped() ? "unified (host-visible coherent)" : "device-local with staging");
            d.put("maxStorageBufferRange", String.valueOf(f.maxStorageBufferRange()));
            d.put("queues", queues + " of family " + f.computeFamily());
            d.put("validation", String.valueOf(instance.validation()));
            this.info = new DeviceInfo(id, f.name(), f.deviceType() == VK_PHYSICAL_DEVICE_TYPE_CPU ? DeviceKind.CPU : DeviceKind.GPU,
                    f.deviceLocalBytes(), memory.deviceMemoryMapped(), d);
            this.profile = declaredProfile(f);
        } catch (RuntimeException | Error e) {
            instance.release();
            throw e;
        }
    }

    /** Declared figures by device type, until calibration measures them. */
    private static DeviceProfile declaredProfile(VulkanFeatures f) {
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        double fp32;
        double bw;
        double dispatch;
        double link;
        double linkLatency;
        switch (f.deviceType()) {
            case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU -> {
                fp32 = 20e12;
                bw = 1e12;
                dispatch = 20e-6;
                link = 12e9;
                linkLatency = 10e-6;
            }
            case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU -> {
                fp32 = 1e12;
                bw = 50e9;
                dispatch = 30e-6;
                link = 20e9;
                linkLatency = 5e-6;
            }
            default -> { // a software rasteriser such as lavapipe
                fp32 = 20e9;
                bw = 10e9;
                dispatch = 100e-6;
                link = 10e9;
                linkLatency = 10e-6;
            }
        }
        peak.put(DType.F32, fp32);
        if (f.halfStorage()) {
            peak.put(DType.F16, fp32);
            peak.put(DType.BF16, fp32);
        }
        if (f.byteStorage()) {
            peak.put(DType.I8, fp32);
        }
        return new DeviceProfile(peak, bw, dispatch, link, linkLatency, false);
    }

    VkDevice vk() {
        return vk;
    }

    VulkanFeatures features() {
        return features;
    }

    VulkanMemory memory() {
        return memory;
    }

    VulkanPipelines pipelines() {
        return pipelines;
    }

    VulkanInstance instance() {
        return instance;
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    private Support support(OpSpec spec) {
        Objects.requireNonNull(spec, "spec");
        try {
            return VulkanPlanner.plan(spec, features).support();
        } catch (VulkanPlanBuilder.Unsupported e) {
            return Support.unsupported(e.getMessage());
        }
    }

    @Override
    public DeviceProfile profile() {
        return profile;
    }

    @Override
    public DeviceBuffer allocate(TensorType type) {
        checkOpen();
        Objects.requireNonNull(type, "type");
        VulkanBuffer b = new VulkanBuffer(this, type, memory.allocate(type.byteSize(), VulkanMemory.Pool.DEVICE, type.toString()));
        owned.add(b);
        return b;
    }

    @Override
    public Queue newQueue() {
        checkOpen();
        VulkanQueue q = new VulkanQueue(this, hwQueues.get(Math.floorMod(nextQueue.getAndIncrement(), hwQueues.size())));
        owned.add(q);
        return q;
    }

    @Override
    public Kernel prepare(OpSpec spec) {
        checkOpen();
        Objects.requireNonNull(spec, "spec");
        VulkanPlan plan;
        try {
            plan = VulkanPlanner.plan(spec, features);
        } catch (VulkanPlanBuilder.Unsupported e) {
            throw new UnsupportedOpException(info.id() + " cannot run " + spec + ": " + e.getMessage());
        }
        VulkanKernel k = new VulkanKernel(this, spec, plan);
        owned.add(k);
        return k;
    }

    /**
     * vkDeviceWaitIdle, holding every hardware queue's lock as Vulkan requires: everything submitted
     * has completed and the driver has released it. Used before destroying synchronisation objects.
     */
    void waitIdle() {
        waitIdle(0);
    }

    private void waitIdle(int i) {
        if (i == hwQueues.size()) {
            vkDeviceWaitIdle(vk);
            return;
        }
        synchronized (hwQueues.get(i).lock()) {
            waitIdle(i + 1);
        }
    }

    void release(AutoCloseable c) {
        owned.remove(c);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(info.id() + " is closed");
        }
    }

    /** Validation-layer warnings and errors recorded for this device's instance (empty without validation). */
    List<String> validationMessages() {
        return instance.validationMessages();
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
        waitIdle();
        pipelines.close();
        memory.close();
        vkDestroyDevice(vk, null);
        instance.release();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "VulkanDevice(" + info.id() + ", " + info.name() + ")";
    }
}
