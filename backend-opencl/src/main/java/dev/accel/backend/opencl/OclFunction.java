package dev.accel.backend.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * Owns one {@code cl_kernel}. Setting arguments and enqueueing happen under this object's lock, so
 * one function may be launched from several queues and threads.
 */
final class OclFunction implements AutoCloseable {
    /** A {@code __local} argument of the given size in bytes. */
    record Local(long bytes) {
    }

    private final cl_kernel kernel;
    private final String name;
    private final long maxWorkGroupSize;
    private boolean closed;
    /** Arguments as last set: OpenCL keeps them in the kernel object, so unchanged ones are not set again. */
    private Object[] last = new Object[0];

    OclFunction(cl_kernel kernel, String name, OclDevice device) {
        this.kernel = kernel;
        this.name = name;
        long[] v = new long[1];
        OclErrors.check(CL.clGetKernelWorkGroupInfo(kernel, device.clDevice(), CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t,
                Pointer.to(v), null), "clGetKernelWorkGroupInfo(" + name + ", CL_KERNEL_WORK_GROUP_SIZE)");
        this.maxWorkGroupSize = v[0];
    }

    String name() {
        return name;
    }

    /** The largest work-group this kernel may run with on its device. */
    long maxWorkGroupSize() {
        return maxWorkGroupSize;
    }

    /**
     * Sets the arguments (cl_mem, Integer, Long, Float, Byte/Short for one- and two-byte scalars,
     * {@link Local}) and enqueues an NDRange.
     */
    synchronized int enqueue(cl_command_queue q, long[] global, long[] local, Object[] args, cl_event event) {
        if (closed) {
            throw new IllegalStateException("kernel " + name + " was released");
        }
        if (last.length != args.length) {
            last = new Object[args.length];
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a.equals(last[i])) {
                continue;
            }
            last[i] = null;
            int rc = switch (a) {
                case cl_mem m -> CL.clSetKernelArg(kernel, i, Sizeof.cl_mem, Pointer.to(m));
                case Integer v -> CL.clSetKernelArg(kernel, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
                case Long v -> CL.clSetKernelArg(kernel, i, Sizeof.cl_long, Pointer.to(new long[] {v}));
                case Float v -> CL.clSetKernelArg(kernel, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
                case Short v -> CL.clSetKernelArg(kernel, i, Sizeof.cl_short, Pointer.to(new short[] {v}));
                case Byte v -> CL.clSetKernelArg(kernel, i, Sizeof.cl_char, Pointer.to(new byte[] {v}));
                case Local l -> CL.clSetKernelArg(kernel, i, l.bytes(), null);
                default -> throw new IllegalArgumentException("kernel " + name + " argument " + i + ": unsupported " + a);
            };
            OclErrors.check(rc, "clSetKernelArg(" + name + ", " + i + ")");
            last[i] = a;
        }
        return CL.clEnqueueNDRangeKernel(q, kernel, global.length, null, global, local, 0, null, event);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            CL.clReleaseKernel(kernel);
        }
    }
}
