package dev.accel.backend.opencl;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * An in-order OpenCL command queue. Every command gets an event that becomes its {@link Fence}.
 * {@link #waitFor} enqueues a barrier on the fence's event when it belongs to this device's context;
 * any other fence (another device, another backend) is bridged by a user event that a helper thread
 * completes once the fence is done, so order holds across devices. A bridged fence that fails
 * poisons the queue: every fence of work queued after the wait then fails too, naming the cause.
 * (The user event itself is completed normally: drivers differ in how, or whether, they pass a
 * failed user event on; PoCL 3.1 aborts the process.)
 *
 * <p>Host memory outside the Java heap is transferred asynchronously; heap segments are
 * transferred with blocking calls, since the JVM may move heap arrays.
 */
final class OclQueue implements Queue {
    /** Transfers above this many bytes are split, as one ByteBuffer view holds at most 2 GiB. */
    private static final long CHUNK = 1L << 30;
    private static final ExecutorService BRIDGE = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("accel-opencl-fence-bridge-", 0).factory());

    private final OclDevice device;
    private final cl_command_queue queue;
    /** Foreign fences waited for that have not (yet) completed successfully. */
    private final List<Fence> upstream = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    OclQueue(OclDevice device, cl_command_queue queue) {
        this.device = device;
        this.queue = queue;
    }

    @Override
    public OclDevice device() {
        return device;
    }

    @Override
    public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        Checks.write(this, src, dst, dstOffset);
        cl_mem mem = ((OclBuffer) dst).mem();
        long bytes = src.byteSize();
        if (bytes == 0) {
            return marker();
        }
        boolean blocking = !src.isNative();
        synchronized (this) {
            for (long off = 0; off < bytes; off += CHUNK) {
                long n = Math.min(CHUNK, bytes - off);
                boolean last = off + n == bytes;
                cl_event ev = last ? new cl_event() : null;
                ByteBuffer bb = src.asSlice(off, n).asByteBuffer();
                int rc = CL.clEnqueueWriteBuffer(queue, mem, blocking, dstOffset + off, n, Pointer.to(bb), 0, null, ev);
                OclErrors.check(rc, "clEnqueueWriteBuffer(" + n + " bytes into " + dst.type() + ")");
                if (last) {
                    return submitted(ev, "write of " + bytes + " bytes");
                }
            }
        }
        throw new IllegalStateException("unreachable");
    }

    @Override
    public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        Checks.read(this, src, srcOffset, dst);
        cl_mem mem = ((OclBuffer) src).mem();
        long bytes = dst.byteSize();
        if (bytes == 0) {
            return marker();
        }
        boolean blocking = !dst.isNative();
        synchronized (this) {
            for (long off = 0; off < bytes; off += CHUNK) {
                long n = Math.min(CHUNK, bytes - off);
                boolean last = off + n == bytes;
                cl_event ev = last ? new cl_event() : null;
                ByteBuffer bb = dst.asSlice(off, n).asByteBuffer();
                int rc = CL.clEnqueueReadBuffer(queue, mem, blocking, srcOffset + off, n, Pointer.to(bb), 0, null, ev);
                OclErrors.check(rc, "clEnqueueReadBuffer(" + n + " bytes from " + src.type() + ")");
                if (last) {
                    return submitted(ev, "read of " + bytes + " bytes");
                }
            }
        }
        throw new IllegalStateException("unreachable");
    }

    @Override
    public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
        OclBuffer s = (OclBuffer) src;
        OclBuffer d = (OclBuffer) dst;
        if (bytes == 0) {
            return marker();
        }
        if (s.mem() == d.mem() && srcOffset < dstOffset + bytes && dstOffset < srcOffset + bytes) {
            throw new InvalidArgumentException("copy: source bytes [" + srcOffset + ", " + (srcOffset + bytes)
                    + ") and destination bytes [" + dstOffset + ", " + (dstOffset + bytes) + ") overlap in one buffer");
        }
        cl_event ev = new cl_event();
        OclErrors.check(CL.clEnqueueCopyBuffer(queue, s.mem(), d.mem(), srcOffset, dstOffset, bytes, 0, null, ev),
                "clEnqueueCopyBuffer(" + bytes + " bytes)");
        return submitted(ev, "copy of " + bytes + " bytes");
    }

    @Override
    public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
        Checks.dispatch(this, kernel, inputs, outputs);
        OclKernel k = (OclKernel) kernel;
        String name = k.spec().op().name();
        if (k.isClosed()) {
            throw new InvalidArgumentException("dispatch " + name + ": kernel is closed");
        }
        cl_mem[] in = new cl_mem[inputs.size()];
        cl_mem[] out = new cl_mem[outputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = ((OclBuffer) inputs.get(i)).mem();
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = ((OclBuffer) outputs.get(i)).mem();
            for (int j = 0; j < in.length; j++) {
                if (in[j] == out[i]) {
                    throw new InvalidArgumentException("dispatch " + name + ": output " + i + " shares its memory with input "
                            + j + "; outputs must not alias inputs");
                }
            }
            for (int j = 0; j < i; j++) {
                if (out[j] == out[i]) {
                    throw new InvalidArgumentException("dispatch " + name + ": outputs " + j + " and " + i
                            + " share their memory");
                }
            }
        }
        try (OclPlan plan = new OclPlan(device)) {
            k.op().plan(in, out, plan);
            List<OclLaunch> launches = plan.launches().stream().filter(l -> !l.empty()).toList();
            if (launches.isEmpty()) {
                return marker();
            }
            synchronized (this) {
                for (int i = 0; i < launches.size(); i++) {
                    OclLaunch l = launches.get(i);
                    cl_event ev = i == launches.size() - 1 ? new cl_event() : null;
                    OclErrors.check(l.enqueue(queue, ev), l.what() + " for " + name);
                    if (ev != null) {
                        return submitted(ev, name);
                    }
                }
            }
        }
        throw new IllegalStateException("unreachable");
    }

    @Override
    public void waitFor(Fence fence) {
        Checks.queueOpen(this);
        if (fence == null) {
            throw new InvalidArgumentException("waitFor: fence is null");
        }
        if (fence instanceof OclFence f && f.device() == device) {
            OclErrors.check(CL.clEnqueueBarrierWithWaitList(queue, 1, new cl_event[] {f.handle()}, null),
                    "clEnqueueBarrierWithWaitList");
            flush();
            return;
        }
        if (fence.isDone()) {
            try {
                fence.await();
            } catch (RuntimeException e) {
                upstream.add(fence);
            }
            return;
        }
        upstream.add(fence);
        int[] err = new int[1];
        cl_event user = CL.clCreateUserEvent(device.context(), err);
        OclErrors.check(err[0], "clCreateUserEvent");
        OclErrors.check(CL.clEnqueueBarrierWithWaitList(queue, 1, new cl_event[] {user}, null),
                "clEnqueueBarrierWithWaitList(user event)");
        flush();
        BRIDGE.execute(() -> {
            try {
                fence.await();
                upstream.remove(fence);
            } catch (RuntimeException e) {
                // Stays in upstream: fences of later work report it.
            } finally {
                CL.clSetUserEventStatus(user, CL.CL_COMPLETE);
                CL.clReleaseEvent(user);
            }
        });
    }

    @Override
    public Fence marker() {
        Checks.queueOpen(this);
        cl_event ev = new cl_event();
        OclErrors.check(CL.clEnqueueMarkerWithWaitList(queue, 0, null, ev), "clEnqueueMarkerWithWaitList");
        return submitted(ev, "marker");
    }

    private Fence submitted(cl_event ev, String what) {
        OclFence f = new OclFence(device, ev, what + " on " + device.info().id(),
                upstream.isEmpty() ? List.of() : List.copyOf(upstream));
        flush();
        return f;
    }

    private void flush() {
        OclErrors.check(CL.clFlush(queue), "clFlush");
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Queued work finishes first; its failures were reported through its fences.
        CL.clFinish(queue);
        CL.clReleaseCommandQueue(queue);
        device.release(this);
    }

    @Override
    public String toString() {
        return "OclQueue(" + device.info().id() + ")";
    }
}
