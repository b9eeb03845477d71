package dev.accel.backend.cpu;

import dev.accel.backend.cpu.kernels.AttentionKernels;
import dev.accel.backend.cpu.kernels.ElementwiseKernels;
import dev.accel.backend.cpu.kernels.LayoutKernels;
import dev.accel.backend.cpu.kernels.NormKernels;
import dev.accel.backend.cpu.kernels.PoolKernels;
import dev.accel.backend.cpu.linalg.LinalgKernels;
import dev.accel.hal.DType;
import dev.accel.hal.Half;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps op specs to CPU kernels. Kernels are written for float32 (and 8-bit integers for the
 * quantized ops); float16 and bfloat16 tensors are stored as half and computed in float: this class
 * widens half inputs to float32 scratch, runs the float32 kernel and narrows the outputs.
 * Layout ops, Identity and Cast move bytes of any dtype directly.
 */
public final class CpuOps {
    /** True when the system property {@code accel.cpu.scalar} selects the scalar twin of every kernel. */
    public static final boolean SCALAR = Boolean.getBoolean("accel.cpu.scalar");

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private CpuOps() {
    }

    /** How the CPU runs a spec: every valid spec runs; half types are EMULATED (computed in float32). */
    public static Support support(OpSpec spec) {
        if (movesBytesOnly(spec.op())) {
            return Support.nativeSupport();
        }
        for (TensorType t : spec.inputs()) {
            if (t.dtype() == DType.F16 || t.dtype() == DType.BF16) {
                return Support.emulated(t.dtype().displayName() + " is stored as half and computed in float32");
            }
        }
        return Support.nativeSupport();
    }

    /**
     * Compiles a spec into a kernel body.
     *
     * @param scalar true for the scalar reference twin, false for the Vector API kernels
     */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        return compile(spec, Map.of(), scalar);
    }

    /**
     * Compiles a spec some of whose inputs are constant: {@code constants} maps an input index to its
     * contents, read during this call and not kept. The matrix and convolution kernels pack constant
     * weights once, here (see {@link LinalgKernels#compile(OpSpec, Map, boolean)}); every run must
     * still pass those contents at those indices, and computes bit for bit what the kernel compiled
     * without constants computes. Other ops ignore {@code constants}.
     *
     * @param scalar true for the scalar reference twin, false for the Vector API kernels
     */
    public static CpuOp compile(OpSpec spec, Map<Integer, MemorySegment> constants, boolean scalar) {
        Op op = spec.op();
        if (!movesBytesOnly(op) && hasHalf(spec)) {
            return widened(spec, constants, scalar);
        }
        return switch (op) {
            case MatMul m -> LinalgKernels.compile(spec, constants, scalar);
            case Gemm g -> LinalgKernels.compile(spec, constants, scalar);
            case Conv2d c -> LinalgKernels.compile(spec, constants, scalar);
            case FusedConv f -> fusedConv(spec, f, constants, scalar);
            case MatMulInteger m -> LinalgKernels.compile(spec, constants, scalar);
            case QLinearMatMul m -> LinalgKernels.compile(spec, constants, scalar);
            case ConvInteger c -> LinalgKernels.compile(spec, constants, scalar);
            case QLinearConv c -> LinalgKernels.compile(spec, constants, scalar);
            case Unary u -> ElementwiseKernels.compile(spec, scalar);
            case Binary b -> ElementwiseKernels.compile(spec, scalar);
            case Sum s -> ElementwiseKernels.compile(spec, scalar);
            case QuantizeLinear q -> ElementwiseKernels.compile(spec, scalar);
            case DequantizeLinear d -> ElementwiseKernels.compile(spec, scalar);
            case Cast c -> ElementwiseKernels.compile(spec, scalar);
            case BatchNorm b -> NormKernels.compile(spec, scalar);
            case LayerNorm l -> NormKernels.compile(spec, scalar);
            case Lrn l -> NormKernels.compile(spec, scalar);
            case Softmax s -> NormKernels.compile(spec, scalar);
            case ReduceMean r -> NormKernels.compile(spec, scalar);
            case Pool2d p -> PoolKernels.compile(spec, scalar);
            case GlobalAveragePool g -> PoolKernels.compile(spec, scalar);
            case Identity i -> LayoutKernels.compile(spec, scalar);
            case Transpose t -> LayoutKernels.compile(spec, scalar);
            case Reshape r -> LayoutKernels.compile(spec, scalar);
            case Concat c -> LayoutKernels.compile(spec, scalar);
            case Slice s -> LayoutKernels.compile(spec, scalar);
            case Split s -> LayoutKernels.compile(spec, scalar);
            case Pad p -> LayoutKernels.compile(spec, scalar);
            case Attention a -> AttentionKernels.compile(spec, scalar);
        };
    }

    /**
     * A convolution with its activation (and residual). Relu and Clip are bounds the vector kernels
     * apply as they store the output, the residual added there too ({@link LinalgKernels#clampedConv});
     * the other activations (and the scalar twins) run the Add's and the activation's own kernels
     * over the output in place, right after the convolution.
     */
    private static CpuOp fusedConv(OpSpec spec, FusedConv f, Map<Integer, MemorySegment> constants, boolean scalar) {
        int convInputs = spec.inputs().size() - (f.residual() ? 1 : 0);
        OpSpec convSpec = new OpSpec(f.conv(), spec.inputs().subList(0, convInputs), spec.outputs());
        int residual = f.residual() ? convInputs : -1;
        Unary a = f.activation();
        if (!scalar && (a.kind() == Unary.Kind.RELU || a.kind() == Unary.Kind.CLIP)) {
            boolean relu = a.kind() == Unary.Kind.RELU;
            return LinalgKernels.clampedConv(convSpec, constants, relu ? 0f : a.alpha(), relu ? Float.POSITIVE_INFINITY : a.beta(),
                    residual);
        }
        CpuOp conv = LinalgKernels.compile(convSpec, constants, scalar);
        TensorType out = spec.outputs().get(0);
        CpuOp add = f.residual() ? ElementwiseKernels.compile(OpSpec.of(new Binary(Binary.Kind.ADD), out, out), scalar) : null;
        CpuOp activation = ElementwiseKernels.compile(OpSpec.of(a, out), scalar);
        return (inputs, outputs) -> {
            conv.run(inputs, outputs);
            if (add != null) {
                add.run(new MemorySegment[] {outputs[0], inputs[residual]}, outputs);
            }
            activation.run(outputs, outputs);
        };
    }

    /** Ops that copy or rearrange elements without arithmetic, for any dtype. */
    static boolean movesBytesOnly(Op op) {
        return op instanceof Identity || op instanceof Transpose || op instanceof Reshape || op instanceof Concat
                || op instanceof Slice || op instanceof Split || op instanceof Pad || op instanceof Cast;
    }

    private static boolean hasHalf(OpSpec spec) {
        for (TensorType t : spec.inputs()) {
            if (isHalf(t.dtype())) {
                return true;
            }
        }
        for (TensorType t : spec.outputs()) {
            if (isHalf(t.dtype())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHalf(DType d) {
        return d == DType.F16 || d == DType.BF16;
    }

    /** The float32 kernel wrapped in conversions from and to half storage; half constants are widened once, here. */
    private static CpuOp widened(OpSpec spec, Map<Integer, MemorySegment> constants, boolean scalar) {
        List<TensorType> in32 = new ArrayList<>();
        for (TensorType t : spec.inputs()) {
            in32.add(isHalf(t.dtype()) ? t.withDType(DType.F32) : t);
        }
        OpSpec spec32 = OpSpec.of(spec.op(), in32);
        CpuOp inner;
        if (constants.isEmpty()) {
            inner = compile(spec32, scalar);
        } else {
            try (Arena scratch = Arena.ofConfined()) {
                Map<Integer, MemorySegment> wide = new HashMap<>();
                for (var e : constants.entrySet()) {
                    DType t = spec.inputs().get(e.getKey()).dtype();
                    wide.put(e.getKey(), isHalf(t) ? widenSerial(e.getValue(), t, scratch) : e.getValue());
                }
                inner = compile(spec32, wide, scalar);
            }
        }
        DType[] inTypes = spec.inputs().stream().map(TensorType::dtype).toArray(DType[]::new);
        DType[] outTypes = spec.outputs().stream().map(TensorType::dtype).toArray(DType[]::new);
        return (inputs, outputs) -> {
            try (Arena scratch = Arena.ofShared()) {
                MemorySegment[] in = new MemorySegment[inputs.length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = isHalf(inTypes[i]) ? widen(inputs[i], inTypes[i], scratch) : inputs[i];
                }
                MemorySegment[] out = new MemorySegment[outputs.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = isHalf(outTypes[i]) ? scratch.allocate(outputs[i].byteSize() * 2, 64) : outputs[i];
                }
                inner.run(in, out);
                for (int i = 0; i < out.length; i++) {
                    if (isHalf(outTypes[i])) {
                        narrow(out[i], outputs[i], outTypes[i]);
                    }
                }
            }
        };
    }

    private static MemorySegment widen(MemorySegment half, DType t, Arena arena) {
        long n = half.byteSize() / 2;
        MemorySegment f = arena.allocate(Math.max(1, n * 4), 64).asSlice(0, n * 4);
        CpuParallel.forRange((int) n, 1 << 15, (from, to) -> {
            for (int i = from; i < to; i++) {
                short h = half.getAtIndex(HALF, i);
                f.setAtIndex(FLOAT, i, t == DType.F16 ? Half.f16ToFloat(h) : Half.bf16ToFloat(h));
            }
        });
        return f;
    }

    /** As {@link #widen}, on the calling thread (the segment is confined to it). */
    private static MemorySegment widenSerial(MemorySegment half, DType t, Arena arena) {
        long n = half.byteSize() / 2;
        MemorySegment f = arena.allocate(Math.max(1, n * 4), 64).asSlice(0, n * 4);
        for (long i = 0; i < n; i++) {
            short h = half.getAtIndex(HALF, i);
            f.setAtIndex(FLOAT, i, t == DType.F16 ? Half.f16ToFloat(h) : Half.bf16ToFloat(h));
        }
        return f;
    }

    private static void narrow(MemorySegment f, MemorySegment half, DType t) {
        long n = half.byteSize() / 2;
        CpuParallel.forRange((int) n, 1 << 15, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = f.getAtIndex(FLOAT, i);
                half.setAtIndex(HALF, i, t == DType.F16 ? Half.floatToF16(v) : Half.floatToBf16(v));
            }
        });
    }
}
