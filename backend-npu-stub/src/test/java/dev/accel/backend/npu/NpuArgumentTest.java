package dev.accel.backend.npu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Malformed calls are refused in Java with a message naming the problem and the values, and never
 * reach the library: its count of API calls does not move.
 */
class NpuArgumentTest {
    private static final TensorType T = TensorType.of(DType.F16, 2, 8);
    private NpuDevice device;
    private Queue queue;
    private Kernel add;
    private DeviceBuffer a;
    private DeviceBuffer b;
    private DeviceBuffer y;

    @BeforeEach
    void open() {
        device = NpuTestSupport.open();
        queue = device.newQueue();
        add = device.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), T, T));
        a = device.allocate(T);
        b = device.allocate(T);
        y = device.allocate(T);
    }

    @AfterEach
    void close() {
        NpuTestSupport.closeAndCheckNoLeak(device);
    }

    /** Runs a call that must fail in Java, and checks that the library saw no call. */
    private <E extends Throwable> E refused(Class<E> type, Executable call, String... fragments) {
        long before = NpuNative.apiCallCount();
        E e = assertThrows(type, call);
        assertEquals(before, NpuNative.apiCallCount(), "the malformed call reached libaccelnpu: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e;
    }

    @Test
    void wrongSizesAndRanges() {
        try (HostTensor small = HostTensor.allocate(DType.F16, 3, 8); HostTensor wrongType = HostTensor.allocate(DType.I8, 2, 8)) {
            refused(InvalidArgumentException.class, () -> queue.write(small.segment(), a, 0), "48 bytes at offset 0",
                    "32 bytes");
            refused(InvalidArgumentException.class, () -> queue.write(wrongType, a), "int8[2, 8]", "float16[2, 8]");
            refused(InvalidArgumentException.class, () -> queue.read(a, 8, small.segment()), "48 bytes at offset 8");
            refused(InvalidArgumentException.class, () -> queue.copy(a, 30, b, 0, 4), "4 bytes at offset 30");
            refused(InvalidArgumentException.class, () -> queue.copy(a, 0, b, -1, 4), "offset -1");
            refused(InvalidArgumentException.class, () -> a.view(TensorType.of(DType.F16, 3, 8)), "48 bytes", "32");
        }
    }

    @Test
    void closedAndNullObjects() {
        b.close();
        refused(InvalidArgumentException.class, () -> queue.dispatch(add, List.of(a, b), List.of(y)), "input 1",
                "is closed");
        refused(InvalidArgumentException.class, () -> queue.dispatch(add, Arrays.asList(a, null), List.of(y)),
                "input 1 is null");
        refused(InvalidArgumentException.class, () -> queue.dispatch(null, List.of(a, a), List.of(y)), "kernel is null");
        refused(InvalidArgumentException.class, () -> queue.write((MemorySegment) null, a, 0), "host memory is null");
        MemorySegment freed;
        try (Arena arena = Arena.ofConfined()) {
            freed = arena.allocate(32);
        }
        MemorySegment dead = freed;
        refused(InvalidArgumentException.class, () -> queue.write(dead, a, 0), "freed");
        refused(InvalidArgumentException.class, () -> device.allocate(null), "type is null");
        refused(InvalidArgumentException.class, () -> queue.waitFor(null), "fence is null");

        add.close();
        refused(InvalidArgumentException.class, () -> queue.dispatch(add, List.of(a, a), List.of(y)), "kernel is closed");
        queue.close();
        refused(IllegalStateException.class, () -> queue.marker(), "queue of npu:0 is closed");
        refused(IllegalStateException.class, () -> queue.write(HostTensor.allocate(T), a), "closed");
    }

    @Test
    void wrongTypesCountsAndAliasing() {
        DeviceBuffer other = device.allocate(TensorType.of(DType.F16, 16));
        refused(InvalidArgumentException.class, () -> queue.dispatch(add, List.of(a, other), List.of(y)),
                "input 1 is float16[16]", "expects float16[2, 8]");
        refused(InvalidArgumentException.class, () -> queue.dispatch(add, List.of(a), List.of(y)), "got 1 inputs");
        refused(InvalidArgumentException.class, () -> queue.dispatch(add, List.of(a, b), List.of(a)),
                "output 0 and input 0 are the same buffer");
        DeviceBuffer view = a.view(TensorType.of(DType.F16, 2, 8));
        refused(InvalidArgumentException.class, () -> queue.dispatch(add, List.of(view, b), List.of(a)), "alias");
    }

    @Test
    void objectsOfAnotherDevice() {
        NpuDevice second = (NpuDevice) new NpuBackend().open().get(0);
        try (second; Queue q2 = second.newQueue()) {
            DeviceBuffer foreign = second.allocate(T);
            Kernel foreignKernel = second.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T));
            refused(InvalidArgumentException.class, () -> queue.dispatch(add, List.of(a, foreign), List.of(y)),
                    "input 1 belongs to device npu:0 (another opened instance), this queue runs on npu:0");
            refused(InvalidArgumentException.class, () -> queue.copy(foreign, a), "source belongs to device");
            refused(InvalidArgumentException.class, () -> queue.dispatch(foreignKernel, List.of(a), List.of(y)),
                    "kernel was prepared on npu:0");
            refused(InvalidArgumentException.class, () -> q2.write(HostTensor.allocate(T), a), "belongs to device");
        }
    }

    @Test
    void closedDevice() {
        device.close();
        refused(IllegalStateException.class, () -> device.allocate(T), "npu:0 is closed");
        refused(IllegalStateException.class, device::newQueue, "npu:0 is closed");
        refused(IllegalStateException.class, () -> device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T)), "closed");
        assertTrue(a.isClosed() && queue.isClosed(), "closing the device closes what was made from it");
    }
}
