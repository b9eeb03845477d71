package dev.accel.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a loop over {@code [0, n)} across the machine's cores. Kernels call it from a queue's
 * worker thread; the body runs on this class's worker threads and on the caller.
 *
 * <p>The workers ({@link #THREADS} - 1 of them; the caller is the last), pinned to CPUs of their
 * own where {@link #PINNED}, spin for
 * {@link #SPIN_NANOS} after each job before parking, so that the next loop of the same kernel (a
 * convolution runs two: the padded copy, then the GEMM) finds them awake instead of paying a
 * thread wake-up each (tens of microseconds on a virtual machine, a tenth of a mid-sized layer).
 * One loop runs on the pool at a time: a loop started while another holds it, or from inside a
 * loop body, runs on its caller alone.
 */
public final class CpuParallel {
    /** Worker count: the property {@code accel.cpu.threads}, else the number of processors. */
    public static final int THREADS = Integer.getInteger("accel.cpu.threads", Runtime.getRuntime().availableProcessors());
    /** How long idle workers poll for the next job before parking: the property {@code accel.cpu.spinMicros}, else 200. */
    static final long SPIN_NANOS = Long.getLong("accel.cpu.spinMicros", 200) * 1000;

    /**
     * Whether the workers and the CPU queues' threads are pinned to CPUs of their own
     * ({@link ThreadAffinity}; the property {@value ThreadAffinity#PROPERTY}, a bad value read as off
     * here and reported when the device opens).
     */
    static final boolean PINNED = pinned();

    private static final Pool POOL = THREADS > 1 ? new Pool(THREADS - 1) : null;

    private static boolean pinned() {
        try {
            return ThreadAffinity.pins(THREADS);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private CpuParallel() {
    }

    /** A loop body over a sub-range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} iterations, at most
     * one chunk per thread (so a chunk's cost should be roughly uniform). Runs inline when one chunk
     * suffices. Exceptions from the body propagate to the caller (the first one, after every chunk
     * has finished).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || POOL == null || Thread.currentThread() instanceof Worker || !POOL.busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            POOL.run(n, chunks, body);
        } finally {
            POOL.busy.set(false);
        }
    }

    /** One loop: its chunks are claimed by index; the last one to finish wakes the caller if it parked. */
    private static final class Job {
        final int n;
        final int chunks;
        final RangeBody body;
        final Thread caller = Thread.currentThread();
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger remaining;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean callerParked;

        Job(int n, int chunks, RangeBody body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.remaining = new AtomicInteger(chunks);
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                if (remaining.decrementAndGet() == 0 && callerParked) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    /** A pool thread. */
    private static final class Worker extends Thread {
        private final Pool pool;
        volatile boolean parked;

        private final int index;

        Worker(Pool pool, int index) {
            super("accel-cpu-" + index);
            this.pool = pool;
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            if (PINNED) {
                // CPU 0 of the allowed set is the CPU queues' thread's, the caller of most loops.
                ThreadAffinity.pinCurrentThread(index + 1);
            }
            Job seen = null;
            while (true) {
                Job j = pool.job;
                if (j == seen) {
                    j = awaitNext(seen);
                }
                seen = j;
                j.work();
            }
        }

        /** Polls for a job other than {@code seen} for SPIN_NANOS, then parks until one is published. */
        private Job awaitNext(Job seen) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (System.nanoTime() - deadline < 0) {
                Job j = pool.job;
                if (j != seen) {
                    return j;
                }
                Thread.onSpinWait();
            }
            while (true) {
                parked = true;
                // Re-read after announcing: a publisher either sees parked and unparks, or we see its job.
                Job j = pool.job;
                if (j != seen) {
                    parked = false;
                    return j;
                }
                LockSupport.park(this);
                parked = false;
                j = pool.job;
                if (j != seen) {
                    return j;
                }
            }
        }
    }

    /** The workers and the job they serve. */
    private static final class Pool {
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job job;

        Pool(int size) {
            workers = new Worker[size];
            for (int i = 0; i < size; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void run(int n, int chunks, RangeBody body) {
            Job j = new Job(n, chunks, body);
            job = j;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            j.work();
            // Wait for the chunks other threads claimed: spin, then park until the last one finishes.
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (j.remaining.get() > 0 && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            while (j.remaining.get() > 0) {
                j.callerParked = true;
                if (j.remaining.get() > 0) {
                    LockSupport.park(this);
                }
            }
            Throwable t = j.failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
