package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every misuse is a typed exception whose message names the problem and the values. */
class VulkanBadInputTest extends VulkanTestSupport {
    private static final TensorType F = TensorType.of(DType.F32, 8);

    static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void dispatchChecksTypesCountsAndBuffers() {
        try (Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), F));
             DeviceBuffer x = device.allocate(F); DeviceBuffer y = device.allocate(F);
             DeviceBuffer wrong = device.allocate(TensorType.of(DType.F16, 8))) {
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(relu, List.of(wrong), List.of(y))),
                    "input 0", "float16[8]", "float32[8]");
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(relu, List.of(x, x), List.of(y))),
                    "2 inputs");
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(relu, List.of(x), List.of(x))),
                    "overlaps");
            DeviceBuffer view = x.view(F);
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(relu, List.of(x), List.of(view))),
                    "outputs must not alias inputs");
            DeviceBuffer closed = device.allocate(F);
            closed.close();
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(relu, List.of(closed), List.of(y))),
                    "closed");
            assertThrows(InvalidArgumentException.class, () -> queue.dispatch(null, List.of(x), List.of(y)));
        }
    }

    @Test
    void buffersKernelsAndQueuesOfAnotherDeviceAreRefused() {
        try (VulkanDevice other = open(); Queue oq = other.newQueue(); DeviceBuffer foreign = other.allocate(F);
             Kernel foreignKernel = other.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), F));
             Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), F)); DeviceBuffer y = device.allocate(F)) {
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(relu, List.of(foreign), List.of(y))),
                    "belongs to device");
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(foreignKernel, List.of(y), List.of(y))),
                    "prepared on");
            assertThrows(InvalidArgumentException.class, () -> queue.write(HostTensor.allocate(F), foreign));
            assertThrows(InvalidArgumentException.class, () -> queue.copy(y, foreign));
            other.validationMessages().forEach(m -> { throw new AssertionError(m); });
        }
    }

    @Test
    void transfersCheckRangesAndTypes() {
        try (DeviceBuffer x = device.allocate(F)) {
            MemorySegmentHolder h = new MemorySegmentHolder(40);
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.write(h.seg, x, 0)), "40 bytes", "32 bytes");
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.read(x, 16, new MemorySegmentHolder(20).seg)),
                    "at offset 16");
            assertThrows(InvalidArgumentException.class, () -> queue.write(HostTensor.allocate(DType.F32, 9), x));
            assertThrows(InvalidArgumentException.class, () -> queue.write(null, x, 0));
            assertThrows(InvalidArgumentException.class, () -> queue.waitFor(null));
        }
    }

    private record MemorySegmentHolder(java.lang.foreign.MemorySegment seg) {
        MemorySegmentHolder(long n) {
            this(Arena.ofAuto().allocate(n));
        }
    }

    @Test
    void closedQueueKernelAndDevice() {
        Queue q = device.newQueue();
        q.close();
        assertThrows(IllegalStateException.class, () -> q.write(HostTensor.allocate(F), device.allocate(F)));
        Kernel k = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), F));
        k.close();
        try (DeviceBuffer x = device.allocate(F); DeviceBuffer y = device.allocate(F)) {
            assertMessage(assertThrows(InvalidArgumentException.class, () -> queue.dispatch(k, List.of(x), List.of(y))),
                    "kernel is closed");
        }
        VulkanDevice d = open();
        DeviceBuffer b = d.allocate(F);
        d.close();
        d.close();
        assertTrue(b.isClosed(), "closing the device closes its buffers");
        assertThrows(IllegalStateException.class, () -> d.allocate(F));
        assertThrows(IllegalStateException.class, d::newQueue);
    }

    @Test
    void unsupportedSpecsSayWhy() {
        long range = device.features().maxStorageBufferRange();
        int n = (int) Math.min(Integer.MAX_VALUE - 8, range / 4 + 1024);
        OpSpec big = OpSpec.of(Unary.of(Unary.Kind.EXP), TensorType.of(DType.F32, n));
        Support s = device.capabilities().support(big);
        if (4L * n > range) {
            assertEquals(Support.Level.UNSUPPORTED, s.level());
            assertMessage(assertThrows(UnsupportedOpException.class, () -> device.prepare(big)), "maxStorageBufferRange",
                    String.valueOf(range));
        }
        // ten broadcast dimensions that cannot be merged exceed the shader's eight
        int[] a = {2, 1, 2, 1, 2, 1, 2, 1, 2, 1};
        int[] b = {1, 2, 1, 2, 1, 2, 1, 2, 1, 2};
        OpSpec deep = OpSpec.of(new Binary(Binary.Kind.ADD), TensorType.of(DType.F32, a), TensorType.of(DType.F32, b));
        Support ds = device.capabilities().support(deep);
        assertEquals(Support.Level.UNSUPPORTED, ds.level(), ds.toString());
        assertMessage(assertThrows(UnsupportedOpException.class, () -> device.prepare(deep)), "10 index dimensions", "vulkan:0");
    }
}
