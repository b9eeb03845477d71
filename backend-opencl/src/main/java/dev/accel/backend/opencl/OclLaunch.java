package dev.accel.backend.opencl;

import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/** One command of a dispatch: a kernel launch or a buffer copy. */
sealed interface OclLaunch {
    /** Enqueues the command; {@code event} (may be null) receives its completion. Returns the status. */
    int enqueue(cl_command_queue q, cl_event event);

    /** True when the command has nothing to do (OpenCL rejects empty ranges and copies). */
    boolean empty();

    /** What the command is, for messages. */
    String what();

    /** An NDRange launch; {@code local} may be null to let the driver choose. */
    record Run(OclFunction fn, long[] global, long[] local, Object[] args) implements OclLaunch {
        @Override
        public int enqueue(cl_command_queue q, cl_event event) {
            return fn.enqueue(q, global, local, args, event);
        }

        @Override
        public boolean empty() {
            for (long g : global) {
                if (g == 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String what() {
            return "clEnqueueNDRangeKernel(" + fn.name() + ")";
        }
    }

    /** A device-to-device copy. */
    record Copy(cl_mem src, long srcOffset, cl_mem dst, long dstOffset, long bytes) implements OclLaunch {
        @Override
        public int enqueue(cl_command_queue q, cl_event event) {
            return CL.clEnqueueCopyBuffer(q, src, dst, srcOffset, dstOffset, bytes, 0, null, event);
        }

        @Override
        public boolean empty() {
            return bytes == 0;
        }

        @Override
        public String what() {
            return "clEnqueueCopyBuffer";
        }
    }
}
