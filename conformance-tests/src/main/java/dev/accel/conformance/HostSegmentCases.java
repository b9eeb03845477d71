package dev.accel.conformance;

import static dev.accel.conformance.TransferCase.await;
import static dev.accel.conformance.TransferCase.check;
import static dev.accel.conformance.TransferCases.host;
import static dev.accel.conformance.TransferCases.pattern;
import static dev.accel.conformance.TransferCases.sameBytes;

import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * Cases of {@link DeviceBuffer#hostSegment()}, an optional feature: where a device gives a segment,
 * it has the buffer's byte size, it holds what the device's work (queue writes, device copies) left
 * once their fences completed, what the host writes into it is what the queue then reads and copies,
 * each buffer gets its own memory, and a view's segment addresses its owner's memory. Where the
 * device gives none, consistently (asked twice, and through a view), the case is UNSUPPORTED with
 * that reason.
 */
final class HostSegmentCases {
    private HostSegmentCases() {
    }

    static List<ConformanceCase> all() {
        return List.of(
                new TransferCase("Buffer/f32/host-segment-device-writes", "Buffer", "f32", "3 x 5x7",
                        HostSegmentCases::deviceWrites),
                new TransferCase("Buffer/u8/host-segment-host-writes", "Buffer", "u8", "1000", HostSegmentCases::hostWrites),
                new TransferCase("Buffer/f32/host-segment-view", "Buffer", "f32", "4x6 as i32 24", HostSegmentCases::view));
    }

    /** The buffer's segment, present or not, asked for twice and checked to agree with itself. */
    private static Optional<MemorySegment> ask(DeviceBuffer b) {
        Optional<MemorySegment> s = b.hostSegment();
        check(s != null, "hostSegment() of " + b.type() + " returned null; it must return Optional.empty() instead");
        Optional<MemorySegment> again = b.hostSegment();
        check(again != null && again.isPresent() == s.isPresent(), "hostSegment() of " + b.type() + " was "
                + (s.isPresent() ? "present" : "empty") + ", then " + (again != null && again.isPresent() ? "present" : "empty"));
        if (s.isPresent()) {
            MemorySegment m = s.get();
            check(m.byteSize() == b.byteSize(), "hostSegment() of " + b.type() + " has " + m.byteSize()
                    + " bytes, the buffer has " + b.byteSize());
            check(m.scope().isAlive(), "hostSegment() of an open buffer " + b.type() + " is not alive");
            check(!m.isReadOnly(), "hostSegment() of " + b.type() + " is read-only; the host must be able to write it");
            check(again.get().address() == m.address(), "two calls of hostSegment() of " + b.type() + " gave addresses "
                    + m.address() + " and " + again.get().address());
        }
        return s;
    }

    /** The buffer's segment; the case is not applicable when the device gives none. */
    private static MemorySegment segment(Device dev, DeviceBuffer b) {
        return ask(b).orElseThrow(() -> new TransferCase.NotApplicable("hostSegment() is empty: " + dev.info().id()
                + " does not keep " + b.type() + " in memory the host may address directly; crossings take a read and a write"));
    }

    private static void deviceWrites(Device dev, Queue q, Resources res) {
        TensorType t = TensorType.of(DType.F32, 5, 7);
        DeviceBuffer a = res.add(dev.allocate(t));
        DeviceBuffer b = res.add(dev.allocate(t));
        DeviceBuffer c = res.add(dev.allocate(t));
        MemorySegment sa = segment(dev, a);
        MemorySegment sb = segment(dev, b);
        MemorySegment sc = segment(dev, c);
        check(Math.abs(sa.address() - sb.address()) >= t.byteSize() && Math.abs(sa.address() - sc.address()) >= t.byteSize()
                && Math.abs(sb.address() - sc.address()) >= t.byteSize(), "the host segments of three buffers overlap: addresses "
                + sa.address() + ", " + sb.address() + ", " + sc.address() + " for " + t.byteSize() + " bytes each");
        MemorySegment pa = pattern(res, t.byteSize(), 21);
        MemorySegment pb = pattern(res, t.byteSize(), 22);
        q.write(pa, a, 0);
        q.write(pb, b, 0);
        q.copy(a, c);
        await(q.marker(), "two writes and a device copy");
        sameBytes(sa, pa, "host segment of a buffer after a queue write");
        sameBytes(sb, pb, "host segment of a second buffer after a queue write");
        sameBytes(sc, pa, "host segment of a buffer after a device copy into it");
        MemorySegment patch = pattern(res, 40, 23);
        await(q.write(patch, b, 60), "a 40-byte write at offset 60");
        MemorySegment expected = host(res, t.byteSize()).copyFrom(pb);
        MemorySegment.copy(patch, 0, expected, 60, 40);
        sameBytes(sb, expected, "host segment after a 40-byte queue write at offset 60");
    }

    private static void hostWrites(Device dev, Queue q, Resources res) {
        TensorType t = TensorType.of(DType.U8, 1000);
        DeviceBuffer x = res.add(dev.allocate(t));
        DeviceBuffer y = res.add(dev.allocate(t));
        MemorySegment sx = segment(dev, x);
        MemorySegment p = pattern(res, 1000, 24);
        sx.copyFrom(p);
        MemorySegment read = host(res, 1000);
        await(q.read(x, 0, read), "a read of bytes the host wrote through the segment");
        sameBytes(read, p, "queue read of bytes written through the host segment");
        q.copy(x, y);
        MemorySegment copied = host(res, 1000);
        await(q.read(y, 0, copied), "a device copy of bytes the host wrote, and its read");
        sameBytes(copied, p, "device copy of bytes written through the host segment");
        MemorySegment p2 = pattern(res, 1000, 25);
        sx.copyFrom(p2);
        MemorySegment part = host(res, 100);
        await(q.read(x, 900, part), "a read of the last 100 bytes after a second host write");
        sameBytes(part, p2.asSlice(900, 100), "last 100 bytes after a second write through the host segment");
    }

    private static void view(Device dev, Queue q, Resources res) {
        TensorType t = TensorType.of(DType.F32, 4, 6);
        DeviceBuffer owner = res.add(dev.allocate(t));
        DeviceBuffer ints = owner.view(TensorType.of(DType.I32, 24));
        Optional<MemorySegment> so = ask(owner);
        Optional<MemorySegment> sv = ask(ints);
        check(so.isPresent() == sv.isPresent(), "hostSegment() of the owner is " + (so.isPresent() ? "present" : "empty")
                + " but of its view " + (sv.isPresent() ? "present" : "empty"));
        MemorySegment o = segment(dev, owner);
        MemorySegment v = sv.orElseThrow();
        check(v.address() == o.address(), "the view's host segment is at " + v.address() + ", its owner's at " + o.address()
                + "; a view shares its owner's memory");
        MemorySegment p = pattern(res, t.byteSize(), 26);
        await(q.write(p, owner, 0), "a write to the owner");
        sameBytes(v, p, "the view's host segment after a queue write to its owner");
        MemorySegment p2 = pattern(res, 48, 27);
        MemorySegment.copy(p2, 0, v, 48, 48);
        MemorySegment back = host(res, t.byteSize());
        await(q.read(owner, 0, back), "a read of the owner after a host write through the view's segment");
        MemorySegment expected = host(res, t.byteSize()).copyFrom(p);
        MemorySegment.copy(p2, 0, expected, 48, 48);
        sameBytes(back, expected, "owner read through the queue after 48 bytes were written through its view's host segment");
    }
}
