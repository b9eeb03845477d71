package dev.accel.backend.vulkan;

import static org.lwjgl.vulkan.VK10.*;

import org.lwjgl.vulkan.VkDevice;

/**
 * A compute pipeline with its descriptor-set layout (one storage buffer per binding) and pipeline
 * layout (that set plus a 128-byte push-constant range). Owned and shared by
 * {@link VulkanPipelines}; kernels borrow it.
 */
final class VulkanPipeline implements AutoCloseable {
    /** Push-constant bytes every pipeline layout declares (the minimum every device supports). */
    static final int PUSH_BYTES = 128;

    private final VkDevice device;
    final long setLayout;
    final long layout;
    final long pipeline;
    final int bindings;
    final String name;
    private boolean closed;

    VulkanPipeline(VkDevice device, long setLayout, long layout, long pipeline, int bindings, String name) {
        this.device = device;
        this.setLayout = setLayout;
        this.layout = layout;
        this.pipeline = pipeline;
        this.bindings = bindings;
        this.name = name;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            vkDestroyPipeline(device, pipeline, null);
            vkDestroyPipelineLayout(device, layout, null);
            vkDestroyDescriptorSetLayout(device, setLayout, null);
        }
    }

    @Override
    public String toString() {
        return "VulkanPipeline(" + name + ", " + bindings + " bindings)";
    }
}
