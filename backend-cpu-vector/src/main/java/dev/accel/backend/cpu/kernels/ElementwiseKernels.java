package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Unary;
import java.util.List;

/**
 * CPU kernels for Unary, Binary (with PRelu), Sum, Cast, QuantizeLinear and DequantizeLinear.
 * Arithmetic kinds take float32 (CpuOps widens half types first); Cast takes every dtype; the
 * quantize pair takes float32 and 8-bit or int32 integers.
 */
public final class ElementwiseKernels {
    private ElementwiseKernels() {
    }

    /**
     * Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin.
     *
     * @throws UnsupportedOpException for another op, or a float input that is not float32
     */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        List<TensorType> in = spec.inputs();
        TensorType out = spec.outputs().get(0);
        return switch (spec.op()) {
            case Unary u -> {
                Vec.requireF32(spec, in.get(0), "X");
                yield UnaryKernels.compile(u, out.numel(), scalar);
            }
            case Binary b -> {
                Vec.requireF32(spec, in.get(0), "A");
                Vec.requireF32(spec, in.get(1), "B");
                yield BinaryKernels.compileBinary(b.kind(), in.get(0).shape(), in.get(1).shape(), out.shape(), scalar);
            }
            case Sum s -> {
                Shape[] shapes = new Shape[in.size()];
                for (int i = 0; i < shapes.length; i++) {
                    Vec.requireF32(spec, in.get(i), "input " + i);
                    shapes[i] = in.get(i).shape();
                }
                yield BinaryKernels.compileSum(shapes, out.shape(), scalar);
            }
            case Cast c -> CastKernels.compile(in.get(0).dtype(), c.to(), out.numel(), scalar);
            case QuantizeLinear q -> {
                Vec.requireF32(spec, in.get(0), "x");
                yield QuantKernels.compileQuantize(in.get(0), in.get(1), out.dtype(), in.size() == 3, q.axis(), scalar);
            }
            case DequantizeLinear d ->
                    QuantKernels.compileDequantize(in.get(0), in.get(1), in.size() == 3, d.axis(), scalar);
            default -> throw new UnsupportedOpException("cpu: " + spec + " is not an elementwise op");
        };
    }
}
