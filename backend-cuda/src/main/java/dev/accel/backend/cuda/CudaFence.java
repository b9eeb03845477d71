package dev.accel.backend.cuda;

import dev.accel.hal.AccelException;
import dev.accel.hal.Fence;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import jcuda.driver.CUevent;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * A CUDA event recorded on a queue's stream, as a hal-api {@link Fence}. Done once the event has
 * completed; a failure the driver reports while waiting (a faulting kernel, a lost device) is
 * rethrown by {@link #await()} as a typed exception with the driver's code. Another CUDA queue
 * waits for it on the GPU ({@code cuStreamWaitEvent}, also across devices); any other waiter
 * blocks on the host.
 *
 * <p>Thread-safe. The event goes back to the device's pool when the fence is done and no thread
 * is inside a wait, or when the fence is unreachable.
 */
final class CudaFence implements Fence {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The event and who uses it; shared with the cleaner, so it must not refer to the fence. */
    private static final class State implements Runnable {
        private final CudaEvents pool;
        private CUevent event;
        private int waiters;
        private boolean done;
        private AccelException failure;

        State(CudaEvents pool, CUevent event) {
            this.pool = pool;
            this.event = event;
        }

        /** Recycles the event once done with no waiters; callers hold the lock. */
        void recycleIfIdle() {
            if (done && waiters == 0 && event != null) {
                pool.release(event);
                event = null;
            }
        }

        @Override
        public synchronized void run() {
            if (event != null) {
                pool.release(event);
                event = null;
            }
        }
    }

    private final CudaDevice device;
    private final String what;
    private final State state;

    /** A fence for an event just recorded on a stream of {@code device}. */
    CudaFence(CudaDevice device, CudaEvents pool, CUevent event, String what) {
        this.device = device;
        this.what = what;
        this.state = new State(pool, event);
        CLEANER.register(this, state);
    }

    CudaDevice device() {
        return device;
    }

    @Override
    public boolean isDone() {
        synchronized (state) {
            if (state.done) {
                return true;
            }
            device.context().bind();
            int r = JCudaDriver.cuEventQuery(state.event);
            if (r == CUresult.CUDA_ERROR_NOT_READY) {
                return false;
            }
            finish(r);
            return true;
        }
    }

    /** How long {@link #await()} polls the event before it blocks in cuEventSynchronize. */
    static final long SPIN_NANOS = 50_000;

    @Override
    public void await() {
        CUevent e;
        synchronized (state) {
            if (state.done) {
                rethrow();
                return;
            }
            e = state.event;
            state.waiters++;
        }
        int r;
        try {
            device.context().bind();
            // Short ops finish within microseconds: poll first (each query is under a
            // microsecond), and block in the driver only after SPIN_NANOS.
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            do {
                r = JCudaDriver.cuEventQuery(e);
            } while (r == CUresult.CUDA_ERROR_NOT_READY && System.nanoTime() < spinUntil);
            if (r == CUresult.CUDA_ERROR_NOT_READY) {
                r = JCudaDriver.cuEventSynchronize(e);
            }
        } finally {
            synchronized (state) {
                state.waiters--;
            }
        }
        synchronized (state) {
            if (!state.done) {
                finish(r);
            } else {
                state.recycleIfIdle();
            }
        }
        rethrow();
    }

    @Override
    public boolean await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long spinUntil = System.nanoTime() + 50_000;
        while (!isDone()) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return false;
            }
            if (now - spinUntil < 0) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(Math.min(50_000, deadline - now));
            }
        }
        rethrow();
        return true;
    }

    /** Makes {@code stream} wait on the GPU for this fence; nothing to do once it is done. */
    void waitOn(CUstream stream, String queueId) {
        synchronized (state) {
            if (state.done) {
                return;
            }
            CudaErrors.check(JCudaDriver.cuStreamWaitEvent(stream, state.event, 0),
                    "cuStreamWaitEvent (" + queueId + " waiting for " + what + ")");
        }
    }

    private void finish(int code) {
        state.done = true;
        if (code != CUresult.CUDA_SUCCESS) {
            state.failure = CudaErrors.exception(code, what);
        }
        state.recycleIfIdle();
    }

    private void rethrow() {
        AccelException f;
        synchronized (state) {
            f = state.failure;
        }
        if (f != null) {
            throw f;
        }
    }

    @Override
    public String toString() {
        return "CudaFence(" + what + (state.done ? ", done" : "") + ")";
    }
}
