package dev.accel.backend.vulkan;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.TensorType;

/**
 * A tensor in Vulkan device memory: a range of a {@link VulkanMemory} block. A view shares its
 * owner's allocation (no copy) and frees nothing; closing the owner frees the range, so work still
 * queued on it must have completed.
 */
final class VulkanBuffer implements DeviceBuffer {
    private final VulkanDevice device;
    private final TensorType type;
    private final VulkanAllocation allocation;
    private final VulkanBuffer owner;
    private volatile boolean closed;

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
        if (owner == null && !closed) {
            closed = true;
            allocation.free();
            device.release(this);
        }
    }

    @Override
    public String toString() {
        return "VulkanBuffer(" + type + ", " + device.info().id() + (owner != null ? ", view" : "") + ")";
    }
}
