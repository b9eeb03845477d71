package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.EXTValidationFeatures.*;
import static org.lwjgl.vulkan.KHRPortabilityEnumeration.*;
import static org.lwjgl.vulkan.VK10.*;

import dev.accel.hal.BackendUnavailableException;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VK;
import org.lwjgl.vulkan.VK12;
import org.lwjgl.vulkan.VkApplicationInfo;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCallbackDataEXT;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCallbackEXT;
import org.lwjgl.vulkan.VkDebugUtilsMessengerCreateInfoEXT;
import org.lwjgl.vulkan.VkExtensionProperties;
import org.lwjgl.vulkan.VkInstance;
import org.lwjgl.vulkan.VkInstanceCreateInfo;
import org.lwjgl.vulkan.VkLayerProperties;
import org.lwjgl.vulkan.VkValidationFeaturesEXT;

/**
 * One VkInstance (Vulkan 1.2), shared by the devices one {@link VulkanBackend#open()} returns and
 * destroyed when the last owner releases it (reference counted: {@code open()} holds one
 * reference while it works, each device one more).
 *
 * <p>Validation: when the system property {@code accel.vulkan.validation} is {@code true} (the
 * tests set it) or the environment variable {@code ACCEL_VULKAN_VALIDATION} is {@code 1}, and
 * {@code VK_LAYER_KHRONOS_validation} is installed, the layer is enabled with synchronization
 * validation, and a debug-utils messenger records every validation warning and error in
 * {@link #validationMessages()}, which the tests assert empty. Without the layer this is a no-op.
 */
final class VulkanInstance {
    static final String VALIDATION_LAYER = "VK_LAYER_KHRONOS_validation";
    private static final System.Logger LOG = System.getLogger(VulkanInstance.class.getName());

    private final VkInstance instance;
    private final long messenger;
    private final VkDebugUtilsMessengerCallbackEXT callback;
    private final boolean validation;
    private final List<String> messages;
    private final AtomicInteger refs = new AtomicInteger(1);

    private VulkanInstance(VkInstance instance, long messenger, VkDebugUtilsMessengerCallbackEXT callback, boolean validation,
                           List<String> messages) {
        this.instance = instance;
        this.messages = messages;
        this.messenger = messenger;
        this.callback = callback;
        this.validation = validation;
    }

    private static boolean loaded;

    /** Loads libvulkan.so.1 through LWJGL, once per JVM (LWJGL refuses a second VK.create()). */
    private static synchronized void loadLoader() {
        if (!loaded) {
            // LWJGL's VK class loads the loader in its static initialiser unless told not to; load it
            // explicitly so a failure is reported here, not as a class-initialisation error later.
            org.lwjgl.system.Configuration.VULKAN_EXPLICIT_INIT.set(true);
            try {
                VK.create();
            } catch (IllegalStateException e) {
                if (VK.getFunctionProvider() == null) { // another component created it: fine; otherwise a real failure
                    throw e;
                }
            }
            loaded = true;
        }
    }

    /** True when validation was asked for by property or environment. */
    static boolean validationRequested() {
        return Boolean.getBoolean("accel.vulkan.validation") || "1".equals(System.getenv("ACCEL_VULKAN_VALIDATION"));
    }

    /**
     * Loads the Vulkan loader through LWJGL and creates the instance.
     *
     * @throws BackendUnavailableException when the loader cannot be loaded or is older than 1.2
     */
    static VulkanInstance create() {
        try {
            loadLoader();
        } catch (Throwable e) {
            throw new BackendUnavailableException("vulkan: cannot load the Vulkan loader " + VulkanLoader.LIBRARY + ": " + e
                    + "; fix: install a Vulkan loader and driver, e.g. libvulkan1 and mesa-vulkan-drivers", e);
        }
        int loaderVersion = VK.getInstanceVersionSupported();
        if (loaderVersion < VK12.VK_API_VERSION_1_2) {
            throw new BackendUnavailableException("vulkan: the Vulkan loader supports API " + versionString(loaderVersion)
                    + ", accel requires 1.2; fix: install a newer libvulkan1");
        }
        try (MemoryStack stack = stackPush()) {
            Set<String> layers = availableLayers(stack);
            Set<String> extensions = availableExtensions(stack);
            boolean validation = validationRequested() && layers.contains(VALIDATION_LAYER)
                    && extensions.contains(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
            if (validationRequested() && !validation) {
                LOG.log(System.Logger.Level.INFO, "Vulkan validation requested but " + VALIDATION_LAYER
                        + " is not installed (Debian: vulkan-validationlayers); running without it");
            }
            List<String> exts = new ArrayList<>();
            boolean portability = extensions.contains(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
            if (portability) {
                exts.add(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
            }
            if (validation) {
                exts.add(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
            }
            VkApplicationInfo app = VkApplicationInfo.calloc(stack).sType$Default()
                    .pApplicationName(stack.UTF8("accel")).applicationVersion(VK_MAKE_VERSION(0, 1, 0))
                    .pEngineName(stack.UTF8("accel")).engineVersion(VK_MAKE_VERSION(0, 1, 0))
                    .apiVersion(VK12.VK_API_VERSION_1_2);
            PointerBuffer extPtrs = stack.mallocPointer(exts.size());
            exts.forEach(e -> extPtrs.put(stack.UTF8(e)));
            extPtrs.flip();
            VkInstanceCreateInfo ci = VkInstanceCreateInfo.calloc(stack).sType$Default().pApplicationInfo(app)
                    .ppEnabledExtensionNames(extPtrs)
                    .flags(portability ? VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR : 0);
            if (validation) {
                ci.ppEnabledLayerNames(stack.pointers(stack.UTF8(VALIDATION_LAYER)));
                IntBuffer enables = stack.ints(VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT);
                VkValidationFeaturesEXT vf = VkValidationFeaturesEXT.calloc(stack).sType$Default()
                        .pEnabledValidationFeatures(enables);
                ci.pNext(vf.address());
            }
            PointerBuffer pp = stack.mallocPointer(1);
            VulkanResult.check(vkCreateInstance(ci, null, pp), "vkCreateInstance (Vulkan 1.2)");
            VkInstance instance = new VkInstance(pp.get(0), ci);
            if (!validation) {
                return new VulkanInstance(instance, VK_NULL_HANDLE, null, false, new CopyOnWriteArrayList<>());
            }
            List<String> sink = new CopyOnWriteArrayList<>();
            VkDebugUtilsMessengerCallbackEXT cb = VkDebugUtilsMessengerCallbackEXT.create((severity, types, data, user) -> {
                String text = VkDebugUtilsMessengerCallbackDataEXT.create(data).pMessageString();
                sink.add(severityName(severity) + ": " + text);
                return VK_FALSE;
            });
            VkDebugUtilsMessengerCreateInfoEXT mci = VkDebugUtilsMessengerCreateInfoEXT.calloc(stack).sType$Default()
                    .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
                    .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT)
                    .pfnUserCallback(cb);
            java.nio.LongBuffer lp = stack.mallocLong(1);
            int r = vkCreateDebugUtilsMessengerEXT(instance, mci, null, lp);
            if (r != VK_SUCCESS) {
                cb.free();
                vkDestroyInstance(instance, null);
                VulkanResult.check(r, "vkCreateDebugUtilsMessengerEXT");
            }
            return new VulkanInstance(instance, lp.get(0), cb, true, sink);
        }
    }

    private static Set<String> availableLayers(MemoryStack stack) {
        IntBuffer n = stack.mallocInt(1);
        VulkanResult.check(vkEnumerateInstanceLayerProperties(n, null), "vkEnumerateInstanceLayerProperties");
        Set<String> names = new HashSet<>();
        if (n.get(0) == 0) {
            return names;
        }
        try (VkLayerProperties.Buffer props = VkLayerProperties.malloc(n.get(0))) {
            VulkanResult.check(vkEnumerateInstanceLayerProperties(n, props), "vkEnumerateInstanceLayerProperties");
            props.forEach(p -> names.add(p.layerNameString()));
        }
        return names;
    }

    private static Set<String> availableExtensions(MemoryStack stack) {
        IntBuffer n = stack.mallocInt(1);
        VulkanResult.check(vkEnumerateInstanceExtensionProperties((String) null, n, null), "vkEnumerateInstanceExtensionProperties");
        Set<String> names = new HashSet<>();
        try (VkExtensionProperties.Buffer props = VkExtensionProperties.malloc(n.get(0))) {
            VulkanResult.check(vkEnumerateInstanceExtensionProperties((String) null, n, props),
                    "vkEnumerateInstanceExtensionProperties");
            props.forEach(p -> names.add(p.extensionNameString()));
        }
        return names;
    }

    private static String severityName(int s) {
        return (s & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0 ? "ERROR" : "WARNING";
    }

    static String versionString(int v) {
        return VK_VERSION_MAJOR(v) + "." + VK_VERSION_MINOR(v) + "." + VK_VERSION_PATCH(v);
    }

    VkInstance handle() {
        return instance;
    }

    /** True when the Khronos validation layer is active on this instance. */
    boolean validation() {
        return validation;
    }

    /** Validation warnings and errors recorded so far (empty without validation). */
    List<String> validationMessages() {
        return List.copyOf(messages);
    }

    /** Forgets the recorded validation messages. */
    void clearValidationMessages() {
        messages.clear();
    }

    /** One more owner (a device). */
    void retain() {
        refs.incrementAndGet();
    }

    /** Drops one owner; the last one destroys the instance. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            if (messenger != VK_NULL_HANDLE) {
                vkDestroyDebugUtilsMessengerEXT(instance, messenger, null);
            }
            vkDestroyInstance(instance, null);
            if (callback != null) {
                callback.free();
            }
        }
    }
}
