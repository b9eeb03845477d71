package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import dev.accel.hal.op.Unary;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Batching into one submission, barriers only between dependent commands, timeline fences across queues, host waits. */
class VulkanQueueTest extends VulkanTestSupport {
    private static final TensorType T = TensorType.of(DType.F32, 1000);

    /** A fence of "another backend": done when completed by hand, or failed. */
    static final class ManualFence implements Fence {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public boolean isDone() {
            return done.isDone();
        }

        @Override
        public void await() {
            try {
                done.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw new AccelException("manual fence failed: " + e.getCause().getMessage(), e.getCause());
            }
        }

        @Override
        public boolean await(Duration timeout) {
            await();
            return true;
        }
    }

    static float[] iota(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2) * scale;
        }
        return v;
    }

    @Test
    void dependentDispatchesRunInOneSubmissionWithBarriersBetween() {
        VulkanQueue q = (VulkanQueue) queue;
        q.finish();
        try (Kernel add = device.prepare(OpSpec.of(new Binary(Binary.Kind.ADD), T, T));
             DeviceBuffer x = device.allocate(T); DeviceBuffer a = device.allocate(T); DeviceBuffer b = device.allocate(T)) {
            HostTensor hx = HostTensor.fromFloats(DType.F32, T.shape(), iota(1000, 0.001f));
            q.write(hx, x);
            q.finish(); // on a unified device an idle queue writes directly; elsewhere the write is a submission of its own
            long before = q.submissions();
            // a = x + x; b = a + x; a = b + x; ... 20 steps, each reading the previous result.
            DeviceBuffer src = x;
            DeviceBuffer[] ping = {a, b};
            for (int i = 0; i < 20; i++) {
                DeviceBuffer dst = ping[i % 2];
                q.dispatch(add, List.of(src, x), List.of(dst));
                src = dst;
            }
            HostTensor out = HostTensor.allocate(T);
            q.read(src, out).await();
            assertEquals(1, q.submissions() - before, "20 dispatches and a read are one vkQueueSubmit");
            int[] shape = q.lastBatchShape();
            assertEquals(21, shape[0], "20 dispatches and the read's copy");
            assertEquals(20, shape[1], "each dispatch but the first, and the read, depend on the command before");
            for (int i = 0; i < 1000; i++) {
                assertEquals(21 * hx.getFloat(i), out.getFloat(i), 1e-4, "element " + i);
            }
        }
    }

    @Test
    void independentDispatchesNeedNoBarrier() {
        VulkanQueue q = (VulkanQueue) queue;
        try (Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T))) {
            DeviceBuffer[] in = new DeviceBuffer[8];
            DeviceBuffer[] out = new DeviceBuffer[8];
            for (int i = 0; i < 8; i++) {
                in[i] = device.allocate(T);
                out[i] = device.allocate(T);
            }
            q.finish();
            HostTensor h = HostTensor.fromFloats(DType.F32, T.shape(), iota(1000, 1));
            for (int i = 0; i < 8; i++) {
                q.write(h, in[i]);
            }
            q.finish();
            for (int i = 0; i < 8; i++) {
                q.dispatch(relu, List.of(in[i]), List.of(out[i]));
            }
            q.marker().await();
            int[] shape = q.lastBatchShape();
            assertEquals(8, shape[0]);
            assertEquals(0, shape[1], "no barrier among dispatches that share no written memory");
            for (int i = 0; i < 8; i++) {
                HostTensor r = HostTensor.allocate(T);
                q.read(out[i], r).await();
                assertEquals(0f, r.getFloat(0));
                assertEquals(499f, r.getFloat(999));
                in[i].close();
                out[i].close();
            }
        }
    }

    @Test
    void writeAfterADispatchIsOrderedAfterItsReads() {
        try (Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T));
             DeviceBuffer x = device.allocate(T); DeviceBuffer y = device.allocate(T)) {
            HostTensor first = HostTensor.fromFloats(DType.F32, T.shape(), iota(1000, 1));
            HostTensor second = HostTensor.fromFloats(DType.F32, T.shape(), iota(1000, -1));
            queue.write(first, x);
            queue.dispatch(relu, List.of(x), List.of(y));
            queue.write(second, x); // staged in the same batch: must not overtake the dispatch
            HostTensor out = HostTensor.allocate(T);
            queue.read(y, out).await();
            assertEquals(499f, out.getFloat(999), "relu saw the first contents of x");
            HostTensor back = HostTensor.allocate(T);
            queue.read(x, back).await();
            assertEquals(-499f, back.getFloat(999));
        }
    }

    @Test
    void timelineFenceOrdersWorkAcrossTwoQueues() {
        try (Queue q1 = device.newQueue(); Queue q2 = device.newQueue();
             Kernel exp = device.prepare(OpSpec.of(Unary.of(Unary.Kind.EXP), T));
             Kernel neg = device.prepare(OpSpec.of(Unary.hardSigmoid(-1f, 0f), T));
             DeviceBuffer x = device.allocate(T); DeviceBuffer y = device.allocate(T); DeviceBuffer z = device.allocate(T)) {
            HostTensor hx = HostTensor.fromFloats(DType.F32, T.shape(), iota(1000, 0.002f));
            q1.write(hx, x);
            Fence f1 = q1.dispatch(exp, List.of(x), List.of(y));
            assertTrue(f1 instanceof VulkanFence);
            q2.waitFor(f1); // submits q1's batch, then q2's next submission waits on q1's semaphore
            q2.dispatch(neg, List.of(y), List.of(z));
            HostTensor out = HostTensor.allocate(T);
            Fence f2 = q2.read(z, out);
            f2.await();
            assertTrue(f1.isDone());
            for (int i = 0; i < 1000; i++) {
                double want = Math.max(0, Math.min(1, -Math.exp(hx.getDouble(i))));
                assertEquals(want, out.getDouble(i), 1e-6);
            }
            // and back: q1 waits for q2's marker
            q1.waitFor(q2.marker());
            HostTensor again = HostTensor.allocate(T);
            q1.read(z, again).await();
            assertArrayEquals(out.toFloatArray(), again.toFloatArray());
        }
    }

    /**
     * Regression: closing the queue whose semaphore another queue just waited on. Mesa's submit
     * thread releases the waiter's timeline point after signalling; destroying the semaphore before
     * that crashed lavapipe (a race, so this repeats the pattern a few dozen times).
     */
    @Test
    void closingAQueueAnotherQueueWaitedOnIsSafe() {
        try (Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T));
             DeviceBuffer x = device.allocate(T); DeviceBuffer y = device.allocate(T)) {
            queue.write(HostTensor.allocate(T), x).await();
            for (int i = 0; i < 40; i++) {
                Queue producer = device.newQueue();
                Queue consumer = device.newQueue();
                Fence f = producer.dispatch(relu, List.of(x), List.of(y));
                consumer.waitFor(f);
                consumer.marker().await();
                consumer.close();
                producer.close();
            }
            // the producer closes before the consumer's wait is even submitted
            Queue producer = device.newQueue();
            Queue consumer = device.newQueue();
            consumer.waitFor(producer.dispatch(relu, List.of(x), List.of(y)));
            producer.close();
            consumer.marker().await();
            consumer.close();
        }
    }

    @Test
    void foreignFenceIsAwaitedOnTheHostBeforeTheNextSubmit() throws Exception {
        try (Queue q = device.newQueue(); Queue other = device.newQueue();
             Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T));
             DeviceBuffer x = device.allocate(T); DeviceBuffer y = device.allocate(T)) {
            q.write(HostTensor.allocate(T), x).await();
            ManualFence gate = new ManualFence();
            HostTensor fresh = HostTensor.fromFloats(DType.F32, T.shape(), iota(1000, 1));
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                    other.write(fresh, x).await(); // x changes only after the consumer queued its work
                    gate.done.complete(null);
                } catch (InterruptedException e) {
                    gate.done.completeExceptionally(e);
                }
            });
            q.waitFor(gate);
            q.dispatch(relu, List.of(x), List.of(y));
            HostTensor out = HostTensor.allocate(T);
            q.read(y, out).await();
            producer.join();
            assertEquals(499f, out.getFloat(999), "the dispatch ran after the foreign fence, on the new contents of x");
        }
    }

    @Test
    void failedForeignFenceFailsLaterWork() {
        try (Queue q = device.newQueue(); DeviceBuffer x = device.allocate(T)) {
            ManualFence bad = new ManualFence();
            bad.done.completeExceptionally(new IllegalStateException("producer crashed"));
            q.waitFor(bad);
            HostTensor out = HostTensor.allocate(T);
            Fence f = q.read(x, out);
            AccelException e = assertThrows(AccelException.class, f::await);
            assertTrue(e.getMessage().contains("producer crashed"), e.getMessage());
            Fence next = q.read(x, HostTensor.allocate(T));
            AccelException later = assertThrows(AccelException.class, next::await);
            assertTrue(later.getMessage().contains("earlier work on this queue failed"), later.getMessage());
        }
    }

    @Test
    void fencesMarkersAndClose() {
        Queue q = device.newQueue();
        assertSame(Fence.done(), q.marker(), "an unused queue's marker is already done");
        try (DeviceBuffer x = device.allocate(T)) {
            Fence w = q.write(HostTensor.allocate(T), x);
            assertTrue(w.isDone() || w.await(Duration.ofSeconds(30)));
            HostTensor out = HostTensor.allocate(T);
            Fence r = q.read(x, out);
            assertTrue(r.await(Duration.ofSeconds(30)));
            assertTrue(r.isDone());
            q.finish();
        }
        q.close();
        q.close();
        assertTrue(q.isClosed());
        assertThrows(IllegalStateException.class, q::marker);
        assertFalse(device.isClosed());
    }

    @Test
    void explicitFlushSubmitsWithoutWaiting() {
        VulkanQueue q = (VulkanQueue) device.newQueue();
        try (q; Kernel relu = device.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), T));
             DeviceBuffer x = device.allocate(T); DeviceBuffer y = device.allocate(T)) {
            q.write(HostTensor.allocate(T), x);
            Fence f = q.dispatch(relu, List.of(x), List.of(y));
            long before = q.submissions();
            q.flush();
            assertEquals(before + 1, q.submissions());
            f.await();
            q.flush();
            assertEquals(before + 1, q.submissions(), "nothing left to submit");
        }
    }
}
