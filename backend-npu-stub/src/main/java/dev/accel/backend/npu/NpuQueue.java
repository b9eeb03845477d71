package dev.accel.backend.npu;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.accel.hal.AccelException;
import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.Fence;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An NPU queue: an {@code npu_stream}, whose library-owned worker runs the work in order. Each
 * call checks its arguments (with {@link Checks}) and then queues one asynchronous library call
 * that carries the shared completion callback; the callback completes the call's {@link NpuFence}
 * on the worker thread.
 *
 * <p>Host memory is never handed to the library beyond the call that queues work: a write's bytes
 * are copied by the library at the call (pageable-memory semantics), and a read lands in a staging
 * block owned by the read's fence, copied out to the caller's memory in the completion. So a
 * caller that breaks the contract and frees its host memory early gets an exception, not a crash.
 *
 * <p>Once work fails, the stream skips everything queued after it; those fences fail with a message
 * that points at the first failure (a {@link DeviceLostException} when the device was lost).
 */
final class NpuQueue implements Queue {
    /** Queues one library call; returns its status. */
    @FunctionalInterface
    private interface Enqueue {
        int call(long token);
    }

    private static final AtomicInteger LIVE_STAGING = new AtomicInteger();

    private final NpuDevice device;
    private final String id;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment stream;
    private final Object failureLock = new Object();
    private AccelException firstFailure;
    private volatile AccelException dependencyFailure;
    private volatile boolean closed;

    NpuQueue(NpuDevice device) {
        this.device = device;
        this.id = device.info().id();
        MemorySegment raw = NpuNative.streamCreate(device.handle());
        this.stream = raw.reinterpret(arena, s -> NpuNative.check(NpuNative.streamDestroy(s), "npu_stream_destroy"));
    }

    @Override
    public NpuDevice device() {
        return device;
    }

    @Override
    public Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        Checks.write(this, src, dst, dstOffset);
        MemorySegment d = ((NpuBuffer) dst).handle();
        long bytes = src.byteSize();
        return submit("write", token -> NpuNative.h2dAsync(stream, d, dstOffset, src, bytes, token), null, null);
    }

    @Override
    public Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        Checks.read(this, src, srcOffset, dst);
        MemorySegment s = ((NpuBuffer) src).handle();
        long bytes = dst.byteSize();
        Arena staging = Arena.ofShared();
        MemorySegment tmp = staging.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        LIVE_STAGING.incrementAndGet();
        // The library gets the bare address: a segment of the staging arena would stay acquired by the enqueue
        // downcall, which may still be returning when the worker's callback closes the arena.
        MemorySegment target = MemorySegment.ofAddress(tmp.address());
        return submit("read", token -> NpuNative.d2hAsync(stream, target, s, srcOffset, bytes, token),
                () -> MemorySegment.copy(tmp, 0, dst, 0, bytes), () -> {
                    staging.close();
                    LIVE_STAGING.decrementAndGet();
                });
    }

    @Override
    public Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        Checks.copy(this, src, srcOffset, dst, dstOffset, bytes);
        MemorySegment s = ((NpuBuffer) src).handle();
        MemorySegment d = ((NpuBuffer) dst).handle();
        return submit("copy", token -> NpuNative.d2dAsync(stream, d, dstOffset, s, srcOffset, bytes, token), null,
                null);
    }

    @Override
    public Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
        Checks.dispatch(this, kernel, inputs, outputs);
        NpuKernel k = (NpuKernel) kernel;
        String name = k.spec().op().name();
        if (k.isClosed()) {
            throw new InvalidArgumentException("dispatch " + name + ": kernel is closed");
        }
        for (int o = 0; o < outputs.size(); o++) {
            for (int i = 0; i < inputs.size(); i++) {
                if (((NpuBuffer) outputs.get(o)).root() == ((NpuBuffer) inputs.get(i)).root()) {
                    throw new InvalidArgumentException("dispatch " + name + ": output " + o + " and input " + i
                            + " are the same buffer; outputs must not alias inputs");
                }
            }
        }
        int n = k.graphInputs(); // parameter inputs compiled into the graph are not bound
        int m = outputs.size();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ins = a.allocate(ADDRESS, Math.max(n, 1));
            MemorySegment outs = a.allocate(ADDRESS, m);
            for (int g = 0; g < n; g++) {
                ins.setAtIndex(ADDRESS, g, ((NpuBuffer) inputs.get(k.bindIndex(g))).handle());
            }
            for (int o = 0; o < m; o++) {
                outs.setAtIndex(ADDRESS, o, ((NpuBuffer) outputs.get(o)).handle());
            }
            return submit(name, token -> NpuNative.graphExecuteAsync(stream, k.graph(), ins, n, outs, m, token), null,
                    null);
        }
    }

    @Override
    public void waitFor(Fence fence) {
        Checks.queueOpen(this);
        if (fence == null) {
            throw new InvalidArgumentException("waitFor: fence is null");
        }
        MemorySegment event = NpuNative.eventCreate();
        int status = NpuNative.streamWaitEvent(stream, event);
        if (status != NpuStatus.SUCCESS) {
            AccelException e = NpuStatus.exception(status, "waitFor on " + id, NpuNative.lastErrorDetail());
            NpuNative.eventDestroy(event);
            throw e;
        }
        // Signalling gives the event back to the library: the stream frees it once it has woken.
        Consumer<Throwable> signal = failure -> {
            if (failure != null) {
                dependencyFailure = failure instanceof AccelException a ? a
                        : new AccelException("awaited work failed: " + failure, failure);
            }
            NpuNative.eventSignal(event, failure == null ? NpuStatus.SUCCESS : NpuStatus.DEPENDENCY_FAILED);
        };
        if (fence instanceof NpuFence f) {
            f.whenDone(signal);
        } else if (fence.isDone()) {
            signal.accept(outcome(fence));
        } else {
            // A fence of another backend: watch it from a virtual thread, which costs no platform thread while it waits.
            Thread.ofVirtual().name("accel-" + id + "-waitFor").start(() -> signal.accept(outcome(fence)));
        }
    }

    private static Throwable outcome(Fence fence) {
        try {
            fence.await();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Override
    public Fence marker() {
        Checks.queueOpen(this);
        return submit("marker", token -> NpuNative.addCallback(stream, token), null, null);
    }

    /**
     * Queues one library call with a completion that runs {@code onSuccess} (on the worker, before
     * the fence completes) and always {@code cleanup}.
     */
    private NpuFence submit(String what, Enqueue enqueue, Runnable onSuccess, Runnable cleanup) {
        NpuFence fence = new NpuFence(what + " on " + id);
        long token = NpuCallbacks.register((status, simulatedNanos, detail) -> {
            try {
                if (status == NpuStatus.SUCCESS) {
                    if (onSuccess != null) {
                        onSuccess.run();
                    }
                    fence.complete(simulatedNanos);
                } else {
                    fence.fail(failure(status, what, detail));
                }
            } catch (RuntimeException e) {
                fence.fail(e instanceof AccelException a ? a : new AccelException(what + " on " + id + " failed: " + e, e));
            } finally {
                if (cleanup != null) {
                    cleanup.run();
                }
            }
        });
        int status;
        try {
            status = enqueue.call(token);
        } catch (RuntimeException e) {
            NpuCallbacks.cancel(token);
            if (cleanup != null) {
                cleanup.run();
            }
            throw e;
        }
        if (status != NpuStatus.SUCCESS) {
            AccelException e = NpuStatus.exception(status, what + " on " + id, NpuNative.lastErrorDetail());
            NpuCallbacks.cancel(token);
            if (cleanup != null) {
                cleanup.run();
            }
            if (status == NpuStatus.INVALID_ARGUMENT || status == NpuStatus.INVALID_HANDLE) {
                throw e;
            }
            fence.fail(e);
        }
        return fence;
    }

    /** The exception for failed work: the first failure itself, later ones pointing at it. */
    private AccelException failure(int status, String what, String detail) {
        synchronized (failureLock) {
            if (firstFailure == null) {
                AccelException e = NpuStatus.exception(status, what + " on " + id, detail);
                AccelException cause = dependencyFailure;
                if (status == NpuStatus.DEPENDENCY_FAILED && cause != null) {
                    e.initCause(cause);
                }
                firstFailure = e;
                return e;
            }
            AccelException first = firstFailure;
            String message = what + " on " + id + " was not run: earlier work on this queue failed: "
                    + first.getMessage();
            return first instanceof DeviceLostException ? new DeviceLostException(message, first)
                    : new AccelException(message, first);
        }
    }

    /** Read staging blocks not yet freed, in all queues: zero once every read has completed. */
    static int liveStagingBlocks() {
        return LIVE_STAGING.get();
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
        try {
            arena.close();
        } finally {
            device.release(this);
        }
    }

    @Override
    public String toString() {
        return "NpuQueue(" + id + (closed ? ", closed" : "") + ")";
    }
}
