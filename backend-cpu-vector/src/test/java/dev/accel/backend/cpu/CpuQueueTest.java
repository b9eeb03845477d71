package dev.accel.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.OpSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The CPU queue's latency path (small work run inline when the queue is idle) keeps the queue's
 * contract: order behind queued work and behind waits, failure of everything after a failure, and
 * order between threads.
 */
class CpuQueueTest {
    private static final TensorType ONE = TensorType.of(DType.F32, 1);

    /** A fence another test thread completes. */
    private static final class ManualFence implements Fence {
        final CompletableFuture<Void> f = new CompletableFuture<>();

        @Override
        public boolean isDone() {
            return f.isDone();
        }

        @Override
        public void await() {
            f.join();
        }

        @Override
        public boolean await(Duration timeout) {
            try {
                f.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (Exception e) {
                throw new AccelException("manual fence failed", e);
            }
        }
    }

    private static float read(Queue q, DeviceBuffer b) {
        try (HostTensor t = HostTensor.allocate(b.type())) {
            q.read(b, t).await();
            return t.getFloat(0);
        }
    }

    private static void write(Queue q, DeviceBuffer b, float v) {
        try (HostTensor t = HostTensor.fromFloats(DType.F32, ONE.shape(), v)) {
            q.write(t, b).await();
        }
    }

    @Test
    void smallWorkOnAnIdleQueueCompletesBeforeDispatchReturns() {
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue()) {
            Kernel add = d.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), ONE, ONE));
            DeviceBuffer a = d.allocate(ONE);
            DeviceBuffer b = d.allocate(ONE);
            DeviceBuffer c = d.allocate(ONE);
            write(q, a, 2f);
            write(q, b, 3f);
            Fence f = q.dispatch(add, List.of(a, b), List.of(c));
            assertTrue(f.isDone(), "a one-element Add on an idle queue runs inline");
            assertEquals(5f, read(q, c));
        }
    }

    @Test
    void awaitingQueuedWorkLeavesTheQueueIdleForTheNextCall() {
        TensorType big = TensorType.of(DType.F32, 1 << 16);
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue()) {
            Kernel add = d.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), ONE, ONE));
            DeviceBuffer a = d.allocate(ONE);
            DeviceBuffer c = d.allocate(ONE);
            DeviceBuffer src = d.allocate(big);
            DeviceBuffer dst = d.allocate(big);
            for (int i = 0; i < 200; i++) {
                // Large enough to go to the worker; once its fence is done the queue must be idle again.
                q.copy(src, dst).await();
                assertTrue(q.dispatch(add, List.of(a, a), List.of(c)).isDone(), "round " + i + ": the Add was queued");
            }
        }
    }

    @Test
    void smallWorkWaitsBehindAPendingWait() {
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue()) {
            Kernel add = d.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), ONE, ONE));
            DeviceBuffer a = d.allocate(ONE);
            DeviceBuffer c = d.allocate(ONE);
            write(q, a, 1f);
            ManualFence gate = new ManualFence();
            q.waitFor(gate);
            // Queued behind the wait: a write that changes a, then an Add reading it.
            Fence w;
            try (HostTensor t = HostTensor.fromFloats(DType.F32, ONE.shape(), 10f)) {
                w = q.write(t, a);
                Fence f = q.dispatch(add, List.of(a, a), List.of(c));
                assertFalse(w.isDone(), "the write must wait for the gate");
                assertFalse(f.isDone(), "the Add must not run inline ahead of queued work");
                gate.f.complete(null);
                f.await();
            }
            assertEquals(20f, read(q, c));
        }
    }

    @Test
    void smallWorkRunsAfterLargeQueuedWork() {
        TensorType big = TensorType.of(DType.F32, 1 << 18);
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue()) {
            Kernel add = d.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), ONE, ONE));
            DeviceBuffer src = d.allocate(big);
            DeviceBuffer dst = d.allocate(big);
            DeviceBuffer c = d.allocate(ONE);
            try (HostTensor t = HostTensor.allocate(big)) {
                for (int i = 0; i < 1 << 18; i++) {
                    t.setFloat(i, i);
                }
                q.write(t, src);
                q.copy(src, dst);
                // Element 7 of dst, copied out and doubled: right only if the large copy ran first.
                DeviceBuffer seven = d.allocate(ONE);
                q.copy(dst, 7 * 4L, seven, 0, 4);
                q.dispatch(add, List.of(seven, seven), List.of(c)).await();
            }
            assertEquals(14f, read(q, c));
        }
    }

    @Test
    void aFailureFailsEverythingAfterItInlineOrNot() {
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue()) {
            OpSpec spec = OpSpec.of(new Binary(Binary.Kind.ADD), ONE, ONE);
            Kernel broken = new CpuKernel(d, spec, (in, out) -> {
                throw new IllegalStateException("kernel exploded");
            });
            Kernel add = d.prepare(spec);
            DeviceBuffer a = d.allocate(ONE);
            DeviceBuffer c = d.allocate(ONE);
            Fence bad = q.dispatch(broken, List.of(a, a), List.of(c));
            AccelException e = assertThrows(AccelException.class, bad::await);
            assertTrue(e.getMessage().contains("kernel exploded"), e.getMessage());
            Fence later = q.dispatch(add, List.of(a, a), List.of(c));
            e = assertThrows(AccelException.class, later::await);
            assertTrue(e.getMessage().contains("earlier work on this queue failed") && e.getMessage().contains("kernel exploded"),
                    e.getMessage());
            assertThrows(AccelException.class, () -> q.marker().await());
        }
    }

    @Test
    void concurrentSubmittersKeepTheirOwnOrder() throws InterruptedException {
        int threads = 4;
        int rounds = 200;
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue()) {
            Kernel add = d.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), ONE, ONE));
            List<DeviceBuffer> acc = new ArrayList<>();
            DeviceBuffer one = d.allocate(ONE);
            write(q, one, 1f);
            for (int t = 0; t < threads; t++) {
                acc.add(d.allocate(ONE));
                write(q, acc.get(t), 0f);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                DeviceBuffer mine = acc.get(t);
                DeviceBuffer scratch = d.allocate(ONE);
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    // acc += 1, as scratch = acc + 1 then acc = scratch: each step reads the previous one's result.
                    for (int r = 0; r < rounds; r++) {
                        q.dispatch(add, List.of(mine, one), List.of(scratch));
                        q.copy(scratch, mine);
                    }
                }));
            }
            start.countDown();
            for (Thread t : ts) {
                t.join();
            }
            q.finish();
            for (int t = 0; t < threads; t++) {
                assertEquals(rounds, read(q, acc.get(t)), "thread " + t);
            }
        }
    }

    @Test
    void fencesStampWhenTheirWorkRan() {
        TensorType big = TensorType.of(DType.F32, 1 << 20);
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue();
             Kernel add = d.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), big, big));
             DeviceBuffer a = d.allocate(big); DeviceBuffer b = d.allocate(big); DeviceBuffer c = d.allocate(big)) {
            long before = System.nanoTime();
            Fence first = q.dispatch(add, List.of(a, b), List.of(c));
            Fence second = q.dispatch(add, List.of(c, b), List.of(a));
            second.await();
            long after = System.nanoTime();
            first.await();
            long s1 = first.startedAt().orElseThrow();
            long e1 = first.completedAt().orElseThrow();
            long s2 = second.startedAt().orElseThrow();
            long e2 = second.completedAt().orElseThrow();
            assertTrue(before <= s1 && s1 <= e1 && e1 <= s2 && s2 <= e2 && e2 <= after,
                    "stamps out of order: " + List.of(before, s1, e1, s2, e2, after));
        }
    }
}
