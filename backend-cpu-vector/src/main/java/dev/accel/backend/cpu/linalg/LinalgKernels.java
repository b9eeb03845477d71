package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * CPU kernels for MatMul, Gemm, Conv2d and the integer and quantized matmul and convolution.
 *
 * <p>The vector kernels run on one packed, cache-blocked, register-tiled GEMM ({@link GemmCore},
 * {@link MicroKernel}) sized from {@code FloatVector.SPECIES_PREFERRED}; products with at most eight
 * rows and a row-major B take a kernel that streams B once ({@link SkinnyGemm}); convolutions lower
 * to the GEMM (1x1 directly, others by packing the lowered input straight from a padded copy of the
 * image, {@link Im2colSource}) except depthwise ones, which have their own vector kernel, and float
 * 3x3 stride-1 ones with enough channels, which run Winograd F(2x2, 3x3) ({@link Winograd}).
 * The integer ops run the same float GEMM on exactly widened 8-bit values in K blocks short enough
 * to stay exact, summed in int32 (see {@link GemmCore}). Each op also has a scalar twin (plain
 * loops, {@code ScalarMatMul}, {@code ScalarConv}), the reference the vector path is tested
 * against.
 *
 * <p>Constant inputs ({@code Device.prepare(spec, constants)}): the weight operand of every op here
 * (B of MatMul, Gemm and the integer matmuls; W of the convolutions), with its zero point where it
 * has one, is packed once into the GEMM's panel layout ({@link PackedPanels}); depthwise taps are
 * widened once; constant biases, scales (the requantization multipliers) and zero points are read
 * once. The skinny kernel streams B as it lies in memory, so a few-row product packs nothing.
 *
 * <p>Float ops take float32 only here: the caller widens float16 and bfloat16 around these kernels.
 */
public final class LinalgKernels {
    private LinalgKernels() {
    }

    /**
     * Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin.
     *
     * @throws UnsupportedOpException for another op, or a float op over a dtype other than float32
     */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        return compile(spec, Map.of(), scalar);
    }

    /**
     * As {@link #compile(OpSpec, boolean)}, with some inputs constant: {@code constants} maps an input
     * index to its contents (read here, not kept). The vector kernels pack constant weights (and
     * their zero points) into the GEMM's panel layout once, here, and read constant biases, scales
     * and zero points once; every run must still pass the same contents at those indices, and gives
     * bit for bit what the kernel compiled without constants gives. The scalar twins read their
     * inputs at every run and ignore {@code constants}.
     */
    public static CpuOp compile(OpSpec spec, Map<Integer, MemorySegment> constants, boolean scalar) {
        Map<Integer, MemorySegment> k = scalar ? Map.of() : constants;
        return switch (spec.op()) {
            case MatMul m -> {
                requireF32(spec);
                yield scalar ? ScalarMatMul.matMul(spec) : MatMulKernels.matMul(spec, k);
            }
            case Gemm g -> {
                requireF32(spec);
                yield scalar ? ScalarMatMul.gemm(spec, g) : MatMulKernels.gemm(spec, g, k);
            }
            case Conv2d c -> {
                requireF32(spec);
                yield scalar ? ScalarConv.conv2d(spec, c) : ConvKernels.conv2d(spec, c, k);
            }
            case MatMulInteger m -> scalar ? ScalarMatMul.matMulInteger(spec) : MatMulKernels.matMulInteger(spec, k);
            case QLinearMatMul m -> scalar ? ScalarMatMul.qlinearMatMul(spec) : MatMulKernels.qlinearMatMul(spec, k);
            case ConvInteger c -> scalar ? ScalarConv.convInteger(spec, c.geometry())
                    : ConvKernels.convInteger(spec, c.geometry(), k);
            case QLinearConv c -> scalar ? ScalarConv.qlinearConv(spec, c.geometry())
                    : ConvKernels.qlinearConv(spec, c.geometry(), k);
            default -> throw new UnsupportedOpException("cpu linalg: " + spec + " is not a matrix or convolution op; "
                    + "requires MatMul, Gemm, Conv, MatMulInteger, QLinearMatMul, ConvInteger or QLinearConv");
        };
    }

    /**
     * A float32 Conv whose output is clamped to {@code [lo, hi]} as its kernel stores it, the run's
     * input {@code residual} (an index past the Conv's inputs, a tensor of the output's shape; -1 for
     * none) added before: {@code clamp(Conv (+ Z))}, the vector form of a FusedConv with Relu
     * ({@code [0, +inf]}) or Clip. {@code spec} is the Conv's; {@code constants} as for
     * {@link #compile(OpSpec, Map, boolean)}.
     *
     * @throws UnsupportedOpException when the spec is not a float32 Conv
     */
    public static CpuOp clampedConv(OpSpec spec, Map<Integer, MemorySegment> constants, float lo, float hi, int residual) {
        if (!(spec.op() instanceof Conv2d c)) {
            throw new UnsupportedOpException("cpu linalg: " + spec + " is not a Conv; a clamped convolution requires one");
        }
        requireF32(spec);
        return ConvKernels.conv2d(spec, c, constants, new Clamp(lo, hi), residual);
    }

    private static void requireF32(OpSpec spec) {
        for (TensorType t : spec.inputs()) {
            if (t.dtype() != DType.F32) {
                throw new UnsupportedOpException("cpu linalg: " + spec + " has input " + t
                        + "; these kernels require float32 (half types are widened by the caller)");
            }
        }
    }
}
