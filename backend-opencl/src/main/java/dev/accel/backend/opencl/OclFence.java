package dev.accel.backend.opencl;

import dev.accel.hal.AccelException;
import dev.accel.hal.Fence;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jocl.CL;
import org.jocl.cl_event;

/**
 * A {@link Fence} over an OpenCL event: the completion of one enqueued command (and, the queues
 * being in order, of everything enqueued before it on the same queue). The event is released when
 * the fence becomes unreachable. Fences of other devices that the queue waited for before this
 * command are kept as upstream: if one of them failed, so does this fence.
 */
final class OclFence implements Fence {
    private final OclDevice device;
    private final OclEvent event;
    private final String what;
    private final List<Fence> upstream;

    OclFence(OclDevice device, cl_event event, String what, List<Fence> upstream) {
        this.device = device;
        this.event = new OclEvent(event);
        this.what = what;
        this.upstream = upstream;
    }

    /** The device whose context the event belongs to. */
    OclDevice device() {
        return device;
    }

    /** The event handle, for wait lists of queues of the same context. */
    cl_event handle() {
        return event.handle();
    }

    @Override
    public boolean isDone() {
        return event.status() <= CL.CL_COMPLETE;
    }

    @Override
    public void await() {
        int rc = CL.clWaitForEvents(1, new cl_event[] {event.handle()});
        int status = event.status();
        if (status < 0) {
            fail(status);
        }
        if (rc != 0) {
            fail(rc);
        }
        checkUpstream();
    }

    private void checkUpstream() {
        for (Fence f : upstream) {
            try {
                f.await();
            } catch (AccelException e) {
                throw new AccelException(what + " failed: a fence this queue waited for before it failed: "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public boolean await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 2_000;
        while (true) {
            int status = event.status();
            if (status < 0) {
                fail(status);
            }
            if (status == CL.CL_COMPLETE) {
                checkUpstream();
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AccelException("interrupted while waiting for " + what);
            }
            pause = Math.min(pause * 2, 1_000_000);
        }
    }

    private void fail(int code) {
        throw OclErrors.exception(code, what + " failed: " + OclErrors.name(code));
    }

    @Override
    public String toString() {
        return "OclFence(" + what + ")";
    }
}
