package dev.accel.backend.npu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Transfers, ordering, fences across queues, the completion callback and the stream synchronise path. */
class NpuQueueTest {
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

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 17, 1 << 20})
    void roundTripsThroughDeviceMemory(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        try (DeviceBuffer b = device.allocate(TensorType.of(DType.I8, n))) {
            // A heap segment: the library copies it at the call, so heap memory is fine.
            queue.write(MemorySegment.ofArray(data), b, 0);
            byte[] back = new byte[n];
            queue.read(b, 0, MemorySegment.ofArray(back)).await();
            assertArrayEquals(data, back);
        }
    }

    @Test
    void offsetsAndDeviceToDeviceCopies() {
        try (DeviceBuffer a = device.allocate(TensorType.of(DType.I32, 8));
             DeviceBuffer b = device.allocate(TensorType.of(DType.I32, 8))) {
            queue.write(MemorySegment.ofArray(new int[] {1, 2, 3, 4, 5, 6, 7, 8}), a, 0);
            queue.write(MemorySegment.ofArray(new int[] {0, 0, 0, 0, 0, 0, 0, 0}), b, 0);
            queue.write(MemorySegment.ofArray(new int[] {-9}), a, 12);
            queue.copy(a, 8, b, 16, 12);
            int[] out = new int[8];
            queue.read(b, 0, MemorySegment.ofArray(out)).await();
            assertArrayEquals(new int[] {0, 0, 0, 0, 3, -9, 5, 0}, out);
            int[] part = new int[2];
            queue.read(a, 24, MemorySegment.ofArray(part)).await();
            assertArrayEquals(new int[] {7, 8}, part);
        }
    }

    @Test
    void workRunsInOrderAndFencesJoinQueues() {
        TensorType t = TensorType.of(DType.F16, 1000);
        try (Queue second = device.newQueue(); Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t));
             DeviceBuffer x = device.allocate(t); DeviceBuffer y = device.allocate(t);
             HostTensor host = HostTensor.allocate(t); HostTensor result = HostTensor.allocate(t)) {
            for (int i = 0; i < 1000; i++) {
                host.setDouble(i, i % 2 == 0 ? -i : i);
            }
            Fence written = queue.write(host, x);
            Fence ran = queue.dispatch(relu, List.of(x), List.of(y));
            // The second queue reads y only after the first queue's dispatch.
            second.waitFor(ran);
            Fence read = second.read(y, result);
            read.await();
            assertTrue(written.isDone() && ran.isDone());
            for (int i = 0; i < 1000; i++) {
                assertEquals(i % 2 == 0 ? 0 : i, result.getDouble(i), "element " + i);
            }
        }
    }

    @Test
    void waitsForAFenceOfAnotherBackend() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Fence foreign = new Fence() {
            @Override
            public boolean isDone() {
                return release.getCount() == 0;
            }

            @Override
            public void await() {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public boolean await(Duration timeout) {
                await();
                return true;
            }
        };
        queue.waitFor(foreign);
        Fence after = queue.marker();
        assertFalse(after.await(Duration.ofMillis(50)), "the queue ran past an unfinished foreign fence");
        release.countDown();
        after.await();
    }

    @Test
    void completionComesFromTheLibrarysWorkerThreadWithSimulatedTime() {
        TensorType t = TensorType.of(DType.F16, 4, 4);
        try (Kernel mm = device.prepare(OpSpec.of(new dev.accel.hal.op.MatMul(), t, t));
             DeviceBuffer a = device.allocate(t); DeviceBuffer y = device.allocate(t)) {
            NpuFence f = (NpuFence) queue.dispatch(mm, List.of(a, a), List.of(y));
            f.await();
            Thread worker = f.completedBy();
            assertNotNull(worker);
            assertNotEquals(Thread.currentThread(), worker);
            assertFalse(worker.isVirtual());
            NpuKernel k = (NpuKernel) mm;
            // Timing model: 30 us launch + max(2*4*4*4 ops / 12 TFLOPS, 96 bytes / 64 GB/s), in whole ns.
            assertEquals(30_000 + (long) Math.ceil(96 / 64e9 * 1e9), k.estimatedNanos());
            assertEquals(k.estimatedNanos(), f.simulatedNanos());
            assertEquals(2.0 * 4 * 4 * 4, k.operations());
            assertEquals(k.estimatedNanos(), device.stats().simulatedNanos());
        }
    }

    @Test
    void streamSynchronisePathWithoutACallback() {
        TensorType t = TensorType.of(DType.F16, 8);
        try (Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t));
             DeviceBuffer x = device.allocate(t); DeviceBuffer y = device.allocate(t);
             HostTensor in = HostTensor.fromDoubles(DType.F16, t.shape(), -1, 2, -3, 4, -5, 6, -7, 8);
             HostTensor out = HostTensor.allocate(t); Arena arena = Arena.ofConfined()) {
            queue.write(in, x).await();
            // The raw binding: an execution queued with no callback, then npu_stream_synchronize.
            MemorySegment stream = NpuNative.streamCreate(device.handle());
            try {
                MemorySegment ins = arena.allocate(ADDRESS, 1);
                MemorySegment outs = arena.allocate(ADDRESS, 1);
                ins.setAtIndex(ADDRESS, 0, ((NpuBuffer) x).handle());
                outs.setAtIndex(ADDRESS, 0, ((NpuBuffer) y).handle());
                assertEquals(NpuStatus.SUCCESS,
                        NpuNative.graphExecuteAsync(stream, ((NpuKernel) relu).graph(), ins, 1, outs, 1, 0));
                assertEquals(NpuStatus.SUCCESS, NpuNative.streamSynchronize(stream));
            } finally {
                assertEquals(NpuStatus.SUCCESS, NpuNative.streamDestroy(stream));
            }
            queue.read(y, out).await();
            assertArrayEquals(new double[] {0, 2, 0, 4, 0, 6, 0, 8}, out.toDoubleArray());
        }
    }

    @Test
    void sleepingToSimulatedTimeMakesWallTimeAtLeastTheModel() {
        TensorType t = TensorType.of(DType.F16, 8);
        device.setSleepToSimulatedTime(true);
        try (Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t));
             DeviceBuffer x = device.allocate(t); DeviceBuffer y = device.allocate(t)) {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                queue.dispatch(relu, List.of(x), List.of(y));
            }
            queue.finish();
            long elapsed = System.nanoTime() - start;
            // A lower bound only: the library slept at least the simulated time of each execution.
            assertTrue(elapsed >= 5 * ((NpuKernel) relu).estimatedNanos(), "elapsed " + elapsed + " ns");
        }
    }

    @Test
    void readIntoMemoryClosedBeforeCompletionFailsTheFenceInsteadOfCrashing() {
        TensorType t = TensorType.of(DType.I8, 64);
        try (DeviceBuffer b = device.allocate(t); Queue slow = device.newQueue()) {
            CountDownLatch release = new CountDownLatch(1);
            Fence gate = new Fence() {
                @Override
                public boolean isDone() {
                    return release.getCount() == 0;
                }

                @Override
                public void await() {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public boolean await(Duration timeout) {
                    await();
                    return true;
                }
            };
            slow.waitFor(gate);
            Arena arena = Arena.ofShared();
            MemorySegment dst = arena.allocate(64);
            Fence read = slow.read(b, 0, dst);
            arena.close(); // breaks the contract: the memory goes before the read completed
            release.countDown();
            dev.accel.hal.AccelException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.accel.hal.AccelException.class, read::await);
            assertTrue(e.getMessage().contains("read on npu:0 failed"), e.getMessage());
        }
    }

    @Test
    void fencesStampTheirCompletion() {
        try (DeviceBuffer b = device.allocate(TensorType.of(DType.I8, 1 << 16)); var arena = java.lang.foreign.Arena.ofShared()) {
            long before = System.nanoTime();
            Fence f = queue.read(b, 0, arena.allocate(1 << 16));
            f.await();
            long after = System.nanoTime();
            long end = f.completedAt().orElseThrow();
            assertTrue(before <= end && end <= after, "completion stamp " + end + " outside [" + before + ", " + after + "]");
        }
    }
}
