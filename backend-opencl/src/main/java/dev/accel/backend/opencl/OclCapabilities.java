package dev.accel.backend.opencl;

import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;

/**
 * What an OpenCL device runs. Every op of the set has a kernel. Float32 and the 8-bit integer ops
 * are NATIVE. Float16 is stored as half and computed in float32 (vload_half / vstore_half): NATIVE
 * where the device has cl_khr_fp16 (its half conversions are hardware), EMULATED where it lacks it.
 * Bfloat16, which OpenCL C has no type for, is EMULATED with 16-bit storage and bit shifts. Layout
 * ops, Identity and Cast move or convert any dtype natively.
 */
final class OclCapabilities implements Capabilities {
    /** Why {@link dev.accel.hal.op.FusedConv} does not run here. */
    static final String NO_FUSED_CONV = "the OpenCL backend has no fused convolution kernel; a plan runs the Conv and its "
            + "activation as two kernels";
    private final boolean fp16;

    OclCapabilities(OclInfo cl) {
        this.fp16 = cl.hasExtension("cl_khr_fp16");
    }

    @Override
    public Support support(OpSpec spec) {
        if (spec == null) {
            return Support.unsupported("spec is null");
        }
        var op = spec.op();
        if (op instanceof dev.accel.hal.op.FusedConv) {
            return Support.unsupported(NO_FUSED_CONV);
        }
        if (op instanceof Identity || op instanceof Reshape || op instanceof Transpose || op instanceof Concat
                || op instanceof Slice || op instanceof Split || op instanceof Pad || op instanceof Cast) {
            return Support.nativeSupport();
        }
        boolean f16 = false;
        boolean bf16 = false;
        for (TensorType t : spec.inputs()) {
            f16 |= t.dtype() == DType.F16;
            bf16 |= t.dtype() == DType.BF16;
        }
        if (bf16) {
            return Support.emulated("bfloat16 is stored as 16 bits and computed in float32 through bit shifts: "
                    + "OpenCL C has no bfloat16 type");
        }
        if (f16 && !fp16) {
            return Support.emulated("float16 is stored as half (vload_half / vstore_half) and computed in float32: "
                    + "the device lacks cl_khr_fp16");
        }
        return Support.nativeSupport();
    }
}
