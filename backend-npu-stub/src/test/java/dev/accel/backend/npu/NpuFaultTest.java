package dev.accel.backend.npu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Injected faults surface as typed exceptions from the fences and calls they hit, the device can
 * always be closed, and the library holds nothing afterwards.
 */
class NpuFaultTest {
    private static final TensorType T = TensorType.of(DType.F16, 64);
    private NpuDevice device;
    private Queue queue;
    private Kernel relu;
    private DeviceBuffer in;
    private DeviceBuffer out;

    @BeforeEach
    void open() {
        device = NpuTestSupport.open();
        queue = device.newQueue();
        relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T));
        in = device.allocate(T);
        out = device.allocate(T);
        try (HostTensor h = NpuTestSupport.random(new java.util.Random(1), DType.F16, 1, 64)) {
            queue.write(h, in).await();
        }
    }

    @AfterEach
    void close() {
        // Whatever the test left open, closing the device frees it.
        NpuTestSupport.closeAndCheckNoLeak(device);
    }

    private Fence dispatch() {
        return queue.dispatch(relu, List.of(in), List.of(out));
    }

    @Test
    void failedExecutionIsTypedAndLaterWorkOnTheQueueIsNotRun() {
        device.injectFault(NpuFault.FAIL_EXECUTION, 2);
        Fence first = dispatch();
        Fence second = dispatch();
        Fence third = dispatch();
        first.await();
        AccelException e = assertThrows(AccelException.class, second::await);
        assertTrue(e.getMessage().contains("NPU_ERROR_EXECUTION_FAILED") && e.getMessage().contains("injected fault"),
                e.getMessage());
        AccelException skipped = assertThrows(AccelException.class, third::await);
        assertTrue(skipped.getMessage().contains("was not run"), skipped.getMessage());
        assertSame(e, skipped.getCause());
        assertThrows(AccelException.class, queue::finish);

        // The device itself is fine: a new queue runs.
        try (Queue fresh = device.newQueue()) {
            fresh.dispatch(relu, List.of(in), List.of(out)).await();
        }
        NpuDeviceStats stats = device.stats();
        assertEquals(1, stats.failedExecutions());
        assertEquals(3, stats.executions());
    }

    @Test
    void lostDeviceFailsQueuedWorkAndEveryLaterCall() {
        device.injectFault(NpuFault.DEVICE_LOST, 1);
        Fence lost = dispatch();
        Fence after = dispatch();
        DeviceLostException e = assertThrows(DeviceLostException.class, lost::await);
        assertTrue(e.getMessage().contains("NPU_ERROR_DEVICE_LOST") && e.getMessage().contains("npu:0"), e.getMessage());
        assertThrows(DeviceLostException.class, after::await);
        DeviceLostException alloc = assertThrows(DeviceLostException.class, () -> device.allocate(T));
        assertTrue(alloc.getMessage().contains("allocate float16[64]"), alloc.getMessage());
        assertThrows(DeviceLostException.class, device::newQueue);
        assertThrows(DeviceLostException.class, () -> device.prepare(OpSpec.of(Unary.of(Unary.Kind.HARD_SWISH), T)));
        try (HostTensor h = HostTensor.allocate(T)) {
            assertThrows(DeviceLostException.class, () -> queue.read(out, h).await());
        }
    }

    @Test
    void deviceLostAtOnce() {
        device.injectFault(NpuFault.DEVICE_LOST, 0);
        assertThrows(DeviceLostException.class, () -> dispatch().await());
    }

    @Test
    void outOfMemoryInjectedAndReal() {
        device.injectFault(NpuFault.OUT_OF_MEMORY, 2);
        device.allocate(T).close();
        OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class, () -> device.allocate(T));
        assertTrue(e.getMessage().contains("injected fault: allocation #"), e.getMessage());
        device.allocate(T).close();

        long total = device.info().memoryBytes();
        TensorType huge = TensorType.of(DType.I8, (int) Math.min(Integer.MAX_VALUE, total + 1));
        OutOfDeviceMemoryException real = assertThrows(OutOfDeviceMemoryException.class, () -> device.allocate(huge));
        assertTrue(real.getMessage().contains("requested " + huge.byteSize() + " bytes")
                && real.getMessage().contains("of " + total + " bytes free"), real.getMessage());
    }

    @Test
    void nothingLeaksWhenObjectsAreLeftOpenOrFreedEarly() {
        long before = NpuDevice.nativeAllocationCount();
        assertTrue(before >= 5, "device, stream, graph and two buffers are live: " + before);
        DeviceBuffer extra = device.allocate(T);
        assertEquals(before + 1, NpuDevice.nativeAllocationCount());
        // Queue work, then free an input while it is queued: the library keeps the memory until the work ran.
        for (int i = 0; i < 20; i++) {
            queue.dispatch(relu, List.of(extra), List.of(out));
        }
        extra.close();
        queue.finish();
        assertEquals(before, NpuDevice.nativeAllocationCount());
        // Leave queue, kernel and buffers open: @AfterEach closes the device and checks the count is 0.
    }

    @Test
    void faultArgumentsAreCheckedInJava() {
        long calls = NpuNative.apiCallCount();
        assertThrows(dev.accel.hal.InvalidArgumentException.class, () -> device.injectFault(NpuFault.FAIL_EXECUTION, 0));
        assertThrows(dev.accel.hal.InvalidArgumentException.class, () -> device.injectFault(NpuFault.DEVICE_LOST, -1));
        assertThrows(dev.accel.hal.InvalidArgumentException.class, () -> device.injectFault(null, 1));
        assertEquals(calls, NpuNative.apiCallCount(), "a malformed fault reached the library");
    }

    @Test
    void failureOfAFenceAwaitedByWaitForFailsTheWaitingQueue() {
        device.injectFault(NpuFault.FAIL_EXECUTION, 1);
        Fence failed = dispatch();
        try (Queue other = device.newQueue()) {
            other.waitFor(failed);
            Fence blocked = other.marker();
            AccelException e = assertThrows(AccelException.class, blocked::await);
            assertTrue(e.getMessage().contains("NPU_ERROR_DEPENDENCY_FAILED"), e.getMessage());
            assertInstanceOf(AccelException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("NPU_ERROR_EXECUTION_FAILED"), e.getCause().getMessage());
        }
    }
}
