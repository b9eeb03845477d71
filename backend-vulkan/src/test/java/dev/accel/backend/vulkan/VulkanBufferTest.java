package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Buffer round trips (direct and staged), offsets, views, device copies and the sub-allocator. */
class VulkanBufferTest extends VulkanTestSupport {

    static MemorySegment bytes(Random rnd, long n) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, n)).asSlice(0, n);
        for (long i = 0; i < n; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
        }
        return s;
    }

    /** A queue that is busy (a dispatch recorded, not submitted), so transfers take the staged path. */
    private static void makeBusy(Kernel k, DeviceBuffer in, DeviceBuffer out) {
        queue.dispatch(k, List.of(in), List.of(out));
    }

    @Test
    void roundTripsOfManySizesDirectAndStaged() {
        Random rnd = new Random(71);
        TensorType small = TensorType.of(DType.F32, 4);
        try (Kernel k = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), small));
             DeviceBuffer a = device.allocate(small); DeviceBuffer b = device.allocate(small)) {
            queue.write(HostTensor.allocate(small), a);
            for (int n : new int[] {0, 1, 3, 64, 4097, 1 << 20, 40 << 20}) {
                for (boolean staged : new boolean[] {false, true}) {
                    try (DeviceBuffer buf = device.allocate(TensorType.of(DType.U8, n))) {
                        MemorySegment src = bytes(rnd, n);
                        MemorySegment dst = Arena.ofAuto().allocate(Math.max(1, n)).asSlice(0, n);
                        if (staged) {
                            makeBusy(k, a, b);
                        }
                        queue.write(src, buf, 0);
                        if (staged) {
                            makeBusy(k, a, b);
                        }
                        queue.read(buf, 0, dst).await();
                        assertEquals(-1, src.mismatch(dst), n + " bytes, staged " + staged);
                    }
                }
            }
        }
    }

    @Test
    void offsetsWithinABuffer() {
        TensorType t = TensorType.of(DType.I32, 100);
        try (DeviceBuffer buf = device.allocate(t)) {
            MemorySegment zeros = Arena.ofAuto().allocate(400);
            queue.write(zeros, buf, 0);
            MemorySegment five = Arena.ofAuto().allocate(20);
            for (int i = 0; i < 5; i++) {
                five.setAtIndex(ValueLayout.JAVA_INT, i, 1000 + i);
            }
            queue.write(five, buf, 40);
            MemorySegment part = Arena.ofAuto().allocate(28);
            queue.read(buf, 36, part).await();
            int[] got = part.toArray(ValueLayout.JAVA_INT);
            assertArrayEquals(new int[] {0, 1000, 1001, 1002, 1003, 1004, 0}, got);
        }
    }

    @Test
    void viewsShareMemoryAndCopiesMoveIt() {
        TensorType f = TensorType.of(DType.F32, 6);
        try (DeviceBuffer buf = device.allocate(f); DeviceBuffer other = device.allocate(f)) {
            DeviceBuffer view = buf.view(TensorType.of(DType.I32, 2, 3));
            queue.write(HostTensor.fromFloats(DType.F32, f.shape(), 1, 2, 3, 4, 5, 6), buf);
            HostTensor bits = HostTensor.allocate(view.type());
            queue.read(view, bits).await();
            assertEquals(Float.floatToIntBits(3f), (int) bits.getDouble(2));
            assertThrows(InvalidArgumentException.class, () -> buf.view(TensorType.of(DType.F32, 7)));

            queue.copy(buf, other);
            queue.copy(buf, 0, buf, 8, 16); // overlapping: [1,2,3,4,5,6] -> [1,2,1,2,3,4]
            HostTensor a = HostTensor.allocate(f);
            HostTensor b = HostTensor.allocate(f);
            queue.read(buf, a);
            queue.read(other, b).await();
            assertArrayEquals(new float[] {1, 2, 1, 2, 3, 4}, a.toFloatArray());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, b.toFloatArray());
            view.close(); // frees nothing
            assertTrue(!buf.isClosed());
            buf.close();
            assertTrue(view.isClosed(), "a view is closed with its owner");
            buf.close(); // idempotent
        }
    }

    @Test
    void subAllocatorReusesItsBlocks() {
        queue.finish();
        VulkanMemory mem = device.memory();
        long inUse = mem.inUse();
        int blocks = mem.blockCount();
        for (int round = 0; round < 3; round++) {
            List<DeviceBuffer> bufs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                bufs.add(device.allocate(TensorType.of(DType.F32, 1 + i * 37)));
            }
            assertTrue(mem.blockCount() <= blocks + 1, "200 small tensors fit one 64 MiB block, have " + mem.blockCount());
            bufs.forEach(DeviceBuffer::close);
        }
        assertEquals(inUse, mem.inUse());
        assertTrue(mem.blockCount() <= blocks + 1);
        DeviceBuffer a = device.allocate(TensorType.of(DType.F32, 10));
        DeviceBuffer b = device.allocate(TensorType.of(DType.F32, 10));
        VulkanAllocation aa = ((VulkanBuffer) a).allocation();
        VulkanAllocation bb = ((VulkanBuffer) b).allocation();
        assertEquals(0, aa.offset() % device.features().minStorageOffsetAlignment());
        assertEquals(0, bb.offset() % device.features().minStorageOffsetAlignment());
        a.close();
        b.close();
    }

    @Test
    void outOfDeviceMemoryNamesTheRequest() {
        TensorType huge = TensorType.of(DType.F32, 1 << 30, 64);
        OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class, () -> device.allocate(huge));
        assertTrue(e.getMessage().contains(String.valueOf(huge.byteSize())), e.getMessage());
    }
}
