package dev.accel.backend.opencl;

import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.cl_mem;

/**
 * The commands of one dispatch, collected before any is enqueued, and the scratch buffers they
 * use. Scratch is released right after enqueueing: OpenCL keeps a released buffer alive until the
 * commands queued on it have finished, so each dispatch owns private scratch and one kernel can
 * run on several queues at once.
 */
final class OclPlan implements AutoCloseable {
    private final OclDevice device;
    private final List<OclLaunch> launches = new ArrayList<>();
    private final List<cl_mem> scratch = new ArrayList<>();

    OclPlan(OclDevice device) {
        this.device = device;
    }

    /** A 1-D launch of {@code n} work items, rounded up to whole work-groups (kernels check i < n). */
    void run(OclFunction fn, long n, Object... args) {
        long local = Math.max(1, Math.min(device.elementwiseGroup(), fn.maxWorkGroupSize()));
        long global = (n + local - 1) / local * local;
        launches.add(new OclLaunch.Run(fn, new long[] {n == 0 ? 0 : global}, new long[] {local}, args));
    }

    /** One work-group of {@code local} items per row, {@code rows} rows. */
    void runRows(OclFunction fn, long rows, long local, Object... args) {
        launches.add(new OclLaunch.Run(fn, new long[] {rows * local}, new long[] {local}, args));
    }

    /** An explicit NDRange. */
    void run(OclFunction fn, long[] global, long[] local, Object... args) {
        launches.add(new OclLaunch.Run(fn, global, local, args));
    }

    /** A device-to-device copy. */
    void copy(cl_mem src, long srcOffset, cl_mem dst, long dstOffset, long bytes) {
        launches.add(new OclLaunch.Copy(src, srcOffset, dst, dstOffset, bytes));
    }

    /** A scratch buffer of at least {@code bytes}, private to this dispatch. */
    cl_mem scratch(long bytes) {
        cl_mem m = device.createMem(Math.max(bytes, 4), "scratch");
        scratch.add(m);
        return m;
    }

    List<OclLaunch> launches() {
        return launches;
    }

    @Override
    public void close() {
        for (cl_mem m : scratch) {
            CL.clReleaseMemObject(m);
        }
        scratch.clear();
    }
}
