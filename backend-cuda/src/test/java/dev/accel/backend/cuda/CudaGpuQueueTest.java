package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** GPU: transfers of every kind of host memory, ordering across streams through fences, and bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaGpuQueueTest {
    private CudaDevice device;

    @BeforeAll
    void open() {
        device = CudaGpu.tryOpen();
    }

    @AfterAll
    void close() {
        if (device != null) {
            device.close();
        }
    }

    private static void fill(MemorySegment s, int seed) {
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
    }

    @Test
    void roundTripsThroughHeapNativePinnedAndRegisteredMemoryWithOffsets() {
        CudaGpu.assume(device);
        try (Queue q = device.newQueue(); Arena arena = Arena.ofConfined();
             DeviceBuffer b = device.allocate(TensorType.of(DType.U8, 1 << 20))) {
            byte[] heap = new byte[1000];
            fill(MemorySegment.ofArray(heap), 1);
            q.write(MemorySegment.ofArray(heap), b, 7);
            MemorySegment nativeSeg = arena.allocate(3000);
            fill(nativeSeg, 2);
            q.write(nativeSeg, b, 5000);
            try (CudaHostMemory pinned = device.allocateHost(4096);
                 CudaHostMemory registered = device.registerHost(arena.allocate(8192, 4096))) {
                fill(pinned.segment(), 3);
                q.write(pinned.segment(), b, 100_000);
                MemorySegment back = MemorySegment.ofArray(new byte[1000]);
                q.read(b, 7, back).await();
                assertArrayEquals(heap, back.toArray(ValueLayout.JAVA_BYTE));
                Fence f = q.read(b, 5000, registered.segment().asSlice(0, 3000));
                f.await();
                assertTrue(f.isDone());
                assertEquals(-1, nativeSeg.mismatch(registered.segment().asSlice(0, 3000)));
                try (CudaHostMemory pinnedBack = device.allocateHost(4096)) {
                    q.read(b, 100_000, pinnedBack.segment()).await();
                    assertEquals(-1, pinned.segment().mismatch(pinnedBack.segment()));
                }
            }
            q.write(MemorySegment.ofArray(new byte[0]), b, 0).await();
            q.write(MemorySegment.ofArray(new byte[] {42}), b, (1 << 20) - 1);
            byte[] one = new byte[1];
            q.read(b, (1 << 20) - 1, MemorySegment.ofArray(one)).await();
            assertEquals(42, one[0]);
        }
    }

    @Test
    void largeStagedTransfersGoInPiecesAndCopyOnDevice() {
        CudaGpu.assume(device);
        long n = CudaStaging.PIECE + 12345;
        try (Queue q = device.newQueue(); Arena arena = Arena.ofConfined();
             DeviceBuffer a = device.allocate(TensorType.of(DType.U8, (int) n));
             DeviceBuffer b = device.allocate(TensorType.of(DType.U8, (int) n))) {
            MemorySegment src = arena.allocate(n);
            fill(src, 5);
            q.write(src, a, 0);
            q.copy(a, b);
            MemorySegment dst = arena.allocate(n);
            q.read(b, 0, dst).await();
            assertEquals(-1, src.mismatch(dst));
        }
    }

    @Test
    void aFenceOfOneStreamOrdersWorkOnAnother() {
        CudaGpu.assume(device);
        int n = 2048;
        OpSpec mm = OpSpec.of(new MatMul(), TensorType.of(DType.F32, n, n), TensorType.of(DType.F32, n, n));
        try (Queue producer = device.newQueue(); Queue consumer = device.newQueue(); Kernel k = device.prepare(mm);
             HostTensor ones = HostTensor.allocate(DType.F32, n, n); DeviceBuffer a = device.allocate(ones.type());
             DeviceBuffer y = device.allocate(ones.type()); HostTensor out = HostTensor.allocate(DType.F32, n, n)) {
            for (int i = 0; i < n * n; i++) {
                ones.setFloat(i, 1f);
            }
            producer.write(ones, a);
            Fence done = producer.dispatch(k, List.of(a, a), List.of(y));
            consumer.waitFor(done);
            consumer.read(y, out).await();
            assertEquals(n, out.getFloat(0));
            assertEquals(n, out.getFloat((long) n * n - 1));
        }
    }

    @Test
    void aForeignFenceIsAwaitedOnTheHost() {
        CudaGpu.assume(device);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        Fence foreign = new Fence() {
            @Override
            public boolean isDone() {
                return gate.isDone();
            }

            @Override
            public void await() {
                gate.join();
            }

            @Override
            public boolean await(Duration timeout) {
                gate.join();
                return true;
            }
        };
        try (Queue q = device.newQueue()) {
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                gate.complete(null);
            });
            q.waitFor(foreign);
            assertTrue(foreign.isDone());
            q.marker().await();
        }
    }

    @Test
    void badCallsAreRejectedWithTheValues() {
        CudaGpu.assume(device);
        try (Queue q = device.newQueue(); DeviceBuffer b = device.allocate(TensorType.of(DType.F32, 16))) {
            Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), b.type()));
            InvalidArgumentException alias = assertThrows(InvalidArgumentException.class,
                    () -> q.dispatch(relu, List.of(b), List.of(b.view(b.type()))));
            assertTrue(alias.getMessage().contains("overlaps input 0"), alias.getMessage());
            InvalidArgumentException range = assertThrows(InvalidArgumentException.class,
                    () -> q.write(MemorySegment.ofArray(new byte[8]), b, 60));
            assertTrue(range.getMessage().contains("8 bytes at offset 60 do not fit"), range.getMessage());
            OutOfDeviceMemoryException oom = assertThrows(OutOfDeviceMemoryException.class,
                    () -> device.allocate(TensorType.of(DType.I64, 1 << 30, 1 << 20)));
            assertTrue(oom.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY (2)"), oom.getMessage());
            OpSpec nine = OpSpec.of(new Binary(Binary.Kind.ADD), TensorType.of(DType.F32, 2, 1, 2, 1, 2, 1, 2, 1, 2),
                    TensorType.of(DType.F32, 1, 2, 1, 2, 1, 2, 1, 2, 1));
            UnsupportedOpException u = assertThrows(UnsupportedOpException.class, () -> device.prepare(nine));
            assertTrue(u.getMessage().contains("at most 8"), u.getMessage());
            b.close();
            assertThrows(InvalidArgumentException.class, () -> q.dispatch(relu, List.of(b), List.of(b)));
            q.close();
            assertThrows(IllegalStateException.class, q::marker);
        }
    }

    @Test
    void infoReportsTheGpu() {
        CudaGpu.assume(device);
        assertEquals("cuda:0", device.info().id());
        assertTrue(device.info().details().containsKey("compute capability"));
        assertTrue(device.info().memoryBytes() > 0);
        System.out.println(device.info() + "\n" + device.profile());
    }
}
