package dev.accel.backend.npu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link NpuBuffer#hostSegment()}: the library's npu_buffer_host_pointer, sized and scoped to the buffer. */
class NpuHostSegmentTest {
    private NpuDevice device;
    private Queue queue;

    @BeforeEach
    void open() {
        device = NpuTestSupport.open();
        queue = device.newQueue();
    }

    @AfterEach
    void close() {
        NpuTestSupport.closeAndCheckNoLeak(device);
    }

    @Test
    void theSegmentIsTheBufferSeenByTheQueueInBothDirections() {
        TensorType t = TensorType.of(DType.F16, 3, 5);
        try (DeviceBuffer b = device.allocate(t); HostTensor src = HostTensor.allocate(t);
             HostTensor back = HostTensor.allocate(t)) {
            MemorySegment s = b.hostSegment().orElseThrow();
            assertEquals(t.byteSize(), s.byteSize());
            for (int i = 0; i < t.numel(); i++) {
                src.setDouble(i, i * 0.5 - 3);
            }
            queue.write(src, b).await();
            assertEquals(-1, s.mismatch(src.segment()), "bytes written through the queue, seen in the segment");
            s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, (short) 0x3c00); // element 2 = 1.0
            queue.read(b, back).await();
            assertEquals(1.0, back.getDouble(2));
            assertEquals(src.getDouble(3), back.getDouble(3));
        }
    }

    @Test
    void anExecutionsOutputIsInTheSegmentAfterItsFence() {
        TensorType t = TensorType.of(DType.F16, 64);
        try (DeviceBuffer x = device.allocate(t); DeviceBuffer y = device.allocate(t);
             Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t))) {
            MemorySegment in = x.hostSegment().orElseThrow();
            for (int i = 0; i < 64; i++) {
                in.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, dev.accel.hal.Half.floatToF16(i - 32));
            }
            queue.dispatch(relu, List.of(x), List.of(y)).await();
            MemorySegment out = y.hostSegment().orElseThrow();
            for (int i = 0; i < 64; i++) {
                assertEquals(Math.max(0, i - 32), dev.accel.hal.Half.f16ToFloat(out.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i)));
            }
        }
    }

    @Test
    void aViewAddressesTheSameMemoryAndEmptyBuffersHaveEmptySegments() {
        try (DeviceBuffer b = device.allocate(TensorType.of(DType.I8, 4, 6));
             DeviceBuffer empty = device.allocate(TensorType.of(DType.U8, 0))) {
            DeviceBuffer v = b.view(TensorType.of(DType.I8, 24));
            MemorySegment owner = b.hostSegment().orElseThrow();
            MemorySegment view = v.hostSegment().orElseThrow();
            assertEquals(owner.address(), view.address());
            assertEquals(24, view.byteSize());
            assertEquals(0, empty.hostSegment().orElseThrow().byteSize());
        }
    }

    @Test
    void theSegmentDiesWithTheBuffer() {
        DeviceBuffer b = device.allocate(TensorType.of(DType.U8, 16));
        DeviceBuffer v = b.view(TensorType.of(DType.I8, 16));
        MemorySegment s = b.hostSegment().orElseThrow();
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        b.close();
        assertFalse(s.scope().isAlive());
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, v::hostSegment);
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("npu:0"), e.getMessage());
    }

    @Test
    void askingAgainReturnsTheSameSegmentWithoutCallingTheLibrary() {
        try (DeviceBuffer b = device.allocate(TensorType.of(DType.F16, 8))) {
            MemorySegment first = b.hostSegment().orElseThrow();
            long calls = NpuNative.apiCallCount();
            assertEquals(first, b.hostSegment().orElseThrow());
            assertEquals(calls, NpuNative.apiCallCount());
        }
    }
}
