package dev.accel.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Splits a loop over {@code [0, n)} across the machine's cores. Kernels call it from a queue's
 * worker thread; the body runs on pool threads and on the caller.
 */
public final class CpuParallel {
    /** Worker count: the property {@code accel.cpu.threads}, else the number of processors. */
    public static final int THREADS = Integer.getInteger("accel.cpu.threads", Runtime.getRuntime().availableProcessors());

    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS, pool -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setDaemon(true);
        t.setName("accel-cpu-" + t.getPoolIndex());
        return t;
    }, null, false) : null;

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
     * suffices. Exceptions from the body propagate to the caller.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || POOL == null || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = POOL.submit(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(from, to);
                }
            });
        }
        RuntimeException failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
