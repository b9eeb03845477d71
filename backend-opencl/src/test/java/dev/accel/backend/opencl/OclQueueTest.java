package dev.accel.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OclQueueTest {
    private static OclDevice device;

    @BeforeAll
    static void open() {
        device = OclTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.close();
        }
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void roundTripsOfManySizes() {
        try (Queue q = device.newQueue(); Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {0, 1, 3, 4097, 8 << 20}) {
                try (DeviceBuffer b = device.allocate(TensorType.of(DType.U8, n))) {
                    MemorySegment src = arena.allocate(Math.max(1, n)).asSlice(0, n);
                    src.copyFrom(MemorySegment.ofArray(pattern(n, n)));
                    MemorySegment dst = arena.allocate(Math.max(1, n)).asSlice(0, n);
                    q.write(src, b, 0);
                    q.read(b, 0, dst).await();
                    assertArrayEquals(pattern(n, n), dst.toArray(ValueLayout.JAVA_BYTE), "size " + n);
                }
            }
        }
    }

    @Test
    void offsetsHeapMemoryAndCopies() {
        try (Queue q = device.newQueue(); DeviceBuffer a = device.allocate(TensorType.of(DType.U8, 100));
             DeviceBuffer b = device.allocate(TensorType.of(DType.U8, 100))) {
            byte[] data = pattern(100, 7);
            q.write(MemorySegment.ofArray(data), a, 0);
            q.write(MemorySegment.ofArray(pattern(10, 99)), a, 40);
            q.copy(a, 35, b, 5, 20);
            byte[] back = new byte[20];
            q.read(b, 5, MemorySegment.ofArray(back)).await();
            byte[] expected = new byte[20];
            System.arraycopy(data, 35, expected, 0, 5);
            System.arraycopy(pattern(10, 99), 0, expected, 5, 10);
            System.arraycopy(data, 50, expected, 15, 5);
            assertArrayEquals(expected, back);
            assertThrows(InvalidArgumentException.class, () -> q.copy(a, 0, a, 10, 20));
            q.copy(a, 0, a, 50, 20).await();
        }
    }

    @Test
    void viewsShareMemory() {
        DeviceBuffer b = device.allocate(TensorType.of(DType.F32, 2, 3));
        try (Queue q = device.newQueue();
             HostTensor h = HostTensor.fromFloats(DType.F32, dev.accel.hal.Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
             HostTensor out = HostTensor.allocate(DType.F32, 6)) {
            DeviceBuffer v = b.view(TensorType.of(DType.F32, 6));
            q.write(h, b);
            q.read(v, out).await();
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, out.toFloatArray());
            DeviceBuffer bytes = b.view(TensorType.of(DType.U8, 24));
            assertEquals(24, bytes.byteSize());
            assertThrows(InvalidArgumentException.class, () -> b.view(TensorType.of(DType.F32, 5)));
            v.close();
            assertFalse(b.isClosed(), "closing a view frees nothing");
            b.close();
            assertTrue(v.isClosed());
            assertThrows(InvalidArgumentException.class, () -> b.view(TensorType.of(DType.F32, 6)));
        } finally {
            b.close();
        }
    }

    @Test
    void importedHostMemoryFeedsKernels() {
        TensorType t = TensorType.of(DType.F32, 5);
        try (HostTensor h = HostTensor.fromFloats(DType.F32, dev.accel.hal.Shape.of(5), -2, -1, 0, 1, 2);
             HostTensor out = HostTensor.allocate(t); Queue q = device.newQueue(); DeviceBuffer y = device.allocate(t);
             Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t))) {
            DeviceBuffer x = device.importHost(h);
            q.dispatch(relu, List.of(x), List.of(y));
            q.read(y, out).await();
            assertArrayEquals(new float[] {0, 0, 0, 1, 2}, out.toFloatArray());
            x.close();
        }
    }

    @Test
    void fencesOrderTwoQueues() {
        int n = 1 << 20;
        TensorType t = TensorType.of(DType.F32, n);
        try (Queue q1 = device.newQueue(); Queue q2 = device.newQueue(); DeviceBuffer x = device.allocate(t);
             DeviceBuffer y = device.allocate(t); HostTensor h = HostTensor.allocate(t); HostTensor out = HostTensor.allocate(t);
             Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t))) {
            for (int i = 0; i < n; i++) {
                h.setDouble(i, i % 2 == 0 ? -i : i);
            }
            q1.write(h, x);
            Fence f = q1.dispatch(relu, List.of(x), List.of(y));
            q2.waitFor(f);
            Fence r = q2.read(y, out);
            r.await();
            assertTrue(f.isDone());
            for (int i = 0; i < n; i += 997) {
                assertEquals(i % 2 == 0 ? 0 : i, out.getDouble(i), "element " + i);
            }
            assertTrue(q1.marker().await(Duration.ofSeconds(10)));
        }
    }

    /** A fence from elsewhere (another device or backend), completed by the test. */
    private static final class ForeignFence implements Fence {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public boolean isDone() {
            return done.isDone();
        }

        @Override
        public void await() {
            try {
                done.get();
            } catch (InterruptedException | ExecutionException e) {
                throw new AccelException("foreign work failed: " + e.getCause());
            }
        }

        @Override
        public boolean await(Duration timeout) {
            try {
                done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException | ExecutionException e) {
                throw new AccelException("foreign work failed: " + e.getCause());
            }
        }
    }

    @Test
    void foreignFencesHoldBackLaterWork() throws InterruptedException {
        try (Queue q = device.newQueue(); DeviceBuffer b = device.allocate(TensorType.of(DType.U8, 16));
             Arena arena = Arena.ofShared()) {
            ForeignFence foreign = new ForeignFence();
            q.waitFor(foreign);
            MemorySegment src = arena.allocate(16);
            src.fill((byte) 5);
            Fence w = q.write(src, b, 0);
            Thread.sleep(100);
            assertFalse(w.isDone(), "the write waits for the foreign fence");
            assertFalse(w.await(Duration.ofMillis(20)));
            foreign.done.complete(null);
            assertTrue(w.await(Duration.ofSeconds(10)));
            MemorySegment dst = arena.allocate(16);
            q.read(b, 0, dst).await();
            assertEquals(5, dst.get(ValueLayout.JAVA_BYTE, 15));
        }
    }

    @Test
    void fencesOfAnotherOpenClDeviceAreBridged() {
        try (OclDevice other = OclTestSupport.open(); Queue qa = other.newQueue(); Queue qb = device.newQueue();
             DeviceBuffer a = other.allocate(TensorType.of(DType.U8, 8)); DeviceBuffer b = device.allocate(TensorType.of(DType.U8, 8));
             Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(8);
            seg.fill((byte) 3);
            Fence fa = qa.write(seg, a, 0);
            qb.waitFor(fa);
            qb.write(seg, b, 0).await();
            assertTrue(fa.isDone());
        }
    }

    @Test
    void aFailedForeignFenceFailsTheWorkAfterIt() {
        try (Queue q = device.newQueue()) {
            ForeignFence foreign = new ForeignFence();
            q.waitFor(foreign);
            Fence m = q.marker();
            foreign.done.completeExceptionally(new IllegalStateException("device fell off the bus"));
            AccelException e = assertThrows(AccelException.class, m::await);
            assertTrue(e.getMessage().contains("device fell off the bus"), e.getMessage());
            assertThrows(AccelException.class, () -> q.marker().await(), "the queue stays poisoned");
        }
    }

    @Test
    void badInputIsRejectedWithTheValues() {
        TensorType t = TensorType.of(DType.F32, 4);
        try (OclDevice other = OclTestSupport.open(); DeviceBuffer foreign = other.allocate(t)) {
            Queue q = device.newQueue();
            DeviceBuffer b = device.allocate(t);
            MemorySegment small = MemorySegment.ofArray(new byte[16]);
            var e1 = assertThrows(InvalidArgumentException.class, () -> q.write(MemorySegment.ofArray(new byte[20]), b, 0));
            assertTrue(e1.getMessage().contains("20 bytes at offset 0"), e1.getMessage());
            assertThrows(InvalidArgumentException.class, () -> q.read(b, 4, small));
            var e2 = assertThrows(InvalidArgumentException.class, () -> q.write(small, foreign, 0));
            assertTrue(e2.getMessage().contains("belongs to device"), e2.getMessage());
            assertThrows(InvalidArgumentException.class, () -> q.write(small, null, 0));
            assertThrows(InvalidArgumentException.class, () -> q.waitFor(null));
            try (Kernel k = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t))) {
                var e3 = assertThrows(InvalidArgumentException.class, () -> q.dispatch(k, List.of(b), List.of(b)));
                assertTrue(e3.getMessage().contains("alias"), e3.getMessage());
                DeviceBuffer wrong = device.allocate(TensorType.of(DType.F32, 5));
                var e4 = assertThrows(InvalidArgumentException.class, () -> q.dispatch(k, List.of(b), List.of(wrong)));
                assertTrue(e4.getMessage().contains("float32[5]"), e4.getMessage());
                var e5 = assertThrows(InvalidArgumentException.class, () -> q.dispatch(k, List.of(b), List.of(b.view(t))));
                assertTrue(e5.getMessage().contains("alias"), e5.getMessage());
                wrong.close();
            }
            b.close();
            assertThrows(InvalidArgumentException.class, () -> q.write(small, b, 0));
            q.close();
            q.close();
            assertThrows(IllegalStateException.class, q::marker);
            var big = assertThrows(OutOfDeviceMemoryException.class,
                    () -> device.allocate(TensorType.of(DType.F32, Integer.MAX_VALUE, 64)));
            assertTrue(big.getMessage().contains("bytes"), big.getMessage());
        }
    }

    @Test
    void closingTheDeviceReleasesWhatItMade() {
        OclDevice d = OclTestSupport.open();
        DeviceBuffer b = d.allocate(TensorType.of(DType.F32, 8));
        Queue q = d.newQueue();
        Kernel k = d.prepare(OpSpec.of(Unary.of(Unary.Kind.EXP), TensorType.of(DType.F32, 8)));
        d.close();
        d.close();
        assertTrue(d.isClosed());
        assertTrue(b.isClosed());
        assertTrue(q.isClosed());
        k.close();
        assertThrows(IllegalStateException.class, () -> d.allocate(TensorType.of(DType.F32, 1)));
        assertThrows(IllegalStateException.class, () -> d.prepare(OpSpec.of(Unary.of(Unary.Kind.EXP),
                TensorType.of(DType.F32, 1))));
    }
}
