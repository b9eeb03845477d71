package dev.accel.backend.vulkan;

import java.lang.foreign.MemorySegment;

/**
 * A range of one {@link VulkanMemory} block: the block's VkBuffer at {@code offset}, {@code size}
 * bytes reserved (aligned) of which {@code bytes} were asked for. Freed once with {@link #free()}.
 */
final class VulkanAllocation {
    private final VulkanMemory memory;
    private final VulkanMemory.Block block;
    private final long offset;
    private final long size;
    private final long bytes;
    private boolean freed;

    VulkanAllocation(VulkanMemory memory, VulkanMemory.Block block, long offset, long size, long bytes) {
        this.memory = memory;
        this.block = block;
        this.offset = offset;
        this.size = size;
        this.bytes = bytes;
    }

    VulkanMemory.Block block() {
        return block;
    }

    /** The VkBuffer handle covering the whole block. */
    long buffer() {
        return block.buffer;
    }

    /** Identifies the block, for overlap checks between allocations. */
    int blockId() {
        return block.id;
    }

    long offset() {
        return offset;
    }

    /** Reserved bytes (a multiple of the alignment, at least one unit). */
    long size() {
        return size;
    }

    /** Requested bytes. */
    long bytes() {
        return bytes;
    }

    /** The requested bytes as mapped host memory; only for host-visible pools. */
    MemorySegment mapped() {
        if (block.mapped == null) {
            throw new IllegalStateException("allocation is not host-visible");
        }
        return block.mapped.asSlice(offset, bytes);
    }

    /** True when the first {@code bytes} of this and the first {@code otherBytes} of {@code other} share memory. */
    boolean overlaps(long bytes, VulkanAllocation other, long otherBytes) {
        return bytes > 0 && otherBytes > 0 && block == other.block && offset < other.offset + otherBytes
                && other.offset < offset + bytes;
    }

    boolean isMapped() {
        return block.mapped != null;
    }

    /** Returns the range to the allocator. Idempotent. */
    synchronized void free() {
        if (!freed) {
            freed = true;
            memory.free(this);
        }
    }
}
