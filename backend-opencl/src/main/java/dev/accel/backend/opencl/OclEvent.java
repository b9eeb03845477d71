package dev.accel.backend.opencl;

import java.lang.ref.Cleaner;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

/**
 * Owns one {@code cl_event}. {@link #close()} releases it (idempotent); an event nobody closed is
 * released by a {@link Cleaner} once unreachable, since hal-api fences are not closeable.
 */
final class OclEvent implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("accel-opencl-event-cleaner").factory());

    private final cl_event event;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    OclEvent(cl_event event) {
        this.event = event;
        this.cleanable = CLEANER.register(this, new Release(event));
    }

    /** The handle; valid until {@link #close()}. */
    cl_event handle() {
        if (closed) {
            throw new IllegalStateException("OpenCL event was released");
        }
        return event;
    }

    /**
     * CL_EVENT_COMMAND_EXECUTION_STATUS: CL_QUEUED (3), CL_SUBMITTED (2), CL_RUNNING (1), CL_COMPLETE
     * (0), or a negative error code when the command failed.
     */
    int status() {
        int[] s = new int[1];
        OclErrors.check(CL.clGetEventInfo(handle(), CL.CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(s),
                null), "clGetEventInfo(CL_EVENT_COMMAND_EXECUTION_STATUS)");
        return s[0];
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }

    /** Holds no reference to the OclEvent, so the event can become unreachable. */
    private record Release(cl_event event) implements Runnable {
        @Override
        public void run() {
            CL.clReleaseEvent(event);
        }
    }
}
