package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCopy;
import org.lwjgl.vulkan.VkCommandBuffer;
import org.lwjgl.vulkan.VkCommandBufferAllocateInfo;
import org.lwjgl.vulkan.VkCommandBufferBeginInfo;
import org.lwjgl.vulkan.VkDescriptorBufferInfo;
import org.lwjgl.vulkan.VkDescriptorPoolCreateInfo;
import org.lwjgl.vulkan.VkDescriptorPoolSize;
import org.lwjgl.vulkan.VkDescriptorSetAllocateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkMemoryBarrier;
import org.lwjgl.vulkan.VkWriteDescriptorSet;

/**
 * One submission of a {@link VulkanQueue}: consecutive transfers and dispatches recorded into one
 * command buffer, with a pipeline barrier only where a command touches memory that an earlier
 * command of the batch wrote (read-after-write, write-after-write) or read (write-after-read).
 * It starts with a barrier against earlier submissions and ends with one that makes its writes
 * visible to the host. Created, recorded and submitted under the queue's lock; completed (host
 * copies of reads run, transient memory freed) by {@link VulkanQueue#retire()}.
 *
 * <p>The Vulkan objects (command buffer, descriptor pools) live in a {@link Frame} that is reused
 * by later batches once this one completed; the batch object itself is never reused, so a fence
 * holding it stays truthful.
 */
final class VulkanBatch {
    private static final int SETS_PER_POOL = 64;
    private static final int STAGES = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    private static final int WRITES = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    private static final int ALL = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT
            | VK_ACCESS_TRANSFER_WRITE_BIT;

    /** Reusable command buffer and descriptor pools. */
    static final class Frame {
        final VkCommandBuffer cb;
        final List<Long> pools = new ArrayList<>();
        int pool;

        Frame(VkCommandBuffer cb) {
            this.cb = cb;
        }
    }

    private final VkDevice device;
    Frame frame;
    final List<VulkanAllocation> transients = new ArrayList<>();
    final List<Runnable> afterCompletion = new ArrayList<>();
    private final List<long[]> readRanges = new ArrayList<>();
    private final List<long[]> writeRanges = new ArrayList<>();
    /** Commands recorded (dispatches and copies). */
    int commands;
    /** Barriers recorded between commands (not counting the first and last). */
    int barriers;
    /** Timeline value signalled on completion; 0 until submitted. */
    volatile long value;
    volatile boolean done;
    volatile RuntimeException failure;

    VulkanBatch(VkDevice device, Frame frame) {
        this.device = device;
        this.frame = frame;
    }

    static Frame newFrame(VkDevice device, long commandPool) {
        try (MemoryStack stack = stackPush()) {
            VkCommandBufferAllocateInfo ai = VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                    .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1);
            PointerBuffer pp = stack.mallocPointer(1);
            VulkanResult.check(vkAllocateCommandBuffers(device, ai, pp), "vkAllocateCommandBuffers");
            return new Frame(new VkCommandBuffer(pp.get(0), device));
        }
    }

    /** Starts recording: resets the frame's descriptor pools and orders this batch after earlier submissions. */
    void begin() {
        for (long p : frame.pools) {
            VulkanResult.check(vkResetDescriptorPool(device, p, 0), "vkResetDescriptorPool");
        }
        frame.pool = 0;
        try (MemoryStack stack = stackPush()) {
            VkCommandBufferBeginInfo bi = VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
            VulkanResult.check(vkBeginCommandBuffer(frame.cb, bi), "vkBeginCommandBuffer");
        }
        barrier(STAGES | VK_PIPELINE_STAGE_HOST_BIT, WRITES | VK_ACCESS_HOST_WRITE_BIT, STAGES, ALL);
    }

    /** Ends recording with a barrier that makes every write visible to host reads after completion. */
    void end() {
        barrier(STAGES, WRITES, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
        VulkanResult.check(vkEndCommandBuffer(frame.cb), "vkEndCommandBuffer");
    }

    private void barrier(int srcStages, int srcAccess, int dstStages, int dstAccess) {
        try (MemoryStack stack = stackPush()) {
            VkMemoryBarrier.Buffer mb = VkMemoryBarrier.calloc(1, stack);
            mb.get(0).sType$Default().srcAccessMask(srcAccess).dstAccessMask(dstAccess);
            vkCmdPipelineBarrier(frame.cb, srcStages, dstStages, 0, mb, null, null);
        }
    }

    /**
     * Records a barrier if a command reading {@code reads} and writing {@code writes} (each
     * {blockId, start, end}) depends on an earlier command of this batch, then notes its ranges.
     */
    void hazards(List<long[]> reads, List<long[]> writes) {
        boolean need = false;
        for (long[] r : reads) {
            need |= overlaps(r, writeRanges);
        }
        for (long[] w : writes) {
            need |= overlaps(w, writeRanges) || overlaps(w, readRanges);
        }
        if (need) {
            barrier(STAGES, WRITES, STAGES, ALL);
            barriers++;
            readRanges.clear();
            writeRanges.clear();
        }
        readRanges.addAll(reads);
        writeRanges.addAll(writes);
    }

    private static boolean overlaps(long[] r, List<long[]> set) {
        for (long[] s : set) {
            if (s[0] == r[0] && s[1] < r[2] && r[1] < s[2]) {
                return true;
            }
        }
        return false;
    }

    /** Range triple for hazard tracking; null for an empty range. */
    static long[] range(VulkanAllocation a, long offset, long bytes) {
        return bytes <= 0 ? null : new long[] {a.blockId(), a.offset() + offset, a.offset() + offset + bytes};
    }

    /** Records vkCmdCopyBuffer (ranges must not overlap). */
    void copy(VulkanAllocation src, long srcOffset, VulkanAllocation dst, long dstOffset, long bytes) {
        hazards(List.of(range(src, srcOffset, bytes)), List.of(range(dst, dstOffset, bytes)));
        try (MemoryStack stack = stackPush()) {
            VkBufferCopy.Buffer region = VkBufferCopy.calloc(1, stack);
            region.get(0).srcOffset(src.offset() + srcOffset).dstOffset(dst.offset() + dstOffset).size(bytes);
            vkCmdCopyBuffer(frame.cb, src.buffer(), dst.buffer(), region);
        }
        commands++;
    }

    /**
     * Records one dispatch: a fresh descriptor set over {@code allocs} (with byte offsets and
     * lengths), the pipeline, push constants and the group counts.
     */
    void dispatch(VulkanPipeline p, VulkanAllocation[] allocs, long[] offsets, long[] lengths, boolean[] reads,
                  boolean[] writes, int[] push, int gx, int gy, int gz) {
        List<long[]> rr = new ArrayList<>();
        List<long[]> ww = new ArrayList<>();
        for (int i = 0; i < allocs.length; i++) {
            long[] r = range(allocs[i], offsets[i], lengths[i]);
            if (r != null && reads[i]) {
                rr.add(r);
            }
            if (r != null && writes[i]) {
                ww.add(r);
            }
        }
        hazards(rr, ww);
        try (MemoryStack stack = stackPush()) {
            long set = allocateSet(stack, p.setLayout);
            VkWriteDescriptorSet.Buffer w = VkWriteDescriptorSet.calloc(allocs.length, stack);
            for (int i = 0; i < allocs.length; i++) {
                // Empty tensors still get a valid (non-zero) range inside their reserved allocation.
                long range = Math.max(lengths[i], 4);
                VkDescriptorBufferInfo.Buffer bi = VkDescriptorBufferInfo.calloc(1, stack);
                bi.get(0).buffer(allocs[i].buffer()).offset(allocs[i].offset() + offsets[i]).range(range);
                w.get(i).sType$Default().dstSet(set).dstBinding(i).descriptorCount(1)
                        .descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).pBufferInfo(bi);
            }
            vkUpdateDescriptorSets(device, w, null);
            vkCmdBindPipeline(frame.cb, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
            vkCmdBindDescriptorSets(frame.cb, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, stack.longs(set), null);
            java.nio.IntBuffer words = stack.callocInt(VulkanPipeline.PUSH_BYTES / 4);
            words.put(push, 0, Math.min(push.length, words.capacity())).rewind();
            vkCmdPushConstants(frame.cb, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, words);
            vkCmdDispatch(frame.cb, gx, gy, gz);
        }
        commands++;
    }

    private long allocateSet(MemoryStack stack, long layout) {
        LongBuffer lp = stack.mallocLong(1);
        while (true) {
            if (frame.pool == frame.pools.size()) {
                frame.pools.add(newPool(stack));
            }
            VkDescriptorSetAllocateInfo ai = VkDescriptorSetAllocateInfo.calloc(stack).sType$Default()
                    .descriptorPool(frame.pools.get(frame.pool)).pSetLayouts(stack.longs(layout));
            int r = vkAllocateDescriptorSets(device, ai, lp);
            if (r == VK_SUCCESS) {
                return lp.get(0);
            }
            if (r != org.lwjgl.vulkan.VK11.VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) {
                VulkanResult.check(r, "vkAllocateDescriptorSets");
            }
            frame.pool++;
        }
    }

    private long newPool(MemoryStack stack) {
        VkDescriptorPoolSize.Buffer sizes = VkDescriptorPoolSize.calloc(1, stack);
        sizes.get(0).type(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(SETS_PER_POOL * 16);
        VkDescriptorPoolCreateInfo ci = VkDescriptorPoolCreateInfo.calloc(stack).sType$Default().maxSets(SETS_PER_POOL)
                .pPoolSizes(sizes);
        LongBuffer lp = stack.mallocLong(1);
        VulkanResult.check(vkCreateDescriptorPool(device, ci, null, lp), "vkCreateDescriptorPool");
        return lp.get(0);
    }

    /** Destroys a frame's descriptor pools (its command buffer goes with the queue's command pool). */
    static void destroy(VkDevice device, Frame f) {
        for (long p : f.pools) {
            vkDestroyDescriptorPool(device, p, null);
        }
        f.pools.clear();
    }
}
