package dev.accel.backend.vulkan;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.accel.hal.OutOfDeviceMemoryException;
import java.lang.foreign.MemorySegment;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkBufferCreateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkMemoryRequirements;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;

/**
 * The device's memory: a sub-allocator over a few large VkDeviceMemory blocks (devices cap the
 * number of allocations, and each allocation is slow), each block bound whole to one VkBuffer, so
 * that a tensor is a (buffer, offset, size) triple. Offsets are aligned to the device's
 * minStorageBufferOffsetAlignment (and at least 64 bytes). Requests larger than half a block get a
 * block of their own, freed with them.
 *
 * <p>Two pools: DEVICE holds tensors (device-local memory; on a unified device such as lavapipe or
 * an integrated GPU, host-visible coherent memory, mapped, so idle queues copy directly); HOST
 * holds staging memory for transfers (host-visible coherent, mapped). Thread-safe; owned by
 * {@link VulkanDevice}, which closes it last.
 */
final class VulkanMemory implements AutoCloseable {
    /** Which pool an allocation comes from. */
    enum Pool { DEVICE, HOST }

    private static final long DEFAULT_BLOCK = 64L << 20;
    private static final int USAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
            | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

    private final VkDevice device;
    private final String deviceId;
    private final long alignment;
    private final long blockBytes;
    private final long maxAllocation;
    private final PoolState[] pools = new PoolState[2];
    private int nextBlockId;
    private boolean closed;

    VulkanMemory(VkDevice device, String deviceId, VulkanFeatures features, VkPhysicalDeviceMemoryProperties props) {
        this.device = device;
        this.deviceId = deviceId;
        this.alignment = Math.max(64, features.minStorageOffsetAlignment());
        this.maxAllocation = features.maxAllocationSize() > 0 ? features.maxAllocationSize() : Long.MAX_VALUE;
        this.blockBytes = Math.min(Long.getLong("accel.vulkan.blockBytes", DEFAULT_BLOCK), maxAllocation);
        int typeBits = bufferMemoryTypeBits();
        int host = HOST_VISIBLE_COHERENT;
        int deviceType;
        if (features.unifiedMemory()) {
            deviceType = pickType(props, typeBits, host | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
            if (deviceType < 0) {
                deviceType = pickType(props, typeBits, host, 0);
            }
        } else {
            deviceType = pickType(props, typeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
            if (deviceType < 0) {
                deviceType = pickType(props, typeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
            }
        }
        int hostType = pickType(props, typeBits, host | VK_MEMORY_PROPERTY_HOST_CACHED_BIT, 0);
        if (hostType < 0) {
            hostType = pickType(props, typeBits, host, 0);
        }
        if (deviceType < 0 || hostType < 0) {
            throw new dev.accel.hal.BackendUnavailableException(deviceId + ": no suitable memory type (device-local: "
                    + deviceType + ", host-visible coherent: " + hostType + ")");
        }
        int deviceFlags = props.memoryTypes(deviceType).propertyFlags();
        pools[Pool.DEVICE.ordinal()] = new PoolState(deviceType, (deviceFlags & host) == host);
        pools[Pool.HOST.ordinal()] = new PoolState(hostType, true);
    }

    private static final int HOST_VISIBLE_COHERENT = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

    /** True when tensors live in mapped host-visible coherent memory (unified devices). */
    boolean deviceMemoryMapped() {
        return pools[Pool.DEVICE.ordinal()].mapped;
    }

    long alignment() {
        return alignment;
    }

    private int bufferMemoryTypeBits() {
        try (MemoryStack stack = stackPush()) {
            long buf = createBuffer(stack, alignment);
            VkMemoryRequirements req = VkMemoryRequirements.malloc(stack);
            vkGetBufferMemoryRequirements(device, buf, req);
            vkDestroyBuffer(device, buf, null);
            return req.memoryTypeBits();
        }
    }

    private long createBuffer(MemoryStack stack, long size) {
        VkBufferCreateInfo bci = VkBufferCreateInfo.calloc(stack).sType$Default().size(size).usage(USAGE)
                .sharingMode(VK_SHARING_MODE_EXCLUSIVE);
        LongBuffer lp = stack.mallocLong(1);
        VulkanResult.check(vkCreateBuffer(device, bci, null, lp), "vkCreateBuffer of " + size + " bytes");
        return lp.get(0);
    }

    private static int pickType(VkPhysicalDeviceMemoryProperties props, int typeBits, int required, int avoided) {
        for (int i = 0; i < props.memoryTypeCount(); i++) {
            int flags = props.memoryTypes(i).propertyFlags();
            if ((typeBits & (1 << i)) != 0 && (flags & required) == required && (flags & avoided) == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Reserves {@code bytes} (at least one alignment unit, so even empty tensors have an address).
     *
     * @throws OutOfDeviceMemoryException naming the request and the device's limits when it fails
     */
    synchronized VulkanAllocation allocate(long bytes, Pool pool, String what) {
        if (closed) {
            throw new IllegalStateException(deviceId + " is closed");
        }
        long size = Math.max(alignment, roundUp(bytes, alignment));
        PoolState p = pools[pool.ordinal()];
        if (size > maxAllocation) {
            throw new OutOfDeviceMemoryException(deviceId + ": cannot allocate " + bytes + " bytes for " + what
                    + ": more than the device's maxMemoryAllocationSize of " + maxAllocation + " bytes");
        }
        if (size > blockBytes / 2) {
            Block b = newBlock(p, size, true, bytes, what);
            b.free.clear();
            b.used = size;
            return new VulkanAllocation(this, b, 0, size, bytes);
        }
        for (Block b : p.blocks) {
            VulkanAllocation a = b.take(size, bytes);
            if (a != null) {
                return a;
            }
        }
        Block b = newBlock(p, blockBytes, false, bytes, what);
        return b.take(size, bytes);
    }

    @SuppressWarnings("restricted") // mapping device memory needs --enable-native-access, as LWJGL does
    private Block newBlock(PoolState p, long size, boolean dedicated, long requested, String what) {
        try (MemoryStack stack = stackPush()) {
            long buf = createBuffer(stack, size);
            VkMemoryRequirements req = VkMemoryRequirements.malloc(stack);
            vkGetBufferMemoryRequirements(device, buf, req);
            VkMemoryAllocateInfo ai = VkMemoryAllocateInfo.calloc(stack).sType$Default().allocationSize(req.size())
                    .memoryTypeIndex(p.type);
            LongBuffer lp = stack.mallocLong(1);
            int r = vkAllocateMemory(device, ai, null, lp);
            if (r != VK_SUCCESS) {
                vkDestroyBuffer(device, buf, null);
                if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY) {
                    throw new OutOfDeviceMemoryException(deviceId + ": cannot allocate " + requested + " bytes for " + what
                            + ": vkAllocateMemory of " + req.size() + " bytes failed: " + VulkanResult.name(r) + " ("
                            + inUse() + " bytes already in use)");
                }
                VulkanResult.check(r, "vkAllocateMemory of " + req.size() + " bytes");
            }
            long mem = lp.get(0);
            r = vkBindBufferMemory(device, buf, mem, 0);
            if (r != VK_SUCCESS) {
                vkDestroyBuffer(device, buf, null);
                vkFreeMemory(device, mem, null);
                VulkanResult.check(r, "vkBindBufferMemory");
            }
            MemorySegment mapped = null;
            if (p.mapped) {
                PointerBuffer pp = stack.mallocPointer(1);
                r = vkMapMemory(device, mem, 0, VK_WHOLE_SIZE, 0, pp);
                if (r != VK_SUCCESS) {
                    vkDestroyBuffer(device, buf, null);
                    vkFreeMemory(device, mem, null);
                    VulkanResult.check(r, "vkMapMemory of " + size + " bytes");
                }
                mapped = MemorySegment.ofAddress(pp.get(0)).reinterpret(size);
            }
            Block b = new Block(nextBlockId++, p, mem, buf, size, mapped, dedicated);
            p.blocks.add(b);
            return b;
        }
    }

    /** Returns an allocation's range; empty blocks beyond one spare per pool are released. */
    synchronized void free(VulkanAllocation a) {
        if (closed) {
            return;
        }
        Block b = a.block();
        b.give(a.offset(), a.size());
        if (b.used == 0) {
            PoolState p = b.pool;
            long empty = p.blocks.stream().filter(x -> x.used == 0 && !x.dedicated).count();
            if (b.dedicated || empty > 1) {
                p.blocks.remove(b);
                b.destroy();
            }
        }
    }

    /** Bytes reserved by live allocations, over both pools. */
    synchronized long inUse() {
        long n = 0;
        for (PoolState p : pools) {
            for (Block b : p.blocks) {
                n += b.used;
            }
        }
        return n;
    }

    /** Number of VkDeviceMemory blocks held, over both pools. */
    synchronized int blockCount() {
        return pools[0].blocks.size() + pools[1].blocks.size();
    }

    static long roundUp(long v, long a) {
        return (v + a - 1) / a * a;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PoolState p : pools) {
            for (Block b : p.blocks) {
                b.destroy();
            }
            p.blocks.clear();
        }
    }

    private static final class PoolState {
        final int type;
        final boolean mapped;
        final List<Block> blocks = new ArrayList<>();

        PoolState(int type, boolean mapped) {
            this.type = type;
            this.mapped = mapped;
        }
    }

    /** One VkDeviceMemory with its whole-range VkBuffer and a first-fit free list (offset to size). */
    final class Block {
        final int id;
        final PoolState pool;
        final long memory;
        final long buffer;
        final long size;
        final MemorySegment mapped;
        final boolean dedicated;
        final TreeMap<Long, Long> free = new TreeMap<>();
        long used;

        Block(int id, PoolState pool, long memory, long buffer, long size, MemorySegment mapped, boolean dedicated) {
            this.id = id;
            this.pool = pool;
            this.memory = memory;
            this.buffer = buffer;
            this.size = size;
            this.mapped = mapped;
            this.dedicated = dedicated;
            free.put(0L, size);
        }

        VulkanAllocation take(long want, long requested) {
            for (Map.Entry<Long, Long> e : free.entrySet()) {
                if (e.getValue() >= want) {
                    long off = e.getKey();
                    long rest = e.getValue() - want;
                    free.remove(off);
                    if (rest > 0) {
                        free.put(off + want, rest);
                    }
                    used += want;
                    return new VulkanAllocation(VulkanMemory.this, this, off, want, requested);
                }
            }
            return null;
        }

        void give(long off, long len) {
            used -= len;
            long start = off;
            long length = len;
            Map.Entry<Long, Long> prev = free.floorEntry(off);
            if (prev != null && prev.getKey() + prev.getValue() == off) {
                start = prev.getKey();
                length += prev.getValue();
                free.remove(prev.getKey());
            }
            Long next = free.ceilingKey(off + len);
            if (next != null && next == off + len) {
                length += free.remove(next);
            }
            free.put(start, length);
        }

        void destroy() {
            vkDestroyBuffer(device, buffer, null);
            vkFreeMemory(device, memory, null);
        }
    }
}
