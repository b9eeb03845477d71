package dev.accel.backend.cuda;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import java.lang.foreign.MemorySegment;
import java.util.List;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * A CUDA stream (non-blocking with respect to the legacy default stream) as a hal-api queue.
 * Every operation is queued on the stream and returns a fence for an event recorded after it.
 *
 * <p>Host transfers: memory pinned through the device ({@link CudaDevice#allocateHost},
 * {@link CudaDevice#registerHost}) is copied by DMA, asynchronously in both directions. Other
 * host memory goes through pinned staging chunks: a write copies the bytes into a chunk at the
 * call and returns while the DMA runs; a read waits for the queue to reach it, then copies out
 * of the chunk before returning a fence that is already done (the same behaviour as
 * {@code cuMemcpyDtoHAsync} into pageable memory). {@link #waitFor} on a fence of this backend
 * makes the stream wait on the GPU; for any other fence it blocks the calling thread until that
 * fence is done.
 *
 * <p>Thread-safe: calls are queued in the order they take the queue's lock.
 */
final class CudaQueue implements Queue {
    private final CudaDevice device;
    private final CudaStreamHandle stream = new CudaStreamHandle();
    private final String id;
    private volatile boolean closed;

    CudaQueue(CudaDevice device) {
        this.device = device;
        this.id = device.info().id() + " queue";
        device.context().bind();
        CudaErrors.check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate on " + device.info().id());
    }

    CudaStreamHandle stream() {
        return stream;
    }

    @Override
    public CudaDevice device() {
        return device;
    }

    /** Records an event on the stream; the caller holds the lock and bound the context. */
    private Fence record(String what) {
        CUevent e = device.events().acquire();
        CudaErrors.check(JCudaDriver.cuEventRecord(e, stream), "cuEventRecord after " + what + " on " + id);
        return new CudaFence(device, device.events(), e, what + " on " + id);
    }

    @Override
    public synchronized Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        Checks.write(this, src, dst, dstOffset);
        CudaBuffer d = (CudaBuffer) dst;
        long bytes = src.byteSize();
        device.context().bind();
        if (bytes == 0) {
            return record("write");
        }
        if (device.isPinned(src)) {
            CudaErrors.check(JCudaDriver.cuMemcpyHtoDAsync(d.at(dstOffset), new CudaHostPtr(src.address()), bytes, stream),
                    "cuMemcpyHtoDAsync of " + bytes + " bytes on " + id);
            return record("write");
        }
        Fence last = null;
        for (long done = 0; done < bytes; done += CudaStaging.PIECE) {
            long n = Math.min(CudaStaging.PIECE, bytes - done);
            CudaStaging.Chunk c = device.staging().acquire(n);
            MemorySegment.copy(src, done, c.memory.segment(), 0, n);
            int r = JCudaDriver.cuMemcpyHtoDAsync(d.at(dstOffset + done), c.memory.pointer(), n, stream);
            if (r != 0) {
                device.staging().release(c, null);
                CudaErrors.check(r, "cuMemcpyHtoDAsync of " + n + " staged bytes on " + id);
            }
            last = record("write");
            device.staging().release(c, last);
        }
        return last;
    }

    @Override
    public synchronized Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        Checks.read(this, src, srcOffset, dst);
        CudaBuffer s = (CudaBuffer) src;
        long bytes = dst.byteSize();
        device.context().bind();
        if (bytes == 0) {
            return record("read");
        }
        if (device.isPinned(dst)) {
            CudaErrors.check(JCudaDriver.cuMemcpyDtoHAsync(new CudaHostPtr(dst.address()), s.at(srcOffset), bytes, stream),
                    "cuMemcpyDtoHAsync of " + bytes + " bytes on " + id);
            return record("read");
        }
        Fence last = null;
        for (long done = 0; done < bytes; done += CudaStaging.PIECE) {
            long n = Math.min(CudaStaging.PIECE, bytes - done);
            CudaStaging.Chunk c = device.staging().acquire(n);
            try {
                CudaErrors.check(JCudaDriver.cuMemcpyDtoHAsync(c.memory.pointer(), s.at(srcOffset + done), n, stream),
                        "cuMemcpyDtoHAsync of " + n + " staged bytes on " + id);
                last = record("read");
                last.await();
                MemorySegment.copy(c.memory.segment(), 0, dst, done, n);
            } finally {
                device.staging().release(c, last);
            }
        }
        return last;
    }

    @Override
    public synchronized Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
        device.context().bind();
        if (bytes > 0) {
            CudaErrors.check(JCudaDriver.cuMemcpyDtoDAsync(((CudaBuffer) dst).at(dstOffset), ((CudaBuffer) src).at(srcOffset),
                    bytes, stream), "cuMemcpyDtoDAsync of " + bytes + " bytes on " + id);
        }
        return record("copy");
    }

    @Override
    public synchronized Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
        Checks.dispatch(this, kernel, inputs, outputs);
        CudaKernel k = (CudaKernel) kernel;
        String op = "dispatch " + k.spec().op().name();
        if (k.isClosed()) {
            throw new InvalidArgumentException(op + ": kernel is closed");
        }
        CudaBuffer[] in = inputs.stream().map(b -> (CudaBuffer) b).toArray(CudaBuffer[]::new);
        CudaBuffer[] out = outputs.stream().map(b -> (CudaBuffer) b).toArray(CudaBuffer[]::new);
        for (int o = 0; o < out.length; o++) {
            for (int i = 0; i < in.length; i++) {
                if (overlap(out[o], in[i])) {
                    throw new InvalidArgumentException(op + ": output " + o + " (" + out[o].type() + ") overlaps input " + i
                            + " (" + in[i].type() + "); outputs must not alias inputs");
                }
            }
        }
        device.context().bind();
        k.enqueue(stream, in, out);
        return record(k.spec().op().name());
    }

    private static boolean overlap(CudaBuffer a, CudaBuffer b) {
        long as = a.address();
        long bs = b.address();
        return a.byteSize() > 0 && b.byteSize() > 0 && as < bs + b.byteSize() && bs < as + a.byteSize();
    }

    @Override
    public void waitFor(Fence fence) {
        Checks.queueOpen(this);
        if (fence == null) {
            throw new InvalidArgumentException("waitFor: fence is null");
        }
        if (fence instanceof CudaFence cf) {
            synchronized (this) {
                device.context().bind();
                cf.waitOn(stream, id);
            }
        } else {
            fence.await();
        }
    }

    @Override
    public synchronized Fence marker() {
        Checks.queueOpen(this);
        device.context().bind();
        return record("marker");
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (device.contextAlive()) {
            device.context().bind();
            JCudaDriver.cuStreamSynchronize(stream);
            JCudaDriver.cuStreamDestroy(stream);
        }
        device.release(this);
    }

    @Override
    public String toString() {
        return "CudaQueue(" + id + ")";
    }
}
