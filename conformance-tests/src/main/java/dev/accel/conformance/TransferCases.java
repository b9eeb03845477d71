package dev.accel.conformance;

import static dev.accel.conformance.TransferCase.await;
import static dev.accel.conformance.TransferCase.check;

import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Buffer, transfer and queue cases: round trips of every dtype, sizes 0, 1 and large, offsets,
 * device-to-device copies, views, ordering on one queue, fences across two queues, markers, and
 * close waiting for queued work.
 */
final class TransferCases {
    /** 32 MiB: large enough that an asynchronous device is still busy when the next call is made. */
    private static final int LARGE = 32 << 20;

    private TransferCases() {
    }

    static List<ConformanceCase> all() {
        List<ConformanceCase> c = new ArrayList<>();
        for (DType d : DType.values()) {
            String l = Labels.of(d);
            c.add(new TransferCase("Buffer/" + l + "/roundtrip-17", "Buffer", l, "17", (dev, q, res) -> roundTrip(dev, q, res, d)));
        }
        c.add(new TransferCase("Buffer/u8/size-0", "Buffer", "u8", "0 and 3x0", TransferCases::sizeZero));
        c.add(new TransferCase("Buffer/u8/size-1", "Buffer", "u8", "1", TransferCases::sizeOne));
        c.add(new TransferCase("Buffer/u8/large-32MiB", "Buffer", "u8", String.valueOf(LARGE), TransferCases::large));
        c.add(new TransferCase("Buffer/u8/offsets", "Buffer", "u8", "1000", TransferCases::offsets));
        c.add(new TransferCase("Buffer/f32/copy", "Buffer", "f32", "4x25", TransferCases::copy));
        c.add(new TransferCase("Buffer/f32/view", "Buffer", "f32", "4x6 as 24, 2x12, i32 24", TransferCases::view));
        c.add(new TransferCase("Buffer/f32/close-idempotent", "Buffer", "f32", "5", TransferCases::closeTwice));
        c.add(new TransferCase("Queue/u8/in-order", "Queue", "u8", "4MiB", TransferCases::inOrder));
        c.add(new TransferCase("Queue/u8/two-queues-waitFor", "Queue", "u8", String.valueOf(LARGE), TransferCases::twoQueues));
        c.add(new TransferCase("Queue/u8/waitFor-foreign-fence", "Queue", "u8", "64", TransferCases::foreignFence));
        c.add(new TransferCase("Queue/u8/marker-finish", "Queue", "u8", "1MiB", TransferCases::markerFinish));
        c.add(new TransferCase("Queue/u8/close-waits", "Queue", "u8", String.valueOf(LARGE), TransferCases::closeWaits));
        return c;
    }

    /** A host tensor of random contents valid for its dtype (bool bytes 0 or 1). */
    private static HostTensor random(Resources res, TensorType t, long seed) {
        HostTensor h = res.add(HostTensor.allocate(t));
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < t.numel(); i++) {
            double v = switch (t.dtype()) {
                case F32, F16, BF16 -> r.nextDouble(-100, 100);
                case BOOL -> r.nextInt(2);
                case I8 -> r.nextInt(-128, 128);
                case U8 -> r.nextInt(256);
                case I32 -> r.nextInt();
                case I64 -> r.nextLong(-(1L << 52), 1L << 52);
            };
            h.setDouble(i, v);
        }
        return h;
    }

    /** Bytes filled with a pattern that differs for every seed and position. */
    static MemorySegment pattern(Resources res, long bytes, int seed) {
        HostTensor h = res.add(HostTensor.allocate(DType.U8, Math.toIntExact(bytes)));
        MemorySegment s = h.segment();
        for (long i = 0; i < bytes; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed * 17 + (i >>> 8)));
        }
        return s;
    }

    static MemorySegment host(Resources res, long bytes) {
        return res.add(HostTensor.allocate(DType.U8, Math.toIntExact(bytes))).segment();
    }

    static void sameBytes(MemorySegment actual, MemorySegment expected, String what) {
        long at = actual.mismatch(expected);
        if (at >= 0) {
            throw new TransferCase.Failure(what + ": first difference at byte " + at + " of " + expected.byteSize()
                    + (at < Math.min(actual.byteSize(), expected.byteSize()) ? ": read "
                    + (actual.get(ValueLayout.JAVA_BYTE, at) & 0xff) + ", wrote " + (expected.get(ValueLayout.JAVA_BYTE, at) & 0xff)
                    : ""));
        }
    }

    private static void roundTrip(Device dev, Queue q, Resources res, DType d) {
        TensorType t = TensorType.of(d, 17);
        HostTensor src = random(res, t, 17 + d.ordinal());
        HostTensor dst = res.add(HostTensor.allocate(t));
        DeviceBuffer b = res.add(dev.allocate(t));
        q.write(src, b);
        Fence f = q.read(b, dst);
        await(f, "round trip");
        check(f.isDone(), "a fence that await returned from says isDone() false");
        sameBytes(dst.segment(), src.segment(), "round trip of " + t);
    }

    private static void sizeZero(Device dev, Queue q, Resources res) {
        for (TensorType t : List.of(TensorType.of(DType.U8, 0), TensorType.of(DType.F32, 3, 0))) {
            DeviceBuffer a = res.add(dev.allocate(t));
            DeviceBuffer b = res.add(dev.allocate(t));
            check(a.byteSize() == 0, t + " buffer has byteSize " + a.byteSize() + ", expected 0");
            HostTensor h = res.add(HostTensor.allocate(t));
            q.write(h, a);
            q.copy(a, b);
            q.copy(a, 0, b, 0, 0);
            await(q.read(b, h), "empty transfers of " + t);
        }
    }

    private static void sizeOne(Device dev, Queue q, Resources res) {
        DeviceBuffer b = res.add(dev.allocate(TensorType.of(DType.U8, 1)));
        MemorySegment src = host(res, 1).fill((byte) 0xA5);
        MemorySegment dst = host(res, 1);
        q.write(src, b, 0);
        await(q.read(b, 0, dst), "one-byte round trip");
        sameBytes(dst, src, "one-byte round trip");
    }

    private static void large(Device dev, Queue q, Resources res) {
        DeviceBuffer b = res.add(dev.allocate(TensorType.of(DType.U8, LARGE)));
        MemorySegment src = pattern(res, LARGE, 1);
        MemorySegment dst = host(res, LARGE);
        q.write(src, b, 0);
        await(q.read(b, 0, dst), "32 MiB round trip");
        sameBytes(dst, src, "32 MiB round trip");
    }

    private static void offsets(Device dev, Queue q, Resources res) {
        DeviceBuffer b = res.add(dev.allocate(TensorType.of(DType.U8, 1000)));
        MemorySegment a = pattern(res, 1000, 2);
        MemorySegment patch = pattern(res, 100, 3);
        q.write(a, b, 0);
        q.write(patch, b, 333);
        MemorySegment part = host(res, 200);
        MemorySegment whole = host(res, 1000);
        q.read(b, 300, part);
        await(q.read(b, 0, whole), "writes and reads at offsets");
        MemorySegment expected = host(res, 1000).copyFrom(a);
        MemorySegment.copy(patch, 0, expected, 333, 100);
        sameBytes(whole, expected, "whole buffer after a 100-byte write at offset 333");
        sameBytes(part, expected.asSlice(300, 200), "200 bytes read at offset 300");
        q.write(pattern(res, 1, 4), b, 999);
        MemorySegment lastByte = host(res, 1);
        await(q.read(b, 999, lastByte), "write and read of the last byte");
        sameBytes(lastByte, pattern(res, 1, 4), "last byte");
    }

    private static void copy(Device dev, Queue q, Resources res) {
        TensorType t = TensorType.of(DType.F32, 4, 25);
        DeviceBuffer src = res.add(dev.allocate(t));
        DeviceBuffer dst = res.add(dev.allocate(t));
        DeviceBuffer part = res.add(dev.allocate(t));
        MemorySegment a = pattern(res, t.byteSize(), 5);
        MemorySegment z = host(res, t.byteSize());
        q.write(a, src, 0);
        q.write(z, part, 0);
        q.copy(src, dst);
        q.copy(src, 8, part, 100, 40);
        MemorySegment whole = host(res, t.byteSize());
        MemorySegment partial = host(res, t.byteSize());
        q.read(dst, 0, whole);
        await(q.read(part, 0, partial), "copies");
        sameBytes(whole, a, "whole-buffer copy");
        MemorySegment expected = host(res, t.byteSize());
        MemorySegment.copy(a, 8, expected, 100, 40);
        sameBytes(partial, expected, "40 bytes copied from offset 8 to offset 100");
    }

    private static void view(Device dev, Queue q, Resources res) {
        TensorType t = TensorType.of(DType.F32, 4, 6);
        DeviceBuffer owner = dev.allocate(t);
        try {
            DeviceBuffer flat = owner.view(TensorType.of(DType.F32, 24));
            DeviceBuffer rows = owner.view(TensorType.of(DType.F32, 2, 12));
            DeviceBuffer ints = owner.view(TensorType.of(DType.I32, 24));
            check(flat.type().equals(TensorType.of(DType.F32, 24)), "view type is " + flat.type() + ", asked for float32[24]");
            check(flat.byteSize() == t.byteSize(), "view has " + flat.byteSize() + " bytes, owner " + t.byteSize());
            MemorySegment a = pattern(res, t.byteSize(), 6);
            q.write(a, owner, 0);
            MemorySegment viaView = host(res, t.byteSize());
            await(q.read(ints, 0, viaView), "read through a view");
            sameBytes(viaView, a, "bytes written to the owner, read through an int32 view");
            MemorySegment b = pattern(res, 48, 7);
            q.write(b, rows, 48);
            MemorySegment viaOwner = host(res, t.byteSize());
            await(q.read(owner, 0, viaOwner), "read after a write through a view");
            MemorySegment expected = host(res, t.byteSize()).copyFrom(a);
            MemorySegment.copy(b, 0, expected, 48, 48);
            sameBytes(viaOwner, expected, "owner after a 48-byte write through a view at offset 48");
            try {
                DeviceBuffer wrong = owner.view(TensorType.of(DType.F32, 25));
                throw new TransferCase.Failure("view as float32[25] of a 96-byte buffer returned " + wrong
                        + "; it must throw InvalidArgumentException");
            } catch (InvalidArgumentException expectedFailure) {
                // The contract: byte sizes must agree.
            }
            flat.close();
            check(!owner.isClosed(), "closing a view closed its owner");
            await(q.read(owner, 0, viaOwner), "read of the owner after its view was closed");
            sameBytes(viaOwner, expected, "owner after its view was closed");
        } finally {
            await(q.marker(), "work on the view case's buffers");
            owner.close();
        }
        check(owner.isClosed(), "owner.isClosed() is false after close()");
    }

    private static void closeTwice(Device dev, Queue q, Resources res) {
        DeviceBuffer b = dev.allocate(TensorType.of(DType.F32, 5));
        DeviceBuffer v = b.view(TensorType.of(DType.I32, 5));
        check(!b.isClosed() && !v.isClosed(), "a new buffer or its view says isClosed() true");
        b.close();
        b.close();
        check(b.isClosed(), "isClosed() is false after close()");
        check(v.isClosed(), "a view says isClosed() false after its owner was closed");
        v.close();
    }

    private static void inOrder(Device dev, Queue q, Resources res) {
        int n = 4 << 20;
        DeviceBuffer x = res.add(dev.allocate(TensorType.of(DType.U8, n)));
        DeviceBuffer y = res.add(dev.allocate(TensorType.of(DType.U8, n)));
        MemorySegment a = pattern(res, n, 8);
        MemorySegment b = pattern(res, n, 9);
        q.write(a, x, 0);
        q.copy(x, y);
        q.write(b, x, 0);
        MemorySegment readY = host(res, n);
        MemorySegment readX = host(res, n);
        q.read(y, 0, readY);
        await(q.read(x, 0, readX), "write, copy, write, read on one queue");
        sameBytes(readY, a, "copy queued between two writes (it must see the first)");
        sameBytes(readX, b, "buffer after the second write");
    }

    private static void twoQueues(Device dev, Queue q1, Resources res) {
        Queue q2 = res.add(dev.newQueue());
        DeviceBuffer x = res.add(dev.allocate(TensorType.of(DType.U8, LARGE)));
        DeviceBuffer y = res.add(dev.allocate(TensorType.of(DType.U8, LARGE)));
        MemorySegment a = pattern(res, LARGE, 10);
        Fence written = q1.write(a, x, 0);
        q2.waitFor(written);
        q2.copy(x, y);
        MemorySegment got = host(res, LARGE);
        await(q2.read(y, 0, got), "copy and read on a second queue after waitFor");
        sameBytes(got, a, "second queue waited for the first queue's write");
        MemorySegment b = pattern(res, 64, 11);
        DeviceBuffer z = res.add(dev.allocate(TensorType.of(DType.U8, 64)));
        q2.write(b, z, 0);
        q1.waitFor(q2.marker());
        MemorySegment back = host(res, 64);
        await(q1.read(z, 0, back), "read on the first queue after waitFor of the second");
        sameBytes(back, b, "first queue waited for the second queue's marker");
    }

    private static void foreignFence(Device dev, Queue q, Resources res) {
        DeviceBuffer z = res.add(dev.allocate(TensorType.of(DType.U8, 64)));
        MemorySegment b = pattern(res, 64, 12);
        q.waitFor(Fence.done());
        q.write(b, z, 0);
        MemorySegment back = host(res, 64);
        await(q.read(z, 0, back), "work after waitFor(Fence.done())");
        sameBytes(back, b, "round trip after waiting on a fence not made by this device");
    }

    private static void markerFinish(Device dev, Queue q, Resources res) {
        Queue own = res.add(dev.newQueue());
        Fence empty = own.marker();
        await(empty, "marker of an empty queue");
        DeviceBuffer x = res.add(dev.allocate(TensorType.of(DType.U8, 1 << 20)));
        MemorySegment a = pattern(res, 1 << 20, 13);
        MemorySegment got = host(res, 1 << 20);
        Fence w = own.write(a, x, 0);
        Fence r = own.read(x, 0, got);
        Fence m = own.marker();
        own.finish();
        check(w.isDone() && r.isDone() && m.isDone(), "after finish(): write done " + w.isDone() + ", read done "
                + r.isDone() + ", marker done " + m.isDone() + "; all must be done");
        check(m.await(Duration.ofMillis(1)), "await(timeout) of a done marker returned false");
        sameBytes(got, a, "read completed by finish()");
    }

    private static void closeWaits(Device dev, Queue q, Resources res) {
        Queue own = res.add(dev.newQueue());
        DeviceBuffer x = res.add(dev.allocate(TensorType.of(DType.U8, LARGE)));
        MemorySegment a = pattern(res, LARGE, 14);
        MemorySegment got = host(res, LARGE);
        own.write(a, x, 0);
        Fence r = own.read(x, 0, got);
        own.close();
        check(own.isClosed(), "isClosed() is false after close()");
        check(r.isDone(), "close() returned before the queued read was done");
        sameBytes(got, a, "read queued before close()");
        own.close();
    }
}
