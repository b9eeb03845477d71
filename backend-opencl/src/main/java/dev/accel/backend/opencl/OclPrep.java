package dev.accel.backend.opencl;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jocl.cl_mem;

/**
 * What preparing one op spec needs: the device, program building, constant metadata buffers, the
 * index width, and the inputs the caller declared constant (already checked against the spec).
 * Everything created through it is owned by the resulting {@link OclOp}, or released by
 * {@link #abandon()} when preparing fails.
 */
final class OclPrep {
    /** Tensors above this many elements switch the kernels to 64-bit indexing. */
    static final long INT_INDEX_LIMIT = 1L << 30;

    final OclDevice device;
    final OpSpec spec;
    final boolean wide;
    private final Map<Integer, HostTensor> constants;
    private final List<AutoCloseable> owned = new ArrayList<>();

    OclPrep(OclDevice device, OpSpec spec) {
        this(device, spec, false, Map.of());
    }

    OclPrep(OclDevice device, OpSpec spec, Map<Integer, HostTensor> constants) {
        this(device, spec, false, constants);
    }

    OclPrep(OclDevice device, OpSpec spec, boolean forceWide) {
        this(device, spec, forceWide, Map.of());
    }

    private OclPrep(OclDevice device, OpSpec spec, boolean forceWide, Map<Integer, HostTensor> constants) {
        this.device = device;
        this.spec = spec;
        this.constants = Map.copyOf(constants);
        long max = 0;
        for (TensorType t : spec.inputs()) {
            max = Math.max(max, t.numel());
        }
        for (TensorType t : spec.outputs()) {
            max = Math.max(max, t.numel());
        }
        this.wide = forceWide || max >= INT_INDEX_LIMIT;
    }

    /** The contents of input {@code index} when the caller declared it constant, else null. */
    HostTensor constant(int index) {
        return constants.get(index);
    }

    /** The build option for the index type. */
    String idx() {
        return wide ? "-DIDX=long" : "-DIDX=int";
    }

    /** The storage kind name a dtype goes by in the OpenCL sources ("F16"). */
    static String kind(DType d) {
        return d.name();
    }

    /** A kernel from common.cl plus {@code files}, built with the index option and {@code options}. */
    OclFunction fn(String kernel, String options, String... files) {
        OclFunction f = device.programs().resources(List.of(files), idx() + " " + options).function(kernel, device);
        owned.add(f);
        return f;
    }

    /** Metadata of the index width as a constant device buffer. */
    cl_mem meta(long... values) {
        Object data;
        if (wide) {
            data = values;
        } else {
            int[] v = new int[values.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.toIntExact(values[i]);
            }
            data = v;
        }
        return own(device.constMem(data));
    }

    /** A long[] constant buffer regardless of the index width (GEMM batch offsets). */
    cl_mem longs(long... values) {
        return own(device.constMem(values));
    }

    /** An index-typed kernel argument. */
    Object ix(long v) {
        return wide ? (Object) v : (Object) Math.toIntExact(v);
    }

    /** Makes the prepared op own {@code f}. */
    OclFunction own(OclFunction f) {
        owned.add(f);
        return f;
    }

    cl_mem own(cl_mem m) {
        owned.add(() -> org.jocl.CL.clReleaseMemObject(m));
        return m;
    }

    /** The prepared op, owning everything made here. */
    OclOp done(OclOp.Planner planner) {
        return new OclOp(planner, owned);
    }

    /** Releases what was made when preparing failed. */
    void abandon() {
        new OclOp((in, out, p) -> { }, owned).close();
    }
}
