package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.vkGetPhysicalDeviceFeatures2;
import static org.lwjgl.vulkan.VK11.vkGetPhysicalDeviceProperties2;

import java.nio.IntBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceFeatures2;
import org.lwjgl.vulkan.VkPhysicalDeviceLimits;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VkPhysicalDeviceProperties2;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkan11Features;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkan12Features;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkan12Properties;
import org.lwjgl.vulkan.VkQueueFamilyProperties;

/**
 * What one physical device offers that the backend uses: API version, the optional features that
 * decide F16 / 8-bit / int64 support, the limits kernels are planned against, and the queue
 * family chosen for compute. Read once, without creating a logical device.
 *
 * @param computeFamily queue family index used for all work, or -1 when the device has none
 * @param computeQueues how many queues that family has
 */
record VulkanFeatures(String name, int apiVersion, int deviceType, String driverName, String driverInfo,
                      boolean timelineSemaphore, boolean shaderFloat16, boolean shaderInt8, boolean shaderInt16,
                      boolean shaderInt64, boolean storage8, boolean storage16, boolean nanPreserve32,
                      long minStorageOffsetAlignment, long maxStorageBufferRange, int maxSharedMemory,
                      int maxInvocations, int[] maxGroupCount, int maxStorageBuffersPerStage, long maxAllocationSize,
                      long deviceLocalBytes, boolean unifiedMemory, int computeFamily, int computeQueues, byte[] uuid) {

    /** Queries a physical device. */
    static VulkanFeatures query(VkPhysicalDevice pd) {
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceVulkan12Properties p12 = VkPhysicalDeviceVulkan12Properties.calloc(stack).sType$Default();
            VkPhysicalDeviceProperties2 props = VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(p12.address());
            vkGetPhysicalDeviceProperties2(pd, props);
            VkPhysicalDeviceVulkan11Features f11 = VkPhysicalDeviceVulkan11Features.calloc(stack).sType$Default();
            VkPhysicalDeviceVulkan12Features f12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default();
            f11.pNext(f12.address());
            VkPhysicalDeviceFeatures2 f = VkPhysicalDeviceFeatures2.calloc(stack).sType$Default().pNext(f11.address());
            vkGetPhysicalDeviceFeatures2(pd, f);
            VkPhysicalDeviceLimits lim = props.properties().limits();

            VkPhysicalDeviceMemoryProperties mem = VkPhysicalDeviceMemoryProperties.calloc(stack);
            vkGetPhysicalDeviceMemoryProperties(pd, mem);
            long localBytes = 0;
            for (int h = 0; h < mem.memoryHeapCount(); h++) {
                if ((mem.memoryHeaps(h).flags() & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0) {
                    localBytes = Math.max(localBytes, mem.memoryHeaps(h).size());
                }
            }
            int type = props.properties().deviceType();
            boolean unified = type == VK_PHYSICAL_DEVICE_TYPE_CPU || type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;

            IntBuffer n = stack.mallocInt(1);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, n, null);
            VkQueueFamilyProperties.Buffer fams = VkQueueFamilyProperties.malloc(n.get(0), stack);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, n, fams);
            int family = -1;
            int queues = 0;
            // Prefer a compute family without graphics (NVIDIA's async compute queues), else any compute family.
            for (int pass = 0; pass < 2 && family < 0; pass++) {
                for (int i = 0; i < fams.capacity(); i++) {
                    int flags = fams.get(i).queueFlags();
                    boolean compute = (flags & VK_QUEUE_COMPUTE_BIT) != 0;
                    boolean graphics = (flags & VK_QUEUE_GRAPHICS_BIT) != 0;
                    if (compute && (pass == 1 || !graphics)) {
                        family = i;
                        queues = fams.get(i).queueCount();
                        break;
                    }
                }
            }
            int[] groups = {lim.maxComputeWorkGroupCount(0), lim.maxComputeWorkGroupCount(1), lim.maxComputeWorkGroupCount(2)};
            byte[] uuid = new byte[16];
            props.properties().pipelineCacheUUID().get(uuid);
            return new VulkanFeatures(props.properties().deviceNameString(), props.properties().apiVersion(), type,
                    p12.driverNameString(), p12.driverInfoString(), f12.timelineSemaphore(), f12.shaderFloat16(),
                    f12.shaderInt8(), f.features().shaderInt16(), f.features().shaderInt64(),
                    f12.storageBuffer8BitAccess(), f11.storageBuffer16BitAccess(),
                    p12.shaderSignedZeroInfNanPreserveFloat32(), lim.minStorageBufferOffsetAlignment(),
                    Integer.toUnsignedLong(lim.maxStorageBufferRange()), lim.maxComputeSharedMemorySize(),
                    lim.maxComputeWorkGroupInvocations(), groups, lim.maxPerStageDescriptorStorageBuffers(),
                    maxAllocation(pd, stack), localBytes, unified, family, queues, uuid);
        }
    }

    private static long maxAllocation(VkPhysicalDevice pd, MemoryStack stack) {
        org.lwjgl.vulkan.VkPhysicalDeviceMaintenance3Properties m3 =
                org.lwjgl.vulkan.VkPhysicalDeviceMaintenance3Properties.calloc(stack).sType$Default();
        VkPhysicalDeviceProperties2 props = VkPhysicalDeviceProperties2.calloc(stack).sType$Default().pNext(m3.address());
        vkGetPhysicalDeviceProperties2(pd, props);
        return m3.maxMemoryAllocationSize();
    }

    /** Half and bfloat16 tensors can be loaded and stored (as 16-bit integers, converted in the shader). */
    boolean halfStorage() {
        return storage16 && shaderInt16;
    }

    /** 8-bit tensors (I8, U8, BOOL) can be loaded and stored. */
    boolean byteStorage() {
        return storage8 && shaderInt8;
    }

    /** "1.3.230" */
    String apiString() {
        return VulkanInstance.versionString(apiVersion);
    }

    String typeName() {
        return switch (deviceType) {
            case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU -> "integrated GPU";
            case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU -> "discrete GPU";
            case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU -> "virtual GPU";
            case VK_PHYSICAL_DEVICE_TYPE_CPU -> "CPU";
            default -> "other";
        };
    }
}
