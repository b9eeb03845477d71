package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Device;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VK12;
import org.lwjgl.vulkan.VkPhysicalDevice;

/**
 * The Vulkan compute backend ("vulkan"): GLSL compute shaders compiled to SPIR-V at run time and
 * run through LWJGL on every physical device with a compute queue and Vulkan 1.2 (timeline
 * semaphores). Devices are "vulkan:0", "vulkan:1", ... in the driver's enumeration order.
 *
 * <p>{@link #probe()} only looks for files: the loader library {@code libvulkan.so.1} and at least
 * one driver manifest. {@link #open()} loads the loader and creates the instance.
 */
public final class VulkanBackend implements Backend {
    static final String FIX = "install a Vulkan loader and driver, e.g. libvulkan1 and mesa-vulkan-drivers";
    private static final System.Logger LOG = System.getLogger(VulkanBackend.class.getName());

    @Override
    public String id() {
        return "vulkan";
    }

    @Override
    public Availability probe() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Availability.unavailable("the Vulkan backend is built and certified for Linux only (os.name "
                    + System.getProperty("os.name") + ")", "run on Linux with a Vulkan driver");
        }
        Optional<Path> lib = VulkanLoader.findLibrary();
        if (lib.isEmpty()) {
            return Availability.unavailable("the Vulkan loader " + VulkanLoader.LIBRARY + " was not found", FIX);
        }
        List<Path> icds = VulkanLoader.driverManifests();
        if (icds.isEmpty()) {
            if (Files.isRegularFile(VulkanLoader.NVIDIA_CONTAINER_ICD)) {
                return Availability.unavailable("the NVIDIA Vulkan driver manifest is at " + VulkanLoader.NVIDIA_CONTAINER_ICD
                        + ", outside the loader's search path", "export VK_DRIVER_FILES=" + VulkanLoader.NVIDIA_CONTAINER_ICD);
            }
            return Availability.unavailable("no Vulkan driver manifest (ICD) found in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d"
                    + " or VK_DRIVER_FILES", FIX);
        }
        return Availability.available(lib.get() + ", drivers " + icds.stream().map(p -> p.getFileName().toString()).toList());
    }

    @Override
    public List<Device> open() {
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException("vulkan backend: " + a.detail() + "; fix: " + a.fix());
        }
        VulkanInstance instance = VulkanInstance.create();
        List<Device> devices = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (MemoryStack stack = stackPush()) {
            IntBuffer n = stack.mallocInt(1);
            VulkanResult.check(vkEnumeratePhysicalDevices(instance.handle(), n, null), "vkEnumeratePhysicalDevices");
            PointerBuffer handles = stack.mallocPointer(n.get(0));
            VulkanResult.check(vkEnumeratePhysicalDevices(instance.handle(), n, handles), "vkEnumeratePhysicalDevices");
            for (int i = 0; i < handles.capacity(); i++) {
                VkPhysicalDevice pd = new VkPhysicalDevice(handles.get(i), instance.handle());
                VulkanFeatures f = VulkanFeatures.query(pd);
                String why = unusable(f);
                if (why != null) {
                    skipped.add(f.name() + ": " + why);
                    LOG.log(System.Logger.Level.INFO, "skipping Vulkan device " + f.name() + ": " + why);
                    continue;
                }
                devices.add(new VulkanDevice(instance, pd, f, "vulkan:" + devices.size()));
            }
        } catch (RuntimeException e) {
            for (Device d : devices) {
                d.close();
            }
            instance.release();
            throw e;
        }
        instance.release(); // the devices hold their own references now
        if (devices.isEmpty()) {
            throw new BackendUnavailableException("vulkan backend: no usable device with a compute queue"
                    + (skipped.isEmpty() ? " (the drivers report no device)" : ": " + skipped) + "; fix: " + FIX);
        }
        return List.copyOf(devices);
    }

    private static String unusable(VulkanFeatures f) {
        if (f.apiVersion() < VK12.VK_API_VERSION_1_2) {
            return "API " + f.apiString() + ", accel requires Vulkan 1.2";
        }
        if (!f.timelineSemaphore()) {
            return "no timeline semaphores";
        }
        if (f.computeFamily() < 0) {
            return "no compute queue";
        }
        return null;
    }
}
