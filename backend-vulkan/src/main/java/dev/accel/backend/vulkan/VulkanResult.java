package dev.accel.backend.vulkan;

import dev.accel.hal.AccelException;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.OutOfDeviceMemoryException;
import java.util.Map;

/**
 * VkResult codes translated to their names, and the one place that turns a failing code into a
 * typed accel exception: out-of-memory codes become {@link OutOfDeviceMemoryException},
 * {@code VK_ERROR_DEVICE_LOST} becomes {@link DeviceLostException}, an incompatible driver becomes
 * {@link BackendUnavailableException}, anything else {@link AccelException}. Messages read
 * {@code "vkAllocateMemory of 1048576 bytes failed: VK_ERROR_OUT_OF_DEVICE_MEMORY (-2)"}.
 */
public final class VulkanResult {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "VK_SUCCESS"),
            Map.entry(1, "VK_NOT_READY"),
            Map.entry(2, "VK_TIMEOUT"),
            Map.entry(3, "VK_EVENT_SET"),
            Map.entry(4, "VK_EVENT_RESET"),
            Map.entry(5, "VK_INCOMPLETE"),
            Map.entry(-1, "VK_ERROR_OUT_OF_HOST_MEMORY"),
            Map.entry(-2, "VK_ERROR_OUT_OF_DEVICE_MEMORY"),
            Map.entry(-3, "VK_ERROR_INITIALIZATION_FAILED"),
            Map.entry(-4, "VK_ERROR_DEVICE_LOST"),
            Map.entry(-5, "VK_ERROR_MEMORY_MAP_FAILED"),
            Map.entry(-6, "VK_ERROR_LAYER_NOT_PRESENT"),
            Map.entry(-7, "VK_ERROR_EXTENSION_NOT_PRESENT"),
            Map.entry(-8, "VK_ERROR_FEATURE_NOT_PRESENT"),
            Map.entry(-9, "VK_ERROR_INCOMPATIBLE_DRIVER"),
            Map.entry(-10, "VK_ERROR_TOO_MANY_OBJECTS"),
            Map.entry(-11, "VK_ERROR_FORMAT_NOT_SUPPORTED"),
            Map.entry(-12, "VK_ERROR_FRAGMENTED_POOL"),
            Map.entry(-13, "VK_ERROR_UNKNOWN"),
            Map.entry(-1000069000, "VK_ERROR_OUT_OF_POOL_MEMORY"),
            Map.entry(-1000072003, "VK_ERROR_INVALID_EXTERNAL_HANDLE"),
            Map.entry(-1000161000, "VK_ERROR_FRAGMENTATION"),
            Map.entry(-1000257000, "VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS"),
            Map.entry(1000297000, "VK_PIPELINE_COMPILE_REQUIRED"),
            Map.entry(-1000000000, "VK_ERROR_SURFACE_LOST_KHR"),
            Map.entry(-1000000001, "VK_ERROR_NATIVE_WINDOW_IN_USE_KHR"),
            Map.entry(1000001003, "VK_SUBOPTIMAL_KHR"),
            Map.entry(-1000001004, "VK_ERROR_OUT_OF_DATE_KHR"),
            Map.entry(-1000003001, "VK_ERROR_INCOMPATIBLE_DISPLAY_KHR"),
            Map.entry(-1000011001, "VK_ERROR_VALIDATION_FAILED_EXT"),
            Map.entry(-1000012000, "VK_ERROR_INVALID_SHADER_NV"),
            Map.entry(-1000174001, "VK_ERROR_NOT_PERMITTED_KHR"),
            Map.entry(-1000255000, "VK_ERROR_FULL_SCREEN_EXCLUSIVE_MODE_LOST_EXT"),
            Map.entry(1000268000, "VK_THREAD_IDLE_KHR"),
            Map.entry(1000268001, "VK_THREAD_DONE_KHR"),
            Map.entry(1000268002, "VK_OPERATION_DEFERRED_KHR"),
            Map.entry(1000268003, "VK_OPERATION_NOT_DEFERRED_KHR"),
            Map.entry(-1000338000, "VK_ERROR_COMPRESSION_EXHAUSTED_EXT"));

    private VulkanResult() {
    }

    /** The code's name and value, as {@code "VK_ERROR_OUT_OF_DEVICE_MEMORY (-2)"}; unknown codes read {@code "unknown VkResult (-77)"}. */
    public static String name(int result) {
        String n = NAMES.get(result);
        return (n != null ? n : "unknown VkResult") + " (" + result + ")";
    }

    /**
     * Returns normally for {@code VK_SUCCESS}; otherwise throws the typed exception for the code,
     * whose message says what failed ({@code what}) and the code's name.
     */
    public static void check(int result, String what) {
        if (result != 0) {
            throw exception(result, what);
        }
    }

    /** The typed exception for a failing code (see the class comment); does not throw it. */
    public static AccelException exception(int result, String what) {
        String msg = what + " failed: " + name(result);
        return switch (result) {
            case -1, -2 -> new OutOfDeviceMemoryException(msg);
            case -4 -> new DeviceLostException(msg + "; the device must be closed and reopened");
            case -9 -> new BackendUnavailableException(msg + "; the installed Vulkan driver does not support Vulkan 1.2");
            default -> new AccelException(msg);
        };
    }
}
