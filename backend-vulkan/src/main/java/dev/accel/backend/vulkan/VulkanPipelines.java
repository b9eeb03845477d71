package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.system.MemoryUtil.memAlloc;
import static org.lwjgl.system.MemoryUtil.memFree;
import static org.lwjgl.vulkan.VK10.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkComputePipelineCreateInfo;
import org.lwjgl.vulkan.VkDescriptorSetLayoutBinding;
import org.lwjgl.vulkan.VkDescriptorSetLayoutCreateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkPipelineCacheCreateInfo;
import org.lwjgl.vulkan.VkPipelineLayoutCreateInfo;
import org.lwjgl.vulkan.VkPushConstantRange;
import org.lwjgl.vulkan.VkShaderModuleCreateInfo;
import org.lwjgl.vulkan.VkSpecializationInfo;
import org.lwjgl.vulkan.VkSpecializationMapEntry;

/**
 * A device's compute pipelines, one per (SPIR-V, specialisation constants), created on first use
 * through a VkPipelineCache that is loaded from and saved to the cache folder
 * ({@code pipeline-<pipelineCacheUUID>.bin}), so a second run skips the driver's compilation too.
 * Thread-safe; closed by the device after every kernel.
 */
final class VulkanPipelines implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VulkanPipelines.class.getName());

    private final VkDevice device;
    private final boolean nanPreserve;
    private final long cache;
    private final Path cacheFile;
    private final Map<String, VulkanPipeline> pipelines = new ConcurrentHashMap<>();
    private boolean closed;

    VulkanPipelines(VkDevice device, VulkanFeatures features) {
        this.device = device;
        this.nanPreserve = features.nanPreserve32();
        Path dir = VulkanShaders.cacheDir();
        this.cacheFile = dir == null ? null : dir.resolve("pipeline-" + HexFormat.of().formatHex(features.uuid()) + ".bin");
        byte[] initial = new byte[0];
        if (cacheFile != null && Files.isRegularFile(cacheFile)) {
            try {
                initial = Files.readAllBytes(cacheFile);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read the pipeline cache " + cacheFile + ": " + e);
            }
        }
        // The saved cache goes to the driver from native memory outside LWJGL's stack (64 KiB): a
        // GPU driver's cache runs to megabytes.
        ByteBuffer data = initial.length == 0 ? null : memAlloc(initial.length).put(initial).flip();
        try (MemoryStack stack = stackPush()) {
            VkPipelineCacheCreateInfo ci = VkPipelineCacheCreateInfo.calloc(stack).sType$Default().pInitialData(data);
            LongBuffer lp = stack.mallocLong(1);
            // The driver validates the header and ignores data from another driver or device.
            VulkanResult.check(vkCreatePipelineCache(device, ci, null, lp), "vkCreatePipelineCache");
            this.cache = lp.get(0);
        } finally {
            memFree(data);
        }
    }

    /** The pipeline for a variant and its specialisation constants, created and cached on first use. */
    VulkanPipeline get(VulkanGlsl.Variant variant, int[] spec) {
        String source = VulkanGlsl.source(variant, nanPreserve);
        String key = VulkanShaders.hash(source) + java.util.Arrays.toString(spec);
        VulkanPipeline p = pipelines.get(key);
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("pipelines of a closed device");
            }
            p = pipelines.get(key);
            if (p == null) {
                p = create(variant, source, spec);
                pipelines.put(key, p);
            }
            return p;
        }
    }

    /** Number of pipelines created so far. */
    int size() {
        return pipelines.size();
    }

    private VulkanPipeline create(VulkanGlsl.Variant variant, String source, int[] spec) {
        byte[] code = VulkanShaders.spirv(source, variant.shader());
        int n = variant.bindings().size();
        try (MemoryStack stack = stackPush()) {
            LongBuffer lp = stack.mallocLong(1);
            VkDescriptorSetLayoutBinding.Buffer bs = VkDescriptorSetLayoutBinding.calloc(n, stack);
            for (int i = 0; i < n; i++) {
                bs.get(i).binding(i).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(1)
                        .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT);
            }
            VkDescriptorSetLayoutCreateInfo dci = VkDescriptorSetLayoutCreateInfo.calloc(stack).sType$Default().pBindings(bs);
            VulkanResult.check(vkCreateDescriptorSetLayout(device, dci, null, lp), "vkCreateDescriptorSetLayout");
            long setLayout = lp.get(0);
            VkPushConstantRange.Buffer pcr = VkPushConstantRange.calloc(1, stack);
            pcr.get(0).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).offset(0).size(VulkanPipeline.PUSH_BYTES);
            VkPipelineLayoutCreateInfo lci = VkPipelineLayoutCreateInfo.calloc(stack).sType$Default()
                    .pSetLayouts(stack.longs(setLayout)).pPushConstantRanges(pcr);
            int r = vkCreatePipelineLayout(device, lci, null, lp);
            if (r != VK_SUCCESS) {
                vkDestroyDescriptorSetLayout(device, setLayout, null);
                VulkanResult.check(r, "vkCreatePipelineLayout");
            }
            long layout = lp.get(0);

            ByteBuffer words = memAlloc(code.length);
            long module;
            try {
                words.put(code).flip();
                VkShaderModuleCreateInfo sci = VkShaderModuleCreateInfo.calloc(stack).sType$Default().pCode(words);
                r = vkCreateShaderModule(device, sci, null, lp);
                module = lp.get(0);
            } finally {
                memFree(words);
            }
            if (r != VK_SUCCESS) {
                vkDestroyPipelineLayout(device, layout, null);
                vkDestroyDescriptorSetLayout(device, setLayout, null);
                VulkanResult.check(r, "vkCreateShaderModule for " + variant.shader());
            }
            VkSpecializationMapEntry.Buffer entries = VkSpecializationMapEntry.calloc(spec.length, stack);
            ByteBuffer values = stack.malloc(4 * Math.max(1, spec.length));
            for (int i = 0; i < spec.length; i++) {
                entries.get(i).constantID(i).offset(4 * i).size(4);
                values.putInt(4 * i, spec[i]);
            }
            values.limit(4 * spec.length);
            VkSpecializationInfo si = VkSpecializationInfo.calloc(stack).pMapEntries(entries).pData(values);
            VkComputePipelineCreateInfo.Buffer pci = VkComputePipelineCreateInfo.calloc(1, stack);
            pci.get(0).sType$Default().layout(layout).stage(st -> st.sType$Default().stage(VK_SHADER_STAGE_COMPUTE_BIT)
                    .module(module).pName(stack.UTF8("main")).pSpecializationInfo(si));
            r = vkCreateComputePipelines(device, cache, pci, null, lp);
            vkDestroyShaderModule(device, module, null);
            if (r != VK_SUCCESS) {
                vkDestroyPipelineLayout(device, layout, null);
                vkDestroyDescriptorSetLayout(device, setLayout, null);
                VulkanResult.check(r, "vkCreateComputePipelines for " + variant.shader());
            }
            return new VulkanPipeline(device, setLayout, layout, lp.get(0), n, variant.shader());
        }
    }

    private void save() {
        if (cacheFile == null) {
            return;
        }
        try (MemoryStack stack = stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (vkGetPipelineCacheData(device, cache, size, null) != VK_SUCCESS || size.get(0) == 0) {
                return;
            }
            ByteBuffer data = memAlloc((int) size.get(0));
            try {
                if (vkGetPipelineCacheData(device, cache, size, data) == VK_SUCCESS) {
                    byte[] bytes = new byte[(int) size.get(0)];
                    data.get(0, bytes);
                    Files.createDirectories(cacheFile.getParent());
                    Path tmp = Files.createTempFile(cacheFile.getParent(), "pipeline", ".tmp");
                    Files.write(tmp, bytes);
                    Files.move(tmp, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot save the pipeline cache to " + cacheFile + ": " + e);
            } finally {
                memFree(data);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!pipelines.isEmpty()) {
            save();
        }
        for (VulkanPipeline p : List.copyOf(pipelines.values())) {
            p.close();
        }
        pipelines.clear();
        vkDestroyPipelineCache(device, cache, null);
    }
}
