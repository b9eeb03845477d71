package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link VulkanBuffer#hostSegment()}: present exactly where tensors live in mapped host-coherent
 * memory, the buffer's own slice of its block, coherent with the device's work in both directions
 * once fences complete, and dead once the buffer is closed.
 */
class VulkanHostSegmentTest extends VulkanTestSupport {
    private static final TensorType SMALL = TensorType.of(DType.F32, 4);

    /** The segment, after checking that it is present exactly when the device memory pool is mapped. */
    private static Optional<MemorySegment> segmentOf(DeviceBuffer b) {
        Optional<MemorySegment> s = b.hostSegment();
        assertEquals(device.memory().deviceMemoryMapped(), s.isPresent(),
                "hostSegment must be present exactly when tensors live in mapped host-coherent memory ("
                        + device.info().details().get("memory") + ")");
        return s;
    }

    @Test
    void eachBufferGetsItsOwnSliceHoldingWhatTheDeviceWrote() {
        Random rnd = new Random(5);
        try (Kernel k = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), SMALL));
             DeviceBuffer x = device.allocate(SMALL); DeviceBuffer y = device.allocate(SMALL);
             DeviceBuffer a = device.allocate(TensorType.of(DType.U8, 1000));
             DeviceBuffer b = device.allocate(TensorType.of(DType.U8, 333)); HostTensor zeros = HostTensor.allocate(SMALL)) {
            Optional<MemorySegment> sa = segmentOf(a);
            Optional<MemorySegment> sb = segmentOf(b);
            Assumptions.assumeTrue(sa.isPresent(), "device-local tensors: no host segment (checked consistent above)");
            assertEquals(1000, sa.get().byteSize());
            assertEquals(333, sb.get().byteSize());
            MemorySegment pa = VulkanBufferTest.bytes(rnd, 1000);
            MemorySegment pb = VulkanBufferTest.bytes(rnd, 333);
            // A dispatch recorded first keeps the queue busy, so both writes are GPU copies from staging.
            queue.write(zeros, x);
            queue.dispatch(k, List.of(x), List.of(y));
            queue.write(pa, a, 0);
            queue.write(pb, b, 0).await();
            assertEquals(-1, sa.get().mismatch(pa), "buffer a's segment after the device's copy into it");
            assertEquals(-1, sb.get().mismatch(pb), "buffer b's segment after the device's copy into it");
        }
    }

    @Test
    void hostWritesThroughTheSegmentAreSeenByTheNextDispatch() {
        TensorType t = TensorType.of(DType.F32, 256);
        try (Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t));
             DeviceBuffer x = device.allocate(t); DeviceBuffer y = device.allocate(t);
             HostTensor out = HostTensor.allocate(t)) {
            Optional<MemorySegment> sx = segmentOf(x);
            Assumptions.assumeTrue(sx.isPresent(), "device-local tensors: no host segment (checked consistent above)");
            for (int i = 0; i < 256; i++) {
                sx.get().setAtIndex(ValueLayout.JAVA_FLOAT, i, i - 128.5f);
            }
            queue.dispatch(relu, List.of(x), List.of(y));
            queue.read(y, out).await();
            for (int i = 0; i < 256; i++) {
                assertEquals(Math.max(0f, i - 128.5f), out.getFloat(i), "element " + i);
            }
            MemorySegment sy = y.hostSegment().orElseThrow();
            assertEquals(-1, sy.mismatch(out.segment()), "the output's segment holds what the queue read");
        }
    }

    @Test
    void aViewAddressesTheSameMemoryAndTheSegmentDiesWithTheBuffer() {
        DeviceBuffer b = device.allocate(TensorType.of(DType.F32, 4, 6));
        DeviceBuffer v = b.view(TensorType.of(DType.I32, 24));
        Optional<MemorySegment> owner = segmentOf(b);
        Optional<MemorySegment> view = segmentOf(v);
        if (owner.isPresent()) {
            assertEquals(owner.get().address(), view.get().address());
            assertEquals(96, view.get().byteSize());
            owner.get().set(ValueLayout.JAVA_INT, 8, 42);
            assertEquals(42, view.get().getAtIndex(ValueLayout.JAVA_INT, 2));
        }
        b.close();
        if (owner.isPresent()) {
            assertFalse(owner.get().scope().isAlive());
            assertThrows(IllegalStateException.class, () -> view.get().get(ValueLayout.JAVA_BYTE, 0));
            IllegalStateException e = assertThrows(IllegalStateException.class, v::hostSegment);
            assertTrue(e.getMessage().contains("closed") && e.getMessage().contains(device.info().id()), e.getMessage());
        }
    }
}
