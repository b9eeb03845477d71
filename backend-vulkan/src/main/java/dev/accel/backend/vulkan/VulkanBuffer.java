package dev.accel.backend.vulkan;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A tensor in Vulkan device memory: a range of a {@link VulkanMemory} block. A view shares its
 * owner's allocation (no copy) and frees nothing; closing the owner frees the range, so work still
 * queued on it must have completed.
 *
 * <p>{@link #hostSegment()}: where tensors live in HOST_VISIBLE | HOST_COHERENT memory that the
 * sub-allocator keeps mapped for the block's life (unified devices such as lavapipe and integrated
 * GPUs), the mapped range is the buffer's host memory. Vulkan defines host access to it without
 * any map, unmap, flush or invalidate call: coherent memory needs none, each batch ends with a
 * barrier to HOST_READ before its timeline value is signalled, and vkQueueSubmit makes earlier host
 * writes visible to the device. Device-local memory that is not host-visible gives empty (the
 * allocator never picks host-visible memory without HOST_COHERENT). The segment is tied to an arena
 * this buffer closes, so touching it after {@link #close()} throws rather than reaching memory the
 * allocator may have handed to another tensor.
 */
final class VulkanBuffer implements DeviceBuffer {
    private final VulkanDevice device;
    private final TensorType type;
    private final VulkanAllocation allocation;
    private final VulkanBuffer owner;
    private volatile boolean closed;
    /** Bounds the host segment's lifetime to this buffer's; made on the first {@link #hostSegment()}. */
    private Arena hostScope;

    VulkanBuffer(VulkanDevice device, TensorType type, VulkanAllocation allocation) {
        this.device = device;
        this.type = type;
        this.allocation = allocation;
        this.owner = null;
    }

    private VulkanBuffer(VulkanBuffer owner, TensorType type) {
        this.device = owner.device;
        this.type = type;
        this.allocation = owner.allocation;
        this.owner = owner;
    }

    VulkanAllocation allocation() {
        return allocation;
    }

    @Override
    @SuppressWarnings("restricted") // sizing the mapped range to this buffer's lifetime, as VulkanMemory maps it
    public Optional<MemorySegment> hostSegment() {
        VulkanBuffer root = owner != null ? owner : this;
        if (!allocation.isMapped()) {
            return Optional.empty();
        }
        synchronized (root) {
            if (root.closed) {
                throw new IllegalStateException("hostSegment of a closed buffer (" + type + ") on " + device.info().id());
            }
            if (root.hostScope == null) {
                root.hostScope = Arena.ofShared();
            }
            return Optional.of(allocation.mapped().reinterpret(root.hostScope, null));
        }
    }

    @Override
    public TensorType type() {
        return type;
    }

    @Override
    public VulkanDevice device() {
        return device;
    }

    @Override
    public DeviceBuffer view(TensorType t) {
        Checks.view(this, t);
        return new VulkanBuffer(owner != null ? owner : this, t);
    }

    @Override
    public boolean isClosed() {
        return owner != null ? owner.isClosed() : closed;
    }

    @Override
    public void close() {
        if (owner != null) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (hostScope != null) {
                hostScope.close();
            }
        }
        allocation.free();
        device.release(this);
    }

    @Override
    public String toString() {
        return "VulkanBuffer(" + type + ", " + device.info().id() + (owner != null ? ", view" : "") + ")";
    }
}
