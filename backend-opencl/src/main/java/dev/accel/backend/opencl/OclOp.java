package dev.accel.backend.opencl;

import java.util.List;
import org.jocl.cl_mem;

/**
 * A prepared op: the kernel objects and constant metadata buffers it owns, and a planner that turns
 * one dispatch's buffers into commands. Closing releases what it owns. Thread-safe: planning reads
 * only final state, and {@link OclFunction} serialises argument setting.
 */
final class OclOp implements AutoCloseable {
    /** Emits the commands of one dispatch into {@code plan}. */
    @FunctionalInterface
    interface Planner {
        void plan(cl_mem[] in, cl_mem[] out, OclPlan plan);
    }

    private final Planner planner;
    private final List<AutoCloseable> owned;
    private boolean closed;

    OclOp(Planner planner, List<AutoCloseable> owned) {
        this.planner = planner;
        this.owned = List.copyOf(owned);
    }

    void plan(cl_mem[] in, cl_mem[] out, OclPlan plan) {
        planner.plan(in, out, plan);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("releasing " + c + " failed", e);
            }
        }
    }
}
