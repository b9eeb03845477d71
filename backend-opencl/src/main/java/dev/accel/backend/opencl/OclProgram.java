package dev.accel.backend.opencl;

import org.jocl.CL;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/** Owns one built {@code cl_program}; {@link OclPrograms} caches these and closes them with the device. */
final class OclProgram implements AutoCloseable {
    private final cl_program program;
    private final String label;
    private final boolean fromBinary;
    private volatile boolean closed;

    OclProgram(cl_program program, String label, boolean fromBinary) {
        this.program = program;
        this.label = label;
        this.fromBinary = fromBinary;
    }

    /** A new kernel object for the named {@code __kernel} function; the caller owns it. */
    OclFunction function(String name, OclDevice device) {
        if (closed) {
            throw new IllegalStateException("program " + label + " was released");
        }
        int[] err = new int[1];
        cl_kernel k = CL.clCreateKernel(program, name, err);
        OclErrors.check(err[0], "clCreateKernel(" + name + ") of " + label);
        return new OclFunction(k, name, device);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            CL.clReleaseProgram(program);
        }
    }

    @Override
    public String toString() {
        return "OclProgram(" + label + (fromBinary ? ", from disk cache" : "") + ")";
    }
}
